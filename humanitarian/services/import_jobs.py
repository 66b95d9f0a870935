"""Import jobs: an upload stored with its job row by the request that received it, run once by
whichever process claims it first (the scheduler process, or ``flask imports run``), with its
progress, counts and row errors readable while it runs.

Claiming is one conditional UPDATE (``pending`` -> ``running``), so with N app processes and
one scheduler a job runs exactly once. The uploaded bytes are dropped when the job ends.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from typing import Optional

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import ApiToken, ImportFormat, ImportJob, ImportState, User, utcnow
from ..models.enums import Channel, Scope, Sensitivity
from .actors import Actor
from .audit import audit
from .common import parse_uuid
from .errors import BusinessRuleError, Conflict, NotFound
from .imports import ImportResult

KINDS = ("incidents", "movements")


class ImportReplay(Exception):
    """A retried upload (same Idempotency-Key, same file): carries the job it made."""

    def __init__(self, job: ImportJob) -> None:
        super().__init__("idempotent replay")
        self.job = job


# A job still "running" this long after it started was cut off (process killed, host lost):
# it is failed, and its transaction never committed, so nothing of it was written.
STALE_AFTER = timedelta(hours=2)


def submit_import(
    actor: Actor,
    content: bytes,
    *,
    fmt: ImportFormat,
    kind: str,
    filename: str = "",
    sensitivity: Sensitivity = Sensitivity.public,
    idempotency_key: Optional[str] = None,
) -> ImportJob:
    """Store an upload as a pending job; the scheduler process runs it. With an
    ``idempotency_key`` already used by this caller for the same upload, that job is returned
    (``ImportReplay``); for another upload, ``Conflict``."""
    actor.require(Scope.append)
    actor.require_grant(sensitivity)
    digest = hashlib.sha256(content + f"|{fmt}|{kind}|{sensitivity}".encode()).hexdigest()
    if idempotency_key:
        _check_replay(actor, idempotency_key, digest)
    if fmt == ImportFormat.acled and kind != "incidents":
        raise BusinessRuleError(
            "ACLED files hold incidents", errors={"kind": ["ACLED exports hold incidents."]}
        )
    if kind not in KINDS:
        raise BusinessRuleError(
            "unknown kind", errors={"kind": [f"Use one of {', '.join(KINDS)}."]}
        )
    job = ImportJob(
        id=uuid.uuid4(),
        format=fmt,
        kind=kind,
        filename=filename[:300],
        sensitivity=sensitivity,
        state=ImportState.pending,
        content=content,
        size_bytes=len(content),
        processed_rows=0,
        errors=[],
        user_id=actor.user_id,
        api_token_id=actor.token_id,
        organization_id=actor.organization_id,
        idempotency_key=idempotency_key or None,
        content_sha256=digest,
        created_at=utcnow(),
    )
    for name in ("created", "updated", "unchanged", "retracted", "refused"):
        setattr(job, name, 0)
    db.session.add(job)
    audit(actor, "import.submit", "import_job", job.id, details={"format": str(fmt), "kind": kind})
    try:
        db.session.commit()
    except IntegrityError:  # the same key in a concurrent request, which won
        db.session.rollback()
        _check_replay(actor, idempotency_key, digest)
        raise
    return job


def _check_replay(actor: Actor, key: Optional[str], digest: str) -> None:
    owner = (
        ImportJob.api_token_id == actor.token_id
        if actor.token_id is not None
        else ImportJob.user_id == actor.user_id
    )
    stmt = select(ImportJob).where(owner, ImportJob.idempotency_key == key)
    existing = db.session.scalars(stmt).first()
    if existing is None:
        return
    if existing.content_sha256 != digest:
        raise Conflict(f"Idempotency-Key '{key}' was already used with a different upload")
    raise ImportReplay(existing)


def get_import(actor: Actor, job_id) -> ImportJob:
    """A job is read by whoever submitted it (the same user, or a token of the same
    organisation), and by admins; anyone else gets 404. Reading jobs, like sending them,
    needs the ``append`` scope."""
    actor.require(Scope.append)
    uid = parse_uuid(job_id)
    job = db.session.get(ImportJob, uid) if uid else None
    if job is None or not _may_read(actor, job):
        raise NotFound("no such import")
    return job


def list_imports(actor: Actor, limit: int = 50) -> list[ImportJob]:
    actor.require(Scope.append)
    stmt = select(ImportJob).order_by(ImportJob.created_at.desc()).limit(limit)
    if Scope.admin not in actor.scopes:
        stmt = stmt.where(_owned_by(actor))
    return list(db.session.scalars(stmt))


def _owned_by(actor: Actor):
    if actor.user_id is not None:
        return ImportJob.user_id == actor.user_id
    if actor.organization_id is not None:
        return ImportJob.organization_id == actor.organization_id
    return ImportJob.id.is_(None)


def _may_read(actor: Actor, job: ImportJob) -> bool:
    if Scope.admin in actor.scopes or actor.channel == Channel.system:
        return True
    if actor.user_id is not None:
        return job.user_id == actor.user_id
    return actor.organization_id is not None and job.organization_id == actor.organization_id


def claim_next_import() -> Optional[ImportJob]:
    """Mark the oldest pending job running and return it; None if another process took it or
    none is pending. Stale running jobs are failed first."""
    _fail_stale()
    pending = db.session.scalar(
        select(ImportJob.id)
        .where(ImportJob.state == ImportState.pending)
        .order_by(ImportJob.created_at)
        .limit(1)
    )
    if pending is None:
        return None
    claimed = db.session.execute(
        update(ImportJob)
        .where(ImportJob.id == pending, ImportJob.state == ImportState.pending)
        .values(state=ImportState.running, started_at=utcnow())
    ).rowcount
    db.session.commit()
    return db.session.get(ImportJob, pending) if claimed else None


def _fail_stale() -> None:
    db.session.execute(
        update(ImportJob)
        .where(ImportJob.state == ImportState.running)
        .where(ImportJob.started_at < utcnow() - STALE_AFTER)
        .values(
            state=ImportState.failed,
            finished_at=utcnow(),
            error="Interrupted; nothing was written.",
        )
    )
    db.session.commit()


def job_actor(job: ImportJob) -> Actor:
    """Who the job writes as: the user or token that submitted it, as they are now (a revoked
    token or a disabled account runs nothing)."""
    if job.api_token_id is not None:
        token = db.session.get(ApiToken, job.api_token_id)
        now = utcnow()
        if token is None or token.revoked_at or (token.expires_at and token.expires_at <= now):
            raise BusinessRuleError("the token that submitted this import is no longer valid")
        return Actor.for_token(token)
    user = db.session.get(User, job.user_id) if job.user_id is not None else None
    if user is None:
        return Actor.system("import")
    if not user.active:
        raise BusinessRuleError("the account that submitted this import is disabled")
    return Actor.for_user(user, channel=Channel.import_)


def save_progress(job_id: uuid.UUID, processed: int, total: int) -> None:
    """Record progress from outside the import's own transaction, so readers see it while
    the import runs (PostgreSQL; SQLite has one writer at a time and shows it at the end)."""
    if db.engine.dialect.name == "sqlite":
        return
    with db.engine.begin() as conn:
        conn.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(processed_rows=processed, total_rows=total)
        )


def finish_import(job_id: uuid.UUID, result: Optional[ImportResult], error: str = "") -> ImportJob:
    job = db.session.get(ImportJob, job_id)
    if result is not None:
        for name, value in result.counts().items():
            setattr(job, name, value)
        job.errors = [e.as_dict() for e in result.errors]
        job.total_rows = job.processed_rows = result.rows
    failed = bool(error) or (result is not None and not result.written)
    job.state = ImportState.failed if failed else ImportState.succeeded
    job.error = error or (
        f"{result.refused} row(s) refused: nothing was written. Fix them and send the file again."
        if failed
        else None
    )
    job.content = None
    job.finished_at = utcnow()
    db.session.commit()
    return job
