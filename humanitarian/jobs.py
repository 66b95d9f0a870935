"""Every scheduled job, as data, and the functions they run.

``scheduled_jobs(config)`` is the single list the scheduler installs: a daily and a weekly
sitrep per configured area (``SITREP_AREAS``), the retry sweep for failed runs, and the
webhook outbox's delivery (every ``WEBHOOK_INTERVAL_SECONDS``) and the import jobs uploaded
through the API (every ``IMPORT_POLL_SECONDS``). Jobs are
stored in the database by reference (``module:function`` and plain keyword arguments), so
they survive restarts and a changed list here replaces the stored one on the next start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Optional
from zoneinfo import ZoneInfo

from .models import utcnow
from .models.enums import Sensitivity

log = logging.getLogger(__name__)

DAILY = "daily"
WEEKLY = "weekly"


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: str  # "module:function", so the job store never pickles code
    trigger: str  # an APScheduler trigger alias: "cron", "interval" or "date"
    trigger_args: dict[str, Any]
    kwargs: dict[str, Any] = field(default_factory=dict)
    name: str = ""


def configured_areas(config) -> list[str]:
    return [p.strip() for p in config["SITREP_AREAS"].split(",") if p.strip()]


def configured_audiences(config) -> list[Sensitivity]:
    return [Sensitivity(a.strip()) for a in config["SITREP_AUDIENCES"].split(",") if a.strip()]


def scheduled_jobs(config) -> list[JobSpec]:
    hour = int(config["SITREP_DAILY_HOUR"])
    jobs = []
    for pcode in configured_areas(config):
        jobs.append(
            JobSpec(
                id=f"sitrep-daily-{pcode}",
                func="humanitarian.jobs:run_sitrep_job",
                trigger="cron",
                trigger_args={"hour": hour, "minute": 0},
                kwargs={"admin_pcode": pcode, "cadence": DAILY, "job_id": f"sitrep-daily-{pcode}"},
                name=f"Daily sitrep {pcode} (previous day)",
            )
        )
        jobs.append(
            JobSpec(
                id=f"sitrep-weekly-{pcode}",
                func="humanitarian.jobs:run_sitrep_job",
                trigger="cron",
                trigger_args={
                    "day_of_week": config["SITREP_WEEKLY_DAY"],
                    "hour": hour,
                    "minute": 0,
                },
                kwargs={
                    "admin_pcode": pcode,
                    "cadence": WEEKLY,
                    "job_id": f"sitrep-weekly-{pcode}",
                },
                name=f"Weekly sitrep {pcode} (previous 7 days)",
            )
        )
    jobs.append(
        JobSpec(
            id="sitrep-retries",
            func="humanitarian.jobs:retry_sitreps_job",
            trigger="interval",
            trigger_args={"minutes": max(1, int(config["SITREP_RETRY_MINUTES"]) // 3)},
            name="Retry failed scheduled sitreps",
        )
    )
    jobs.append(
        JobSpec(
            id="webhooks-deliver",
            func="humanitarian.jobs:deliver_webhooks_job",
            trigger="interval",
            trigger_args={"seconds": max(1, int(config["WEBHOOK_INTERVAL_SECONDS"]))},
            name="Send due webhook messages",
        )
    )
    jobs.append(
        JobSpec(
            id="imports",
            func="humanitarian.jobs:run_imports_job",
            trigger="interval",
            trigger_args={"seconds": int(config["IMPORT_POLL_SECONDS"])},
            name="Run uploaded import jobs",
        )
    )
    return jobs


def period_for(cadence: str, today: date) -> tuple[date, date]:
    """Daily: yesterday. Weekly: the seven days ending yesterday. Always whole, past days."""
    end = today - timedelta(days=1)
    return (end, end) if cadence == DAILY else (end - timedelta(days=6), end)


@dataclass
class JobRuntime:
    """What running jobs need from the scheduler instance that holds the lease."""

    app: Any
    holder: str
    clock: Callable[[], datetime] = utcnow


_runtime: Optional[JobRuntime] = None


def bind_runtime(runtime: Optional[JobRuntime]) -> None:
    """Set by the active scheduler instance (only one holds the lease at a time)."""
    global _runtime
    _runtime = runtime


def _require_runtime() -> JobRuntime:
    if _runtime is None:
        raise RuntimeError(
            "no active scheduler instance: jobs run only under `flask scheduler run`"
        )
    return _runtime


def run_sitrep_job(admin_pcode: str, cadence: str, job_id: Optional[str] = None) -> list[str]:
    """Generate this cadence's sitrep for the area in every configured audience."""
    from .services import Actor, ServiceError, generate_sitrep
    from .services.sitreps import SitrepTrigger

    runtime = _require_runtime()
    with runtime.app.app_context():
        config = runtime.app.config
        today = runtime.clock().astimezone(ZoneInfo(config["TIMEZONE"])).date()
        start, end = period_for(cadence, today)
        done = []
        for audience in configured_audiences(config):
            try:
                sitrep = generate_sitrep(
                    Actor.system("scheduler"),
                    admin_pcode,
                    start,
                    end,
                    audience,
                    trigger=SitrepTrigger.schedule,
                    job_id=job_id or f"sitrep-{cadence}-{admin_pcode}",
                    runner=runtime.holder,
                )
                done.append(str(sitrep.id))
            except ServiceError as exc:
                # Recorded as a failed run (and retried) by the service; keep going.
                log.error(
                    "scheduled sitrep %s %s %s failed: %s", admin_pcode, cadence, audience, exc
                )
        return done


def retry_sitreps_job() -> int:
    from .services.sitreps import retry_failed_sitreps

    runtime = _require_runtime()
    with runtime.app.app_context():
        return retry_failed_sitreps(runtime.clock(), runner=runtime.holder)


def deliver_webhooks_job() -> int:
    """Send what the webhook outbox has due; returns how many messages were delivered."""
    from .kinds.feed import render_change
    from .services.webhooks import deliver_due

    runtime = _require_runtime()
    with runtime.app.app_context():
        return deliver_due(render_change, now=runtime.clock()).sent


def run_imports_job() -> int:
    """Run the import jobs uploaded through the API (one after another)."""
    from .kinds.imports import run_pending_imports

    runtime = _require_runtime()
    with runtime.app.app_context():
        return len(run_pending_imports())
