"""Report envelopes and idempotent appends.

Every write happens inside ``open_report``: one Report row, the records, their audit rows and
(for the API) the response a retry should get, all in a single transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, Optional

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Report, utcnow
from .actors import Actor
from .errors import Conflict


class Replay(Exception):
    """A retry of an append that already committed; carries the stored response."""

    def __init__(self, report: Report):
        super().__init__("idempotent replay")
        self.report = report

    @property
    def status(self) -> int:
        return self.report.response_status or 201

    @property
    def body(self) -> Any:
        return self.report.response_body


def request_fingerprint(payload: Any) -> str:
    """A stable hash of a parsed request body, so key order and whitespace don't matter."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _find(actor: Actor, key: str) -> Optional[Report]:
    stmt = select(Report).where(Report.idempotency_key == key)
    if actor.token_id is not None:
        stmt = stmt.where(Report.api_token_id == actor.token_id)
    elif actor.user_id is not None:
        stmt = stmt.where(Report.user_id == actor.user_id)
    else:
        return None
    return db.session.scalars(stmt).first()


def check_replay(actor: Actor, key: Optional[str], fingerprint: Optional[str]) -> None:
    """Raise ``Replay`` if ``key`` was used before with this request, ``Conflict`` if with
    another (or if it has expired); nothing when the key is new or absent."""
    if not key:
        return
    existing = _find(actor, key)
    if existing is None:
        return
    ttl = timedelta(hours=current_app.config["IDEMPOTENCY_TTL_HOURS"])
    if existing.received_at < utcnow() - ttl:
        raise Conflict(f"Idempotency-Key '{key}' has expired; use a new key")
    if fingerprint is not None and existing.request_hash != fingerprint:
        raise Conflict(f"Idempotency-Key '{key}' was already used with a different request body")
    raise Replay(existing)


def _begin_write(session) -> None:
    """On SQLite, start the append with the write lock held (BEGIN IMMEDIATE), so the
    idempotency check and the insert see the same, latest state and concurrent writers queue
    up to the busy timeout instead of failing with "database is locked". PostgreSQL needs
    nothing: row locks and the unique key on (token, idempotency_key) settle races there."""
    if session.get_bind().dialect.name != "sqlite":
        return
    session.commit()  # also keeps bookkeeping the caller already made (e.g. a token's last use)
    # pysqlite begins transactions lazily before the first write; an explicit BEGIN takes over.
    session.connection().exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def open_report(
    actor: Actor,
    *,
    idempotency_key: Optional[str] = None,
    fingerprint: Optional[str] = None,
) -> Iterator[Report]:
    """Start an append. Commits when the block ends, rolls back everything if it raises.

    Raises ``Replay`` when the same key was used before with the same body, and ``Conflict``
    when it was used with a different one.
    """
    session = db.session
    _begin_write(session)
    check_replay(actor, idempotency_key, fingerprint)
    report = Report(
        channel=actor.channel,
        organization_id=actor.organization_id,
        user_id=actor.user_id,
        api_token_id=actor.token_id,
        idempotency_key=idempotency_key or None,
        request_hash=fingerprint,
    )
    session.add(report)
    try:
        session.flush()
    except IntegrityError:
        # A concurrent request with the same key won the race; it has committed by now.
        session.rollback()
        check_replay(actor, idempotency_key, fingerprint)
        raise
    try:
        yield report
        session.commit()
    except BaseException:
        session.rollback()
        raise
