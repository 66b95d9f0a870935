"""The sitrep scheduler: APScheduler with a database job store, run by exactly one process.

Its jobs follow the ``sitrep_schedules`` table: the active instance reconciles them with the
table when it becomes active and every ``SCHEDULER_SYNC_SECONDS`` after, so a schedule created,
changed or stopped on the web or the API takes effect without a restart. ``tick()`` runs
whatever is due once and returns (``flask scheduler tick``, for cron and tests).

However many web or scheduler processes run, only the one holding the ``scheduler_leases`` row
runs jobs; the others stay passive and take over when the lease expires (its holder died) or
is released (its holder stopped). The lease is a plain row updated with a conditional UPDATE,
so the same code works on PostgreSQL and SQLite. Jobs live in ``apscheduler_jobs``: a restart
keeps them, and runs missed while no scheduler was up are coalesced into one run.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Optional

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from apscheduler.util import utc_timestamp_to_datetime
from flask import Flask
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from .extensions import db
from .jobs import JobRuntime, JobSpec, bind_runtime, scheduled_jobs
from .models import SchedulerLease, apscheduler_jobs, utcnow

log = logging.getLogger(__name__)
LEASE_NAME = "sitrep-scheduler"


class _BackgroundScheduler(BackgroundScheduler):
    """APScheduler's background scheduler, except that it runs nothing once stopped: its
    thread looks at the job store one last time on its way out, and would otherwise mark a
    job due at that moment as run (its submission to the closed executor fails)."""

    def _process_jobs(self):
        if self.state == STATE_STOPPED:
            return None
        return super()._process_jobs()


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


# --- the lease -------------------------------------------------------------------------------


def acquire_lease(name: str, holder: str, ttl: timedelta, now: datetime) -> bool:
    """Take or renew the lease. True if ``holder`` holds it until ``now + ttl``.

    The UPDATE only matches a row this holder already has or one that has expired, and the
    database applies concurrent UPDATEs to one row one after another, so two instances can
    never both succeed; the INSERT covers the very first start (primary key decides).
    """
    values = {"holder": holder, "renewed_at": now, "expires_at": now + ttl}
    L = SchedulerLease
    renewed = db.session.execute(
        update(L).where(L.name == name, L.holder == holder, L.expires_at > now).values(**values)
    ).rowcount
    if not renewed:
        renewed = db.session.execute(
            update(L).where(L.name == name, L.expires_at <= now).values(acquired_at=now, **values)
        ).rowcount
    if renewed:
        db.session.commit()
        return True
    db.session.rollback()
    if db.session.get(L, name) is not None:
        return False
    try:
        db.session.add(L(name=name, acquired_at=now, **values))
        db.session.commit()
        return True
    except IntegrityError:
        db.session.rollback()
        return False


def release_lease(name: str, holder: str) -> None:
    db.session.execute(
        delete(SchedulerLease).where(SchedulerLease.name == name, SchedulerLease.holder == holder)
    )
    db.session.commit()


def current_lease(name: str = LEASE_NAME) -> Optional[SchedulerLease]:
    return db.session.scalars(select(SchedulerLease).where(SchedulerLease.name == name)).first()


# --- the scheduler instance ------------------------------------------------------------------


class SitrepScheduler:
    """One scheduler instance. Call ``heartbeat()`` regularly (``run()`` does): it takes or
    renews the lease and starts or stops the APScheduler to match."""

    def __init__(
        self,
        app: Flask,
        *,
        holder: Optional[str] = None,
        clock: Callable[[], datetime] = utcnow,
        jobs: Optional[Iterable[JobSpec]] = None,
    ):
        self.app = app
        self.holder = holder or default_holder()
        self.clock = clock
        # A fixed list (tests) or, by default, whatever the schedules table says at each sync.
        self.fixed = list(jobs) if jobs is not None else None
        self.ttl = timedelta(seconds=app.config["SCHEDULER_LEASE_SECONDS"])
        self._scheduler: Optional[BackgroundScheduler] = None
        self._stop = threading.Event()

    @property
    def active(self) -> bool:
        return self._scheduler is not None

    def heartbeat(self) -> bool:
        with self.app.app_context():
            try:
                holds = acquire_lease(LEASE_NAME, self.holder, self.ttl, self.clock())
            except Exception:  # noqa: BLE001 - a database outage must not kill the loop
                log.exception("scheduler %s could not reach the lease", self.holder)
                holds = False
            finally:
                db.session.remove()
        if holds and not self.active:
            self._activate()
        elif not holds and self.active:
            log.warning("scheduler %s lost the lease; going passive", self.holder)
            self._deactivate()
        return self.active

    def _build(self) -> BackgroundScheduler:
        config = self.app.config
        with self.app.app_context():
            engine = db.engine
        return _BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs")},
            # One worker: sitreps render one at a time, which bounds memory and CPU.
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": config["SCHEDULER_MISFIRE_GRACE_SECONDS"],
            },
            timezone=config["TIMEZONE"],
        )

    def _activate(self) -> None:
        scheduler = self._build()
        bind_runtime(JobRuntime(self.app, self.holder, self.clock, self.sync))
        # Paused until the stored jobs are reconciled with the schedules table.
        scheduler.start(paused=True)
        self._scheduler = scheduler
        count = self.sync()
        if self._stop.is_set() or self._scheduler is not scheduler:
            return  # a SIGTERM arrived while reconciling: stop() shut it down already
        scheduler.resume()
        log.info("scheduler %s is active with %d jobs", self.holder, count)

    def wanted_jobs(self) -> list[JobSpec]:
        if self.fixed is not None:
            return self.fixed
        with self.app.app_context():
            try:
                return scheduled_jobs(self.app)
            finally:
                db.session.remove()

    def sync(self, now: Optional[datetime] = None) -> int:
        """Make the job store hold the jobs the table asks for now. Returns how many. ``now``
        (a tick's clock) sets new calendar jobs' first run; otherwise APScheduler's clock."""
        scheduler = self._scheduler
        if scheduler is None:
            return 0
        wanted = self.wanted_jobs()
        sync_jobs(scheduler, wanted, now)
        return len(wanted)

    def _deactivate(self) -> None:
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        bind_runtime(None)

    def stop(self, release: bool = True) -> None:
        """Stop running jobs; hand the lease over at once unless ``release`` is False."""
        self._stop.set()
        was_active = self.active
        self._deactivate()
        if release and was_active:
            with self.app.app_context():
                release_lease(LEASE_NAME, self.holder)
                db.session.remove()

    def run(self, interval: Optional[float] = None) -> None:
        """Heartbeat until ``stop()``; renews well before the lease would expire."""
        interval = interval or max(1.0, self.ttl.total_seconds() / 3)
        log.info("scheduler %s started (heartbeat every %.0fs)", self.holder, interval)
        while not self._stop.is_set():
            self.heartbeat()
            self._stop.wait(interval)

    def tick(self) -> Optional[list[str]]:
        """Run every job that is due now once, in order, then release the lease. Returns the
        ids of the jobs run, or None when another instance holds the lease (it runs them)."""
        if self.active:
            raise RuntimeError("tick() is for an instance that is not running")
        with self.app.app_context():
            try:
                holds = acquire_lease(LEASE_NAME, self.holder, self.ttl, self.clock())
            finally:
                db.session.remove()
        if not holds:
            return None
        scheduler = self._build()
        bind_runtime(JobRuntime(self.app, self.holder, self.clock, self.sync))
        scheduler.start(paused=True)  # paused: it stores jobs but never runs one itself
        self._scheduler = scheduler
        try:
            self.sync(self.clock())
            # Sitreps first, so the e-mails they queue go out in the same tick.
            jobs = sorted(scheduler.get_jobs(), key=lambda j: j.id == "sitrep-deliveries")
            return [job.id for job in jobs if self._run_if_due(job)]
        finally:
            self.stop()

    def _run_if_due(self, job) -> bool:
        """Calendar jobs run when due (within the misfire grace); housekeeping jobs on an
        interval (sync, retries, e-mails) run at every tick."""
        now = self.clock()
        due = job.next_run_time
        if isinstance(job.trigger, IntervalTrigger):
            self._call(job)
            self._scheduler.modify_job(job.id, next_run_time=now + job.trigger.interval)
            return True
        if due is None or due > now:
            return False
        grace = job.misfire_grace_time
        late = (now - due).total_seconds()
        if grace is None or late <= grace:
            self._call(job)
        else:
            log.warning(
                "job %s missed its run by %.0f s (grace %s s); skipped", job.id, late, grace
            )
        # Coalesced, as the running scheduler does: the next run time after now, once.
        following = job.trigger.get_next_fire_time(due, now)
        while following is not None and following <= now:
            following = job.trigger.get_next_fire_time(following, now)
        if following is None:
            self._scheduler.remove_job(job.id)
        else:
            self._scheduler.modify_job(job.id, next_run_time=following)
        return grace is None or late <= grace

    @staticmethod
    def _call(job) -> None:
        log.info('Running job "%s" (tick)', job.name)
        try:
            job.func(*job.args, **job.kwargs)
        except Exception:  # noqa: BLE001 - one failing job must not stop the others
            log.exception("job %s failed", job.id)

    def wakeup(self) -> None:
        """Make the active APScheduler look at its jobs now (tests with a fake clock)."""
        if self._scheduler is not None:
            self._scheduler.wakeup()


_TRIGGERS = {"cron": CronTrigger, "interval": IntervalTrigger, "date": DateTrigger}


def build_trigger(spec: JobSpec, timezone):
    """The spec's trigger; a spec may name its own time zone (a schedule's)."""
    return _TRIGGERS[spec.trigger](**{"timezone": timezone, **spec.trigger_args})


def _same_trigger(stored, probe) -> bool:
    """Same fields and time zone (``str`` leaves the zone out; ``repr`` has an interval's
    start time, which differs on every build)."""
    zone = lambda trigger: str(getattr(trigger, "timezone", ""))  # noqa: E731
    return str(stored) == str(probe) and zone(stored) == zone(probe)


def sync_jobs(
    scheduler: BackgroundScheduler, specs: Iterable[JobSpec], now: Optional[datetime] = None
) -> None:
    """Make the job store hold exactly ``specs``. An unchanged job keeps its stored next run
    time, so a run missed while no scheduler was up still happens (once) after a restart."""
    wanted = {spec.id: spec for spec in specs}
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            log.info("removing job %s (no longer configured)", job.id)
            job.remove()
    for spec in wanted.values():
        existing = scheduler.get_job(spec.id)
        probe = build_trigger(spec, scheduler.timezone)
        if (
            existing is not None
            and _same_trigger(existing.trigger, probe)
            and existing.func_ref == spec.func
            and existing.kwargs == spec.kwargs
        ):
            continue
        # A calendar job's first run follows the instance's clock (a test's fake clock too).
        first = {}
        if now is not None and isinstance(probe, CronTrigger):
            first["next_run_time"] = probe.get_next_fire_time(None, now)
        scheduler.add_job(
            spec.func,
            trigger=probe,
            **first,
            id=spec.id,
            name=spec.name or spec.id,
            kwargs=spec.kwargs,
            replace_existing=True,
        )


def job_overview(app: Flask) -> list[dict]:
    """The jobs the table asks for, with their stored next run time (admin page, `scheduler
    status`). Needs an app context."""
    rows = db.session.execute(select(apscheduler_jobs.c.id, apscheduler_jobs.c.next_run_time))
    stored = {
        job_id: utc_timestamp_to_datetime(stamp) if stamp is not None else None
        for job_id, stamp in rows
    }
    return [
        {
            "id": spec.id,
            "name": spec.name,
            "schedule": ", ".join(f"{k}={v}" for k, v in spec.trigger_args.items()),
            "stored": spec.id in stored,
            "next_run_time": stored.get(spec.id),
        }
        for spec in scheduled_jobs(app)
    ]
