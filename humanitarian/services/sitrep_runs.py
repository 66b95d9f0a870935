"""Generation attempts: the retry sweep (interrupted attempts recovered, failed scheduled runs
retried with back-off, then e-mailed to the schedule's recipients) and the attempts list that
shows admins the scheduler's health."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Optional

from flask import current_app
from sqlalchemy import select, update

from ..extensions import db
from ..models import RunStatus, Sitrep, SitrepRun, SitrepSchedule, SitrepTrigger, utcnow
from ..models.enums import Scope, sensitivities_up_to
from . import sitrep_files
from .actors import Actor
from .deliveries import queue_deliveries
from .sitreps import SitrepFailed, _record_failure, generate_sitrep

log = logging.getLogger(__name__)


def recover_interrupted_sitreps(now: Optional[datetime] = None) -> int:
    """Attempts still 'running' after ``SITREP_STALE_MINUTES`` died with their process (a
    killed worker, a crashed scheduler): mark them failed, retried like any failure, and remove
    the files they left that no sitrep row refers to. Returns how many were recovered."""
    now = now or utcnow()
    cutoff = now - timedelta(minutes=current_app.config["SITREP_STALE_MINUTES"])
    running = SitrepRun.status == RunStatus.running
    stale = db.session.scalars(select(SitrepRun).where(running, SitrepRun.started_at < cutoff))
    recovered = 0
    for run in stale.all():
        live = select(SitrepRun.id).where(running, SitrepRun.started_at >= cutoff)
        if db.session.scalar(live.where(*_same_key(SitrepRun, run))) is not None:
            continue  # a live attempt may own this key's files; a later sweep recovers it
        # Claim it, so that two sweeps never both recover (and retry) the same attempt.
        claim = update(SitrepRun).where(SitrepRun.id == run.id, running)
        claimed = db.session.execute(claim.values(status=RunStatus.failed)).rowcount
        db.session.commit()
        if not claimed:
            continue
        _record_failure(run, "interrupted: the process stopped before the sitrep was stored", now)
        kept = db.session.scalars(select(Sitrep.file_path).where(*_same_key(Sitrep, run)))
        prefix = sitrep_files.key_prefix(
            run.admin_pcode, run.period_start, run.period_end, run.audience, run.language
        )
        removed = sitrep_files.remove_orphans(prefix, kept)
        if removed:
            log.warning("removed files of an interrupted sitrep attempt: %s", ", ".join(removed))
        recovered += 1
    return recovered


def _same_key(model, run: SitrepRun) -> tuple:
    return (
        model.admin_pcode == run.admin_pcode,
        model.period_start == run.period_start,
        model.period_end == run.period_end,
        model.audience == run.audience,
        model.language == run.language,
    )


def retry_failed_sitreps(now: Optional[datetime] = None, runner: str = "") -> int:
    """Recover interrupted attempts, then retry scheduled runs whose retry is due. Returns
    how many were attempted."""
    now = now or utcnow()
    recover_interrupted_sitreps(now)
    due = db.session.scalars(
        select(SitrepRun.id).where(
            SitrepRun.status == RunStatus.failed, SitrepRun.next_attempt_at <= now
        )
    ).all()
    attempted = 0
    for run_id in due:
        # Claim the retry (clear its due time) so no other runner takes it as well.
        claimed = db.session.execute(
            update(SitrepRun)
            .where(SitrepRun.id == run_id, SitrepRun.next_attempt_at.is_not(None))
            .values(next_attempt_at=None)
        ).rowcount
        db.session.commit()
        if not claimed:
            continue
        failed = db.session.get(SitrepRun, run_id)
        attempted += 1
        try:
            sitrep = generate_sitrep(
                Actor.system("scheduler"),
                failed.admin_pcode,
                failed.period_start,
                failed.period_end,
                failed.audience,
                language=failed.language,
                trigger=SitrepTrigger.retry,
                job_id=failed.job_id,
                schedule_id=failed.schedule_id,
                timezone=_schedule_timezone(failed.schedule_id),
                runner=runner,
                attempt=failed.attempt + 1,
            )
        except SitrepFailed:
            continue  # recorded, with the next retry if any remain
        if failed.schedule_id is not None:
            queue_deliveries(failed.schedule_id, sitrep)
    return attempted


def _schedule_timezone(schedule_id) -> Optional[str]:
    schedule = db.session.get(SitrepSchedule, schedule_id) if schedule_id else None
    return schedule.timezone if schedule is not None else None


def list_sitrep_runs(
    actor: Actor, *, status: Optional[RunStatus | str] = None, limit: int = 50
) -> list[SitrepRun]:
    """Generation attempts, newest first (admins: the scheduler's health). Attempts for an
    edition above the actor's grant are left out: they would show that it exists."""
    actor.require(Scope.admin)
    stmt = select(SitrepRun).order_by(SitrepRun.started_at.desc(), SitrepRun.id.desc())
    stmt = stmt.where(SitrepRun.audience.in_(sensitivities_up_to(actor.max_sensitivity)))
    if status:
        stmt = stmt.where(SitrepRun.status == RunStatus(status))
    return list(db.session.scalars(stmt.limit(limit)))
