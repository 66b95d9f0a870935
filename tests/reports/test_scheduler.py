"""The scheduler: jobs as data, the lease, and one run per period across two instances."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.jobs import JobSpec, period_for, scheduled_jobs
from humanitarian.models import RunStatus, Sitrep, SitrepRun
from humanitarian.scheduler import (
    LEASE_NAME,
    SitrepScheduler,
    acquire_lease,
    current_lease,
    job_overview,
)
from humanitarian.services import Actor, generate_sitrep

from .conftest import PERIOD


class FakeClock:
    def __init__(self, start: datetime):
        self.now = start
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        with self.lock:
            return self.now

    def advance(self, **delta) -> None:
        with self.lock:
            self.now += timedelta(**delta)


def _wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()  # see other threads' commits
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the scheduler")


def _sitreps():
    db.session.rollback()
    rows = db.session.scalars(select(Sitrep).order_by(Sitrep.period_start)).all()
    return [(s.admin_pcode, s.period_start, s.period_end, str(s.audience)) for s in rows]


def test_jobs_are_data_from_the_configuration(app):
    config = {
        "SITREP_AREAS": "SY02, SY07",
        "SITREP_DAILY_HOUR": 5,
        "SITREP_WEEKLY_DAY": "fri",
        "SITREP_RETRY_MINUTES": 30,
        "WEBHOOK_INTERVAL_SECONDS": 20,
        "IMPORT_POLL_SECONDS": 20,
    }
    jobs = {j.id: j for j in scheduled_jobs(config)}
    assert set(jobs) == {
        "sitrep-daily-SY02",
        "sitrep-weekly-SY02",
        "sitrep-daily-SY07",
        "sitrep-weekly-SY07",
        "sitrep-retries",
        "webhooks-deliver",
        "imports",
    }
    assert jobs["imports"].trigger_args == {"seconds": 20}
    assert jobs["sitrep-weekly-SY07"].trigger_args == {"day_of_week": "fri", "hour": 5, "minute": 0}
    assert jobs["sitrep-daily-SY02"].kwargs["cadence"] == "daily"
    assert jobs["sitrep-retries"].trigger_args == {"minutes": 10}
    assert jobs["webhooks-deliver"].trigger_args == {"seconds": 20}
    assert period_for("daily", date(2024, 12, 5)) == (date(2024, 12, 4), date(2024, 12, 4))
    assert period_for("weekly", date(2024, 12, 5)) == (date(2024, 11, 28), date(2024, 12, 4))


def test_the_lease_has_one_holder_until_it_expires(app):
    now = datetime(2024, 12, 5, 6, tzinfo=UTC)
    ttl = timedelta(seconds=60)
    assert acquire_lease(LEASE_NAME, "a", ttl, now)
    assert not acquire_lease(LEASE_NAME, "b", ttl, now + timedelta(seconds=30))
    assert acquire_lease(LEASE_NAME, "a", ttl, now + timedelta(seconds=50))  # renewal
    assert not acquire_lease(LEASE_NAME, "b", ttl, now + timedelta(seconds=100))
    assert acquire_lease(LEASE_NAME, "b", ttl, now + timedelta(seconds=111))  # a went silent
    assert not acquire_lease(LEASE_NAME, "a", ttl, now + timedelta(seconds=112))
    assert current_lease().holder == "b"


def test_concurrent_requests_for_one_key_make_one_sitrep(demo, app, archive):
    results, errors = [], []

    def generate():
        with app.app_context():
            try:
                results.append(generate_sitrep(Actor.system("t"), "SY07", *PERIOD).id)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=generate) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == [] and len(results) == 2 and results[0] == results[1]
    assert _sitreps() == [("SY07", *PERIOD, "public")]
    assert len(list(archive.rglob("*.pdf"))) == 1  # the loser removed its file


def test_two_instances_generate_each_period_once(demo, app):
    """Instance A holds the lease and runs the job every second; B stays passive. A dies
    without releasing; after the lease expires B takes over, picks up the stored job and
    carries on. Each daily period is generated exactly once."""
    clock = FakeClock(datetime(2024, 12, 5, 6, 0, tzinfo=UTC))
    spec = JobSpec(
        id="sitrep-daily-SY07",
        func="humanitarian.jobs:run_sitrep_job",
        trigger="interval",
        trigger_args={"seconds": 1},
        kwargs={"admin_pcode": "SY07", "cadence": "daily", "job_id": "sitrep-daily-SY07"},
    )
    a = SitrepScheduler(app, holder="instance-a", clock=clock, jobs=[spec])
    b = SitrepScheduler(app, holder="instance-b", clock=clock, jobs=[spec])
    day = lambda n: ("SY07", date(2024, 12, n), date(2024, 12, n), "public")  # noqa: E731
    try:
        assert a.heartbeat() and not b.heartbeat()
        _wait_for(lambda: _sitreps() == [day(4)])
        time.sleep(2.5)  # the job fires again for the same period: nothing new
        assert a.heartbeat() and not b.heartbeat()
        assert _sitreps() == [day(4)]

        clock.advance(days=1)
        assert a.heartbeat() and not b.heartbeat()
        _wait_for(lambda: len(_sitreps()) == 2)

        a.stop(release=False)  # dies: no release, the lease must run out
        assert not b.heartbeat()
        clock.advance(seconds=app.config["SCHEDULER_LEASE_SECONDS"] + 1)
        assert b.heartbeat()
        time.sleep(2.5)  # B runs the stored job: the 5 Dec sitrep exists already
        assert _sitreps() == [day(4), day(5)]
        clock.advance(days=1)
        assert b.heartbeat()
        _wait_for(lambda: len(_sitreps()) == 3)
    finally:
        a.stop()
        b.stop()
    assert _sitreps() == [day(4), day(5), day(6)]
    runs = db.session.scalars(select(SitrepRun).order_by(SitrepRun.period_start)).all()
    assert [(r.period_start.day, r.runner, r.status) for r in runs] == [
        (4, "instance-a", RunStatus.succeeded),
        (5, "instance-a", RunStatus.succeeded),
        (6, "instance-b", RunStatus.succeeded),
    ]
    assert current_lease() is None  # B released it on stop


def test_restart_keeps_stored_jobs_and_their_next_run(app):
    """An unchanged job keeps its stored next run time, so a run missed while the scheduler
    was down is not skipped; a changed one is replaced."""
    clock = FakeClock(datetime(2024, 12, 5, 6, 0, tzinfo=UTC))
    first = SitrepScheduler(app, holder="one", clock=clock)
    try:
        assert first.heartbeat()
    finally:
        first.stop()
    before = {j["id"]: j["next_run_time"] for j in job_overview(app)}
    assert all(before.values()) and len(before) == 7  # four sitreps, retries, webhooks, imports

    app.config["SITREP_DAILY_HOUR"] = 7
    try:
        second = SitrepScheduler(app, holder="two", clock=clock)
        assert second.heartbeat()
        second._scheduler.pause()
        jobs = {job.id: job for job in second._scheduler.get_jobs()}
    finally:
        second.stop()
        app.config["SITREP_DAILY_HOUR"] = 6
    assert "hour='7'" in str(jobs["sitrep-daily-SY07"].trigger)
    after = {j["id"]: j["next_run_time"] for j in job_overview(app)}
    assert after["sitrep-weekly-SY07"].hour == 7  # the weekly job uses the same hour
    assert after["sitrep-retries"] == before["sitrep-retries"]  # unchanged: kept as stored
