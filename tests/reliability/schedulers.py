"""Real scheduler processes for the tests: ``flask --app app scheduler run`` on the test
database, and what can be seen of them from outside (the lease row, the job store, the
generation attempts, each process's log).

What a scheduler runs is described by a ``Schedule``: rows of ``sitrep_schedules``, stored by
``Schedule.store`` before (or while) the processes run.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import (
    Cadence,
    SchedulerLease,
    SitrepRun,
    SitrepSchedule,
    apscheduler_jobs,
)
from humanitarian.services import (
    Actor,
    ScheduleInput,
    create_schedule,
    list_schedules,
    stop_schedule,
)
from tests.support import committed, wait_until

ROOT = Path(__file__).resolve().parents[2]
HOLDER_LINE = re.compile(r"scheduler (\S+): \d+ jobs configured")


@dataclass(frozen=True)
class Schedule:
    """The scheduled sitreps: a daily and a weekly one per area, at ``hour`` (UTC), stored as
    rows of ``sitrep_schedules`` (``store``); the process settings come from ``env``."""

    areas: tuple[str, ...]
    hour: int
    lease_seconds: int = 60
    settings: dict[str, str] = field(default_factory=dict)  # any other HUMANITARIAN_* values

    def env(self) -> dict[str, str]:
        return {
            "HUMANITARIAN_TIMEZONE": "UTC",
            "HUMANITARIAN_SCHEDULER_LEASE_SECONDS": str(self.lease_seconds),
            **self.settings,
        }

    def store(self) -> None:
        """Make the table hold exactly these areas' schedules: add the missing ones, stop the
        others (needs an app context)."""
        system = Actor.system("test")
        for schedule in list_schedules(system, active=True):
            if schedule.admin_pcode not in self.areas:
                stop_schedule(system, schedule.id)
        for area in self.areas:
            for cadence in CADENCES:
                if _find(area, cadence) is None:
                    create_schedule(
                        system,
                        ScheduleInput(
                            admin_pcode=area,
                            cadence=Cadence(cadence),
                            weekday="mon" if cadence == "weekly" else None,
                            run_time=time(self.hour, 0),
                            timezone="UTC",
                            name=f"{cadence.title()} sitrep {area}",
                        ),
                    )
        db.session.remove()

    def job_id(self, cadence: str, area: str) -> str:
        return f"sitrep-schedule-{_find(area, cadence).id}"

    def job_ids(self) -> set[str]:
        scheduled = {self.job_id(cadence, a) for a in self.areas for cadence in CADENCES}
        fixed = {"sitrep-schedules-sync", "sitrep-deliveries", "sitrep-retries"}
        return scheduled | fixed | {"webhooks-deliver", "imports"}


CADENCES = ("daily", "weekly")


def _find(area: str, cadence: str) -> SitrepSchedule | None:
    rows = committed(
        select(SitrepSchedule).where(
            SitrepSchedule.admin_pcode == area,
            SitrepSchedule.cadence == cadence,
            SitrepSchedule.active.is_(True),
        )
    )
    return rows[0] if rows else None


@dataclass
class SchedulerProcess:
    process: subprocess.Popen
    log: Path

    @property
    def holder(self) -> str:
        """The lease holder name the process announced when it started."""
        found = wait_until(
            lambda: HOLDER_LINE.search(self.log_text()), 60, f"{self.log.name} to start"
        )
        return found.group(1)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def count(self, text: str) -> int:
        return self.log_text().count(text)

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        """Make sure the process is gone (test teardown)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


def _flask() -> list[str]:
    script = Path(sys.executable).with_name("flask")
    return [str(script)] if script.exists() else [sys.executable, "-m", "flask"]


def start_scheduler(
    database_url: str, sitrep_dir: Path, log: Path, schedule: Schedule, *args: str
) -> SchedulerProcess:
    """Start ``flask --app app scheduler run [args]`` with this schedule (stored first)."""
    schedule.store()
    env = os.environ | {
        "HUMANITARIAN_DATABASE_URL": database_url,
        "HUMANITARIAN_SITREP_DIR": str(sitrep_dir),
        "HUMANITARIAN_SCHEDULER_ENABLED": "false",
        "PYTHONUNBUFFERED": "1",
        **schedule.env(),
    }
    command = [*_flask(), "--app", "app", "scheduler", "run", *args]
    handle = log.open("wb")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    return SchedulerProcess(process, log)


def terminate(scheduler: SchedulerProcess, timeout: float = 60) -> None:
    """A clean stop (SIGTERM) that must end the process with status 0."""
    scheduler.signal(signal.SIGTERM)
    status = scheduler.wait(timeout)
    assert status == 0, f"exit status {status}:\n{scheduler.log_text()}"


# --- what can be seen from outside -----------------------------------------------------------


def lease() -> SchedulerLease | None:
    rows = committed(select(SchedulerLease))
    return rows[0] if rows else None


def lease_holder() -> str | None:
    held = lease()
    return held.holder if held is not None else None


def stored_jobs() -> set[str]:
    return set(committed(select(apscheduler_jobs.c.id)))


def runs(job_id: str) -> list[SitrepRun]:
    return committed(select(SitrepRun).where(SitrepRun.job_id == job_id).order_by(SitrepRun.id))


def set_next_run(database_url: str, job_id: str, when: datetime) -> None:
    """Change a stored job's next run time, as if the schedulers had been down since. Done on
    APScheduler's job store alone: a scheduler, even paused, would run what is due on its way
    out."""
    store = SQLAlchemyJobStore(url=database_url, tablename="apscheduler_jobs")
    store.start(BackgroundScheduler(timezone="UTC"), "default")  # never started itself
    try:
        job = store.lookup_job(job_id)
        assert job is not None, f"no stored job {job_id}"
        job.next_run_time = when
        store.update_job(job)
    finally:
        store.shutdown()
