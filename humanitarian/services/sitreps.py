"""Situation reports: generate (idempotently), archive, list and download.

A sitrep is identified by (area, period, audience, language): asking again for the same key returns the
one already generated, and a unique constraint keeps two concurrent requests (two scheduler
instances, two clicks) from producing two. Failures are recorded as ``SitrepRun`` rows; the
scheduled ones are retried with back-off by ``sitrep_runs.retry_failed_sitreps``.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Optional
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import (
    Language,
    RunStatus,
    Sitrep,
    SitrepRun,
    SitrepTrigger,
    utcnow,
)
from ..models.enums import Channel, Scope, Sensitivity, sensitivities_up_to
from . import sitrep_files
from .actors import Actor
from .areas import require_area
from .audit import audit, record_event
from .common import decode_cursor, encode_cursor, parse_uuid
from .errors import BusinessRuleError, Conflict, Gone, InvalidCursor, NotFound, ServiceError
from .filters import Page
from .reports import Replay, check_replay, open_report
from .sitrep_content import build_content, reader_for, render
from .sitrep_files import ArchiveError  # noqa: F401 - part of this module's interface
from .sitrep_records import keep_shown_records
from .visibility import area_filter, reader_pcode

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


@dataclass(frozen=True)
class SitrepKey:
    admin_pcode: str
    period_start: date
    period_end: date
    audience: Sensitivity
    language: Language = Language.en


def _check_request(actor: Actor, key: SitrepKey, timezone: Optional[str] = None) -> None:
    # Publishing a sitrep vouches for its content: verifiers and admins (scope ``verify``).
    actor.require(Scope.verify)
    actor.require_grant(key.audience)
    errors: dict[str, list[str]] = {}
    if key.period_end < key.period_start:
        errors["period_end"] = ["Must not be before period_start."]
    elif (key.period_end - key.period_start).days + 1 > MAX_PERIOD_DAYS:
        errors["period_end"] = [f"A sitrep covers at most {MAX_PERIOD_DAYS} days."]
    if key.period_end >= _today(timezone):
        # A sitrep is frozen once generated, so a period that has not ended would stay incomplete.
        errors.setdefault("period_end", []).append("The period has not ended yet.")
    if errors:
        raise BusinessRuleError("the sitrep request breaks a rule", errors=errors)
    require_area(key.admin_pcode)


def _today(timezone: Optional[str] = None) -> date:
    """Today where the period's days begin and end (a schedule's time zone, else
    ``TIMEZONE``): a period has ended once its last day has, there."""
    zone = ZoneInfo(timezone or current_app.config["TIMEZONE"])
    return utcnow().astimezone(zone).date()


def find_sitrep(key: SitrepKey) -> Optional[Sitrep]:
    """The standing edition for the key (a withdrawn one is not asked for again)."""
    return db.session.scalars(
        select(Sitrep).where(
            Sitrep.withdrawn_at.is_(None),
            Sitrep.admin_pcode == key.admin_pcode,
            Sitrep.period_start == key.period_start,
            Sitrep.period_end == key.period_end,
            Sitrep.audience == key.audience,
            Sitrep.language == key.language,
        )
    ).first()


def generate_sitrep(
    actor: Actor,
    admin_pcode: str,
    period_start: date,
    period_end: date,
    audience: Sensitivity | str = Sensitivity.public,
    *,
    language: Language | str = Language.en,
    trigger: Optional[SitrepTrigger] = None,
    schedule_id=None,
    timezone: Optional[str] = None,
    job_id: Optional[str] = None,
    runner: str = "",
    attempt: int = 1,
    idempotency_key: Optional[str] = None,
    fingerprint: Optional[str] = None,
) -> Sitrep:
    """Generate, archive and return the sitrep for the key, or return the existing one.

    ``idempotency_key`` (API requests) is stored on the report of a generation: a repeat with
    the same key raises ``Replay`` (same request) or ``Conflict`` (another request).
    ``timezone`` is where the period's days end (a schedule's zone; default ``TIMEZONE``)."""
    key = SitrepKey(
        admin_pcode, period_start, period_end, Sensitivity(audience), Language(language)
    )
    _check_request(actor, key, timezone)
    # An edition covers no finer an area than its readers see (public: a district at least).
    key = replace(key, admin_pcode=reader_pcode(reader_for(key.audience), key.admin_pcode))
    check_replay(actor, idempotency_key, fingerprint)
    existing = find_sitrep(key)
    if existing is not None:
        return existing
    trigger = trigger or _CHANNEL_TRIGGER[actor.channel]
    # The attempt is committed before any work starts, so a process that dies halfway still
    # leaves a 'running' row for the retry sweep to find (``recover_interrupted_sitreps``).
    run = SitrepRun(
        job_id=job_id,
        trigger=trigger,
        admin_pcode=key.admin_pcode,
        period_start=key.period_start,
        period_end=key.period_end,
        audience=key.audience,
        language=key.language,
        schedule_id=schedule_id,
        attempt=attempt,
        status=RunStatus.running,
        runner=runner or actor.label,
        started_at=utcnow(),
    )
    db.session.add(run)
    db.session.commit()
    try:
        return _generate(actor, key, run, idempotency_key, fingerprint)
    except (Replay, Conflict):
        raise  # a concurrent request with the same Idempotency-Key committed first
    except IntegrityError:
        # Another process committed the same key first: theirs is the one.
        db.session.rollback()
        winner = find_sitrep(key)
        if winner is None:
            raise
        run.status, run.finished_at, run.sitrep_id = RunStatus.succeeded, utcnow(), winner.id
        db.session.commit()
        return winner
    except Exception as exc:
        db.session.rollback()
        _record_failure(run, f"{type(exc).__name__}: {exc}", utcnow())
        raise SitrepFailed(f"could not generate the sitrep: {_describe(exc)}") from exc


def _describe(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return "the sitrep archive is out of disk space (No space left on device)"
    return str(exc)


def _generate(
    actor: Actor,
    key: SitrepKey,
    run: SitrepRun,
    idempotency_key: Optional[str] = None,
    fingerprint: Optional[str] = None,
) -> Sitrep:
    generated_at = utcnow()
    content = build_content(
        key.admin_pcode, key.period_start, key.period_end, key.audience, generated_at, key.language
    )
    rendered = render(content)
    sitrep_id = uuid.uuid4()
    relative = _relative_path(key, sitrep_id)
    temporary, target = sitrep_files.write_temporary(relative, rendered.pdf)
    try:
        with open_report(actor, idempotency_key=idempotency_key, fingerprint=fingerprint) as report:
            sitrep = Sitrep(
                id=sitrep_id,
                admin_pcode=key.admin_pcode,
                period_start=key.period_start,
                period_end=key.period_end,
                audience=key.audience,
                language=key.language,
                title=rendered.title,
                highlights="\n".join(rendered.highlights),
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
            keep_shown_records(sitrep, content)
            run.status, run.finished_at, run.sitrep_id = RunStatus.succeeded, utcnow(), sitrep.id
            db.session.add(run)
            # What a retry with the same Idempotency-Key gets back (the sitrep never changes).
            report.response_status, report.response_body = 201, {"id": str(sitrep.id)}
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
                    "language": str(key.language),
                    "trigger": str(run.trigger),
                },
                sensitivity=key.audience,
            )
            db.session.flush()
            # Last step before the commit: a row is never committed without its file.
            sitrep_files.publish(temporary, target)
    except BaseException:
        sitrep_files.discard(temporary, target)
        raise
    log.info("generated sitrep %s (%s, %s)", sitrep.id, key.admin_pcode, rendered.title)
    return sitrep


def _record_failure(run: SitrepRun, error: str, now: datetime) -> None:
    """Keep the failed attempt, with when to retry it if it was a scheduled run."""
    config = current_app.config
    run.status, run.finished_at, run.sitrep_id = RunStatus.failed, now, None
    run.error = error[:4000]
    scheduled = run.trigger in (SitrepTrigger.schedule, SitrepTrigger.retry)
    if scheduled and run.attempt < config["SITREP_MAX_ATTEMPTS"]:
        backoff = config["SITREP_RETRY_MINUTES"] * 2 ** (run.attempt - 1)
        run.next_attempt_at = now + timedelta(minutes=backoff)
    db.session.add(run)
    db.session.commit()
    log.warning("sitrep generation failed (attempt %s): %s", run.attempt, run.error)


def _relative_path(key: SitrepKey, sitrep_id: uuid.UUID) -> str:
    prefix = sitrep_files.key_prefix(
        key.admin_pcode, key.period_start, key.period_end, key.audience, key.language
    )
    return f"{prefix}{sitrep_id.hex[:8]}.pdf"


def _visible(stmt, actor: Actor):
    return stmt.where(Sitrep.audience.in_(sensitivities_up_to(actor.max_sensitivity)))


def list_sitreps(
    actor: Actor,
    *,
    admin_pcode: Optional[str] = None,
    audience: Optional[Sensitivity | str] = None,
    language: Optional[Language | str] = None,
    since: Optional[date] = None,
    until: Optional[date] = None,
    limit: int = 50,
    cursor: Optional[str] = None,
) -> Page:
    """Newest first (keyset on generated_at, id); only audiences within the actor's grant."""
    actor.require(Scope.read)
    stmt = _visible(select(Sitrep), actor)
    if admin_pcode:
        stmt = stmt.where(area_filter(actor, Sitrep.admin_pcode, admin_pcode))
    if audience:
        stmt = stmt.where(Sitrep.audience == Sensitivity(audience))
    if language:
        stmt = stmt.where(Sitrep.language == Language(language))
    if since:
        stmt = stmt.where(Sitrep.period_end >= since)
    if until:
        stmt = stmt.where(Sitrep.period_start <= until)
    if cursor:
        stamp, ident = decode_cursor(cursor, 2)
        try:
            key_at, key_id = datetime.fromisoformat(stamp), uuid.UUID(ident)
        except ValueError as exc:
            raise InvalidCursor() from exc
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
    return sitrep_within_grant(actor, sitrep_id)


def sitrep_within_grant(actor: Actor, sitrep_id) -> Sitrep:
    """The sitrep, whatever the scope asked for; 404 when its audience is above the grant."""
    uid = parse_uuid(sitrep_id)
    sitrep = db.session.get(Sitrep, uid) if uid else None
    if sitrep is None or not actor.can_see(sitrep.audience):
        raise NotFound("no such sitrep")
    return sitrep


def sitrep_pdf_path(actor: Actor, sitrep_id) -> Path:
    """The archived PDF, checked against its checksum; the download is audited as an export."""
    sitrep = get_sitrep(actor, sitrep_id)
    if sitrep.withdrawn_at is not None:
        raise Gone(f"this sitrep was withdrawn: {sitrep.withdrawal_reason}")
    path = sitrep_files.checked_pdf(sitrep)
    record_event(
        actor,
        "sitrep.download",
        "sitrep",
        sitrep.id,
        details={"audience": str(sitrep.audience)},
        sensitivity=sitrep.audience,
    )
    return path
