"""Every scheduled job, as data, and the functions they run.

``scheduled_jobs(app)`` is the single list the scheduler installs: one job per active sitrep
schedule (rows of ``sitrep_schedules``, see ``services/schedules.py``), plus the fixed jobs:
the sync that reconciles the jobs with the table, the delivery of queued e-mails, the retry
sweep for failed runs, the webhook outbox's delivery (every ``WEBHOOK_INTERVAL_SECONDS``) and
the import jobs uploaded through the API (every ``IMPORT_POLL_SECONDS``). Jobs are stored in
the database by reference (``module:function`` and plain keyword arguments), so they survive
restarts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Optional
from zoneinfo import ZoneInfo

from .models import utcnow

log = logging.getLogger(__name__)
SCHEDULE_JOB_PREFIX = "sitrep-schedule-"


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: str  # "module:function", so the job store never pickles code
    trigger: str  # an APScheduler trigger alias: "cron", "interval" or "date"
    trigger_args: dict[str, Any]
    kwargs: dict[str, Any] = field(default_factory=dict)
    name: str = ""


def fixed_jobs(config) -> list[JobSpec]:
    return [
        JobSpec(
            id="sitrep-schedules-sync",
            func="humanitarian.jobs:sync_schedules_job",
            trigger="interval",
            trigger_args={"seconds": max(1, int(config["SCHEDULER_SYNC_SECONDS"]))},
            name="Follow the sitrep schedules table",
        ),
        JobSpec(
            id="sitrep-deliveries",
            func="humanitarian.jobs:send_deliveries_job",
            trigger="interval",
            trigger_args={"minutes": 1},
            name="Send queued sitrep e-mails",
        ),
        JobSpec(
            id="sitrep-retries",
            func="humanitarian.jobs:retry_sitreps_job",
            trigger="interval",
            trigger_args={"minutes": max(1, int(config["SITREP_RETRY_MINUTES"]) // 3)},
            name="Retry failed scheduled sitreps",
        ),
        JobSpec(
            id="webhooks-deliver",
            func="humanitarian.jobs:deliver_webhooks_job",
            trigger="interval",
            trigger_args={"seconds": max(1, int(config["WEBHOOK_INTERVAL_SECONDS"]))},
            name="Send due webhook messages",
        ),
        JobSpec(
            id="imports",
            func="humanitarian.jobs:run_imports_job",
            trigger="interval",
            trigger_args={"seconds": max(1, int(config["IMPORT_POLL_SECONDS"]))},
            name="Run uploaded import jobs",
        ),
    ]


def schedule_jobs() -> list[JobSpec]:
    """One cron job per active schedule, in the schedule's own time zone."""
    from .services.schedules import active_schedules, cron_fields, schedule_label

    jobs = []
    for schedule in active_schedules():
        job_id = f"{SCHEDULE_JOB_PREFIX}{schedule.id}"
        jobs.append(
            JobSpec(
                id=job_id,
                func="humanitarian.jobs:run_schedule_job",
                trigger="cron",
                trigger_args=cron_fields(schedule),
                kwargs={"schedule_id": str(schedule.id)},
                name=schedule_label(schedule),
            )
        )
    return jobs


def scheduled_jobs(app) -> list[JobSpec]:
    """Everything the active scheduler should hold now (needs an app context)."""
    return [*schedule_jobs(), *fixed_jobs(app.config)]


@dataclass
class JobRuntime:
    """What running jobs need from the scheduler instance that holds the lease."""

    app: Any
    holder: str
    clock: Callable[[], datetime] = utcnow
    sync: Optional[Callable[[], None]] = None  # reconciles the jobs with the table


_runtime: Optional[JobRuntime] = None


def bind_runtime(runtime: Optional[JobRuntime]) -> None:
    """Set by the active scheduler instance (only one holds the lease at a time)."""
    global _runtime
    _runtime = runtime


def _require_runtime() -> JobRuntime:
    if _runtime is None:
        raise RuntimeError(
            "no active scheduler instance: jobs run only under `flask scheduler run` or `tick`"
        )
    return _runtime


def run_schedule_job(schedule_id: str) -> Optional[str]:
    """Generate the schedule's sitrep for the period that just ended and queue its e-mails."""
    from .services import Actor, ServiceError, generate_sitrep
    from .services.deliveries import queue_deliveries
    from .services.schedules import get_schedule, mark_schedule_ran, period_for
    from .services.sitreps import SitrepTrigger

    runtime = _require_runtime()
    actor = Actor.system("scheduler")
    with runtime.app.app_context():
        try:
            schedule = get_schedule(actor, schedule_id)
        except ServiceError:
            log.warning("schedule %s is gone; its job is removed at the next sync", schedule_id)
            return None
        if not schedule.active:
            return None
        now = runtime.clock()
        today = now.astimezone(ZoneInfo(schedule.timezone)).date()
        start, end = period_for(schedule.cadence, today)
        try:
            sitrep = generate_sitrep(
                actor,
                schedule.admin_pcode,
                start,
                end,
                schedule.audience,
                language=schedule.language,
                trigger=SitrepTrigger.schedule,
                job_id=f"{SCHEDULE_JOB_PREFIX}{schedule.id}",
                schedule_id=schedule.id,
                timezone=schedule.timezone,
                runner=runtime.holder,
            )
        except ServiceError as exc:
            # Recorded as a failed run (and retried, then delivered) by the service.
            log.error("scheduled sitrep %s failed: %s", schedule_id, exc)
            return None
        finally:
            mark_schedule_ran(schedule.id, now)
        queue_deliveries(schedule.id, sitrep, now)
        return str(sitrep.id)


def sync_schedules_job() -> None:
    runtime = _require_runtime()
    if runtime.sync is not None:
        runtime.sync()


def send_deliveries_job() -> int:
    from .services.deliveries import send_due_deliveries

    runtime = _require_runtime()
    with runtime.app.app_context():
        return send_due_deliveries(runtime.clock())


def retry_sitreps_job() -> int:
    from .services.sitrep_runs import retry_failed_sitreps

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
