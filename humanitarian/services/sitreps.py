"""Situation reports: generate (idempotently), archive, list and download.

A sitrep is identified by (area, period, audience): asking again for the same key returns the
one already generated, and a unique constraint keeps two concurrent requests (two scheduler
instances, two clicks) from producing two. Failures are recorded as ``SitrepRun`` rows; the
scheduled ones are retried with back-off by ``retry_failed_sitreps``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Optional

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import RunStatus, Sitrep, SitrepRun, SitrepTrigger, utcnow
from ..models.enums import Channel, Scope, Sensitivity, sensitivities_up_to
from .actors import Actor
from .areas import in_subtree, require_area
from .audit import audit, record_event
from .common import decode_cursor, encode_cursor, parse_uuid
from .errors import BusinessRuleError, InvalidCursor, NotFound, ServiceError
from .filters import Page
from .reports import open_report

log = logging.getLogger(__name__)
MAX_PERIOD_DAYS = 366
_CHANNEL_TRIGGER = {
    Channel.web: SitrepTrigger.web,
    Channel.api: SitrepTrigger.api,
    Channel.system: SitrepTrigger.cli,
    Channel.import_: SitrepTrigger.cli,
}


class SitrepFailed(ServiceError):
    """Generation failed; the attempt is recorded (and retried when it was scheduled)."""

    status = 500
    title = "Sitrep generation failed"


class ArchiveError(ServiceError):
    """The archived PDF is missing or no longer matches its checksum."""

    status = 500
    title = "Sitrep archive error"


@dataclass(frozen=True)
class SitrepKey:
    admin_pcode: str
    period_start: date
    period_end: date
    audience: Sensitivity


def _check_request(actor: Actor, key: SitrepKey) -> None:
    # Publishing a sitrep vouches for its content: verifiers and admins (scope ``verify``).
    actor.require(Scope.verify)
    actor.require_grant(key.audience)
    errors: dict[str, list[str]] = {}
    if key.period_end < key.period_start:
        errors["period_end"] = ["Must not be before period_start."]
    elif (key.period_end - key.period_start).days + 1 > MAX_PERIOD_DAYS:
        errors["period_end"] = [f"A sitrep covers at most {MAX_PERIOD_DAYS} days."]
    if key.period_end >= utcnow().date() + timedelta(days=1):
        # A sitrep is frozen once generated, so a period that has not ended would stay incomplete.
        errors.setdefault("period_end", []).append("The period has not ended yet.")
    if errors:
        raise BusinessRuleError("the sitrep request breaks a rule", errors=errors)
    require_area(key.admin_pcode)


def find_sitrep(key: SitrepKey) -> Optional[Sitrep]:
    return db.session.scalars(
        select(Sitrep).where(
            Sitrep.admin_pcode == key.admin_pcode,
            Sitrep.period_start == key.period_start,
            Sitrep.period_end == key.period_end,
            Sitrep.audience == key.audience,
        )
    ).first()


def generate_sitrep(
    actor: Actor,
    admin_pcode: str,
    period_start: date,
    period_end: date,
    audience: Sensitivity | str = Sensitivity.public,
    *,
    trigger: Optional[SitrepTrigger] = None,
    job_id: Optional[str] = None,
    runner: str = "",
    attempt: int = 1,
) -> Sitrep:
    """Generate, archive and return the sitrep for the key, or return the existing one."""
    key = SitrepKey(admin_pcode, period_start, period_end, Sensitivity(audience))
    _check_request(actor, key)
    existing = find_sitrep(key)
    if existing is not None:
        return existing
    trigger = trigger or _CHANNEL_TRIGGER[actor.channel]
    run = SitrepRun(
        job_id=job_id,
        trigger=trigger,
        admin_pcode=key.admin_pcode,
        period_start=key.period_start,
        period_end=key.period_end,
        audience=key.audience,
        attempt=attempt,
        status=RunStatus.running,
        runner=runner or actor.label,
        started_at=utcnow(),
    )
    try:
        return _generate(actor, key, run)
    except IntegrityError:
        # Another process committed the same key first: theirs is the one.
        db.session.rollback()
        winner = find_sitrep(key)
        if winner is None:
            raise
        return winner
    except Exception as exc:
        db.session.rollback()
        _record_failure(run, exc)
        raise SitrepFailed(f"could not generate the sitrep: {exc}") from exc


def _generate(actor: Actor, key: SitrepKey, run: SitrepRun) -> Sitrep:
    from ..reports.content import build_content
    from ..reports.render import render_pdf

    generated_at = utcnow()
    content = build_content(
        key.admin_pcode, key.period_start, key.period_end, key.audience, generated_at
    )
    rendered = render_pdf(content)
    sitrep_id = uuid.uuid4()
    relative = _relative_path(key, sitrep_id)
    absolute = _write_atomically(relative, rendered.pdf)
    try:
        with open_report(actor) as report:
            sitrep = Sitrep(
                id=sitrep_id,
                admin_pcode=key.admin_pcode,
                period_start=key.period_start,
                period_end=key.period_end,
                audience=key.audience,
                title=rendered.title,
                file_path=relative,
                checksum_sha256=hashlib.sha256(rendered.pdf).hexdigest(),
                size_bytes=len(rendered.pdf),
                page_count=rendered.page_count,
                trigger=run.trigger,
                generated_at=generated_at,
                generated_by_user_id=actor.user_id,
                generated_by_token_id=actor.token_id,
                generated_by=actor.label,
            )
            db.session.add(sitrep)
            db.session.flush()
            run.status, run.finished_at, run.sitrep_id = RunStatus.succeeded, utcnow(), sitrep.id
            db.session.add(run)
            audit(
                actor,
                "sitrep.generate",
                "sitrep",
                sitrep.id,
                report=report,
                details={
                    "admin_pcode": key.admin_pcode,
                    "period": [key.period_start.isoformat(), key.period_end.isoformat()],
                    "audience": str(key.audience),
                    "trigger": str(run.trigger),
                },
            )
    except BaseException:
        absolute.unlink(missing_ok=True)
        raise
    log.info("generated sitrep %s (%s, %s)", sitrep.id, key.admin_pcode, rendered.title)
    return sitrep


def _record_failure(run: SitrepRun, exc: Exception) -> None:
    """Keep the failed attempt, with when to retry it if it was a scheduled run."""
    config = current_app.config
    run.status, run.finished_at, run.sitrep_id = RunStatus.failed, utcnow(), None
    run.error = f"{type(exc).__name__}: {exc}"[:4000]
    scheduled = run.trigger in (SitrepTrigger.schedule, SitrepTrigger.retry)
    if scheduled and run.attempt < config["SITREP_MAX_ATTEMPTS"]:
        backoff = config["SITREP_RETRY_MINUTES"] * 2 ** (run.attempt - 1)
        run.next_attempt_at = run.finished_at + timedelta(minutes=backoff)
    db.session.add(run)
    db.session.commit()
    log.warning("sitrep generation failed (attempt %s): %s", run.attempt, run.error)


def retry_failed_sitreps(now: Optional[datetime] = None, runner: str = "") -> int:
    """Retry scheduled runs whose retry is due. Returns how many were attempted."""
    now = now or utcnow()
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
            generate_sitrep(
                Actor.system("scheduler"),
                failed.admin_pcode,
                failed.period_start,
                failed.period_end,
                failed.audience,
                trigger=SitrepTrigger.retry,
                job_id=failed.job_id,
                runner=runner,
                attempt=failed.attempt + 1,
            )
        except SitrepFailed:
            pass  # recorded, with the next retry if any remain
    return attempted


def _relative_path(key: SitrepKey, sitrep_id: uuid.UUID) -> str:
    name = f"{key.admin_pcode}_{key.period_start}_{key.period_end}_{key.audience}_{sitrep_id.hex[:8]}.pdf"
    return f"{key.admin_pcode}/{name}"


def _archive_root() -> Path:
    return Path(current_app.config["SITREP_DIR"])


def _write_atomically(relative: str, data: bytes) -> Path:
    """Write to a temporary name and rename, so a reader never sees half a PDF."""
    target = _archive_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".part")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)
    return target


def _visible(stmt, actor: Actor):
    return stmt.where(Sitrep.audience.in_(sensitivities_up_to(actor.max_sensitivity)))


def list_sitreps(
    actor: Actor,
    *,
    admin_pcode: Optional[str] = None,
    audience: Optional[Sensitivity | str] = None,
    since: Optional[date] = None,
    until: Optional[date] = None,
    limit: int = 50,
    cursor: Optional[str] = None,
) -> Page:
    """Newest first (keyset on generated_at, id); only audiences within the actor's grant."""
    actor.require(Scope.read)
    stmt = _visible(select(Sitrep), actor)
    if admin_pcode:
        stmt = stmt.where(in_subtree(Sitrep.admin_pcode, admin_pcode))
    if audience:
        stmt = stmt.where(Sitrep.audience == Sensitivity(audience))
    if since:
        stmt = stmt.where(Sitrep.period_end >= since)
    if until:
        stmt = stmt.where(Sitrep.period_start <= until)
    if cursor:
        stamp, ident = decode_cursor(cursor, 2)
        try:
            key_at, key_id = datetime.fromisoformat(stamp), uuid.UUID(ident)
        except ValueError as exc:
            raise InvalidCursor("the cursor is not one this server issued") from exc
        stmt = stmt.where(
            or_(
                Sitrep.generated_at < key_at,
                and_(Sitrep.generated_at == key_at, Sitrep.id < key_id),
            )
        )
    stmt = stmt.order_by(Sitrep.generated_at.desc(), Sitrep.id.desc()).limit(limit + 1)
    rows = list(db.session.scalars(stmt))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].generated_at.isoformat(), rows[-1].id])
    return Page(rows, next_cursor)


def get_sitrep(actor: Actor, sitrep_id) -> Sitrep:
    """One sitrep's metadata; 404 when its audience is above the actor's grant."""
    actor.require(Scope.read)
    uid = parse_uuid(sitrep_id)
    sitrep = db.session.get(Sitrep, uid) if uid else None
    if sitrep is None or not actor.can_see(sitrep.audience):
        raise NotFound("no such sitrep")
    return sitrep


def sitrep_pdf_path(actor: Actor, sitrep_id) -> Path:
    """The archived PDF, checked against its checksum; the download is audited as an export."""
    sitrep = get_sitrep(actor, sitrep_id)
    path = _archive_root() / sitrep.file_path
    if not path.is_file():
        raise ArchiveError(f"the PDF of sitrep {sitrep.id} is missing from the archive")
    if hashlib.sha256(path.read_bytes()).hexdigest() != sitrep.checksum_sha256:
        raise ArchiveError(f"the PDF of sitrep {sitrep.id} does not match its checksum")
    record_event(
        actor, "sitrep.download", "sitrep", sitrep.id, details={"audience": str(sitrep.audience)}
    )
    return path


def list_sitrep_runs(
    actor: Actor, *, status: Optional[RunStatus | str] = None, limit: int = 50
) -> list[SitrepRun]:
    """Generation attempts, newest first (admins: the scheduler's health)."""
    actor.require(Scope.admin)
    stmt = select(SitrepRun).order_by(SitrepRun.started_at.desc(), SitrepRun.id.desc())
    if status:
        stmt = stmt.where(SitrepRun.status == RunStatus(status))
    return list(db.session.scalars(stmt.limit(limit)))
