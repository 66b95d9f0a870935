"""One scheduler acts, however many run: real ``flask --app app scheduler run`` processes on
the test database, in real time, watched from outside through the lease row, the job store,
the generation attempts and their logs.

Two processes started together race for the lease: one runs the jobs that are due (a daily
run missed on four days runs once), the other stays passive. Killed (SIGKILL), the holder
cannot release its lease; the standby takes over once it has expired, within the documented
time (``SCHEDULER_LEASE_SECONDS`` plus one heartbeat, a third of it), and runs what is due.
Stopped (SIGTERM), a holder releases the lease at once; an area's schedules stopped in the
table lose their jobs at the next sync, whichever process holds the lease then.
"""

from __future__ import annotations

import signal
import time
from datetime import UTC, datetime, timedelta

import pytest

from humanitarian.extensions import db
from humanitarian.models import RunStatus
from tests.support import wait_until

from .schedulers import (
    Schedule,
    lease,
    lease_holder,
    runs,
    set_next_run,
    start_scheduler,
    stored_jobs,
    terminate,
)

pytestmark = pytest.mark.reliability

LEASE = 6  # seconds: short, so that a takeover is quick to watch
HEARTBEAT = LEASE / 3  # how often an instance renews or tries for the lease (the default)
SLACK = 4  # seconds for process scheduling on a loaded two-core machine
WEEK = str(7 * 24 * 3600)


@pytest.fixture
def schedulers(app, database_url, tmp_path):
    """start(name, schedule, *args) → a running scheduler process, killed after the test if
    it is still running."""
    db.session.remove()  # nothing of ours may sit between the processes and their tables
    started = []

    def start(name: str, schedule: Schedule, *args: str):
        process = start_scheduler(
            database_url, tmp_path / "sitreps", tmp_path / f"{name}.log", schedule, *args
        )
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


def succeeded(job_id: str) -> list:
    return [r for r in runs(job_id) if r.status == RunStatus.succeeded]


def test_one_scheduler_acts_and_a_standby_takes_over_when_it_is_killed(schedulers, database_url):
    now = datetime.now(UTC)
    # A misfire grace of a week: without coalescing, all four missed daily runs would run.
    schedule = Schedule(
        areas=("SY02", "SY07"),
        hour=now.hour,
        lease_seconds=LEASE,
        settings={"HUMANITARIAN_SCHEDULER_MISFIRE_GRACE_SECONDS": WEEK},
    )
    first = schedulers("first", schedule)
    wait_until(lambda: stored_jobs() == schedule.job_ids(), 60, "the jobs to be stored")
    terminate(first)
    daily07, weekly07 = schedule.job_id("daily", "SY07"), schedule.job_id("weekly", "SY07")
    assert lease() is None and succeeded(daily07) == []
    # Down since three days before today's run: four daily run times missed; the weekly due.
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    set_next_run(database_url, daily07, this_hour - timedelta(days=3))
    set_next_run(database_url, weekly07, now - timedelta(minutes=1))

    a, b = schedulers("a", schedule), schedulers("b", schedule)
    processes = {a.holder: a, b.holder: b}
    holder = wait_until(lease_holder, 60, "one of them to take the lease")
    active, standby = processes[holder], processes[({a.holder, b.holder} - {holder}).pop()]
    # One worker runs the due jobs in order: the daily one (once), then the weekly one.
    weekly = wait_until(lambda: succeeded(weekly07), 120, "the weekly sitrep")
    daily = runs(daily07)
    assert [(r.runner, r.status) for r in daily + weekly] == [(holder, RunStatus.succeeded)] * 2
    assert daily[0].period_end == daily[0].started_at.date() - timedelta(days=1)
    assert active.count('Running job "Daily sitrep SY07') == 1, active.log_text()
    assert active.count('Running job "Weekly sitrep SY07') == 1
    # The other process never acted (it can: it does below, once it holds the lease).
    assert standby.count("is active") == 0 and standby.count("Running job") == 0
    assert lease_holder() == holder

    # Something for the next holder to do. The active instance sleeps until its next job (the
    # retry sweep, minutes away) and does not see this change before it is killed.
    daily02 = schedule.job_id("daily", "SY02")
    set_next_run(database_url, daily02, datetime.now(UTC) - timedelta(minutes=1))
    active.signal(signal.SIGKILL)
    killed = time.monotonic()
    active.wait(10)
    dead = lease()  # the killed holder's lease, never released
    assert dead.holder == holder
    wait_until(
        lambda: lease_holder() == standby.holder,
        LEASE + HEARTBEAT + 30,
        "the standby to take the lease over",
    )
    took = time.monotonic() - killed
    taken = lease()
    assert taken.acquired_at >= dead.expires_at  # not while the dead holder's lease held
    assert (taken.acquired_at - dead.expires_at).total_seconds() <= HEARTBEAT + SLACK
    assert took <= LEASE + HEARTBEAT + SLACK, f"took over after {took:.1f} s"
    done = wait_until(lambda: succeeded(daily02), 120, "the new holder to act")
    assert [r.runner for r in done] == [standby.holder]
    assert standby.count("is active") == 1


def test_sigterm_releases_the_lease_and_the_next_holder_drops_unlisted_areas(schedulers):
    """With a long lease (30 s) and a heartbeat every second, a standby that takes over within
    a few seconds of a SIGTERM got a released lease, not an expired one."""
    hour = datetime.now(UTC).hour
    both = Schedule(areas=("SY02", "SY07"), hour=hour, lease_seconds=30)
    fewer = Schedule(areas=("SY07",), hour=hour, lease_seconds=30)
    a = schedulers("a", both, "--interval", "1")
    wait_until(
        lambda: lease_holder() == a.holder and stored_jobs() == both.job_ids(),
        60,
        "the first scheduler to hold the lease and store its jobs",
    )
    dropped = {both.job_id(cadence, "SY02") for cadence in ("daily", "weekly")}
    b = schedulers("b", fewer, "--interval", "1")  # stops the SY02 schedules in the table
    wait_until(lambda: b.count("started (heartbeat every 1s)"), 60, "the standby to start")
    assert lease_holder() == a.holder

    terminate(a)
    assert "releasing the lease" in a.log_text()
    # Released: taken at the standby's next heartbeat. Expired, it would take 29 s or more.
    wait_until(lambda: lease_holder() == b.holder, 15, "the standby to take the released lease")
    wait_until(lambda: stored_jobs() == fewer.job_ids(), 30, "the jobs of SY02 to be removed")
    assert all(
        b.count(f"removing job {job}") + a.count(f"removing job {job}") == 1 for job in dropped
    )
    terminate(b)
    assert lease() is None
