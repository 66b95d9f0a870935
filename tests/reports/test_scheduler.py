"""The scheduler: jobs as data, the lease, and one run per period across two instances."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.jobs import JobSpec, scheduled_jobs
from humanitarian.models import Cadence, RunStatus, Sitrep, SitrepRun, SitrepSchedule, utcnow
from humanitarian.scheduler import (
    LEASE_NAME,
    SitrepScheduler,
    acquire_lease,
    current_lease,
    job_overview,
)
from humanitarian.services import (
    Actor,
    ScheduleInput,
    create_schedule,
    generate_sitrep,
    schedule_input,
    stop_schedule,
    update_schedule,
)
from humanitarian.services.schedules import period_for

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


def _schedule(pcode="SY07", cadence=Cadence.daily, at=clock_time(6, 0), **kw):
    data = ScheduleInput(admin_pcode=pcode, cadence=cadence, run_time=at, **kw)
    return create_schedule(Actor.system("test"), data)


def test_jobs_follow_the_schedules_table(app):
    weekly = _schedule("SY02", Cadence.weekly, clock_time(5, 30), weekday="fri")
    monthly = _schedule("SY07", Cadence.monthly, clock_time(7, 0), timezone="UTC", language="ar")
    stopped = _schedule("SY09", Cadence.daily)
    stop_schedule(Actor.system("test"), stopped.id)
    app.config["SITREP_RETRY_MINUTES"] = 30
    try:
        jobs = {j.id: j for j in scheduled_jobs(app)}
    finally:
        app.config["SITREP_RETRY_MINUTES"] = 15
    assert set(jobs) == {
        f"sitrep-schedule-{weekly.id}",
        f"sitrep-schedule-{monthly.id}",
        "sitrep-schedules-sync",
        "sitrep-deliveries",
        "sitrep-retries",
        "webhooks-deliver",
        "imports",
    }
    assert jobs[f"sitrep-schedule-{weekly.id}"].trigger_args == {
        "day_of_week": "fri",
        "hour": 5,
        "minute": 30,
        "timezone": "Asia/Damascus",
    }
    assert jobs[f"sitrep-schedule-{monthly.id}"].trigger_args["day"] == 1
    assert jobs[f"sitrep-schedule-{monthly.id}"].name == "Monthly sitrep SY07 (public, ar)"
    assert jobs["sitrep-retries"].trigger_args == {"minutes": 10}
    # Next runs in the schedule's own zone: 05:30 in Damascus (UTC+3) is 02:30 UTC.
    assert weekly.next_run_at.astimezone(UTC).strftime("%a %H:%M") == "Fri 02:30"
    assert jobs["webhooks-deliver"].trigger_args == {
        "seconds": int(app.config["WEBHOOK_INTERVAL_SECONDS"])
    }
    assert jobs["imports"].trigger_args == {"seconds": int(app.config["IMPORT_POLL_SECONDS"])}
    assert period_for("daily", date(2024, 12, 5)) == (date(2024, 12, 4), date(2024, 12, 4))
    assert period_for("weekly", date(2024, 12, 5)) == (date(2024, 11, 28), date(2024, 12, 4))
    assert period_for("monthly", date(2024, 12, 1)) == (date(2024, 11, 1), date(2024, 11, 30))
    assert period_for("monthly", date(2024, 3, 1)) == (date(2024, 2, 1), date(2024, 2, 29))


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
    schedule = _schedule("SY07", timezone="UTC")
    spec = JobSpec(
        id=f"sitrep-schedule-{schedule.id}",
        func="humanitarian.jobs:run_schedule_job",
        trigger="interval",
        trigger_args={"seconds": 1},
        kwargs={"schedule_id": str(schedule.id)},
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


def test_a_changed_schedule_reaches_the_running_scheduler(app):
    """A change to the table reaches the active scheduler at its next sync, without a restart:
    a changed schedule's job is replaced, a stopped one removed, a new one added; unchanged
    jobs keep their stored next run time (a run missed while down is not skipped)."""
    clock = FakeClock(datetime(2024, 12, 5, 6, 0, tzinfo=UTC))
    kept, changed, stopped = (_schedule(p).id for p in ("SY02", "SY07", "SY09"))
    first = SitrepScheduler(app, holder="one", clock=clock)
    try:
        assert first.heartbeat()
    finally:
        first.stop()
    before = {j["id"]: j["next_run_time"] for j in job_overview(app)}
    assert len(before) == 8 and all(before.values())  # with the webhook and import jobs

    scheduler = SitrepScheduler(app, holder="two", clock=clock)
    try:
        assert scheduler.heartbeat()
        system = Actor.system("test")
        current = db.session.get(SitrepSchedule, changed)
        update_schedule(system, changed, schedule_input(current, run_time=clock_time(8, 15)))
        stop_schedule(system, stopped)
        added = _schedule("SY04", Cadence.weekly, weekday="sun").id
        db.session.remove()
        scheduler.sync()  # what the sync job does every SCHEDULER_SYNC_SECONDS
        scheduler._scheduler.pause()
        jobs = {job.id: job for job in scheduler._scheduler.get_jobs()}
    finally:
        scheduler.stop()
    assert f"sitrep-schedule-{stopped}" not in jobs
    assert f"sitrep-schedule-{added}" in jobs
    assert "hour='8', minute='15'" in str(jobs[f"sitrep-schedule-{changed}"].trigger)
    after = {j["id"]: j["next_run_time"] for j in job_overview(app)}
    assert after[f"sitrep-schedule-{kept}"] == before[f"sitrep-schedule-{kept}"]
    assert after["sitrep-retries"] == before["sitrep-retries"]
    assert after[f"sitrep-schedule-{changed}"].astimezone(UTC).hour == 5  # 08:15 Damascus


def test_tick_runs_what_is_due_once_and_exits(demo, app):
    """The first tick stores the jobs (the schedule is due tomorrow); a tick after its time
    generates the sitrep once; another tick the same day runs nothing more."""
    clock = FakeClock(datetime(2024, 12, 4, 12, 0, tzinfo=UTC))
    schedule = _schedule("SY07", Cadence.weekly, clock_time(6, 0), weekday="thu", timezone="UTC")
    job_id = f"sitrep-schedule-{schedule.id}"
    assert job_id not in SitrepScheduler(app, holder="cron", clock=clock).tick()
    assert current_lease() is None  # released on the way out
    assert _sitreps() == []

    clock.advance(days=1)  # Thursday 5 Dec, 12:00: the 06:00 run is due
    ran = SitrepScheduler(app, holder="cron", clock=clock).tick()
    assert job_id in ran
    assert _sitreps() == [("SY07", date(2024, 11, 28), date(2024, 12, 4), "public")]
    assert job_id not in SitrepScheduler(app, holder="cron", clock=clock).tick()
    runs = db.session.scalars(select(SitrepRun)).all()
    assert [(r.runner, r.schedule_id, r.status) for r in runs] == [
        ("cron", schedule.id, RunStatus.succeeded)
    ]
    # While another instance holds the lease, a tick leaves the work to it.
    assert acquire_lease(LEASE_NAME, "daemon", timedelta(minutes=1), utcnow())
    assert SitrepScheduler(app, holder="cron", clock=clock).tick() is None
