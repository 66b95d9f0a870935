"""The audit trail. ``audit`` joins the caller's transaction; ``record_event`` commits alone
(for reads, logins and exports, which have no transaction of their own).

Rows are only ever added: no code path updates or deletes them, and the database refuses it
too (``models/guards.py``). Reading the trail needs the ``admin`` scope and is itself recorded
(``audit.read``).

Each entry carries the sensitivity of what it reveals (``AuditEvent.sensitivity``), and a reader
sees only the entries within their grant, and none about an incident now above it (a
correction may raise one): an admin with a public grant must not learn of restricted records,
correction reasons, hidden status entries or restricted sitrep editions from the trail.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Optional

from flask import g, has_request_context
from sqlalchemy import ColumnElement, Select, String, and_, cast, func, not_, select, type_coerce

from ..extensions import db
from ..models import ApiToken, AuditEvent, Incident, Organization, Report, User
from ..models.enums import Scope, Sensitivity, sensitivities_up_to
from .actors import Actor
from .common import decode_cursor, encode_cursor
from .errors import InvalidCursor
from .filters import Page


def audit(
    actor: Actor,
    action: str,
    entity_type: Optional[str] = None,
    entity_id: Any = None,
    *,
    report: Optional[Report] = None,
    details: Optional[dict] = None,
    sensitivity: Optional[Sensitivity | str] = None,
) -> AuditEvent:
    """Add an entry to the caller's transaction. ``sensitivity`` is the level of what the entry
    reveals (the record's, for an entry about one); without it, the actor's own grant."""
    event = AuditEvent(
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id) if entity_id is not None else None,
        report_id=report.id if report is not None else None,
        user_id=actor.user_id,
        api_token_id=actor.token_id,
        organization_id=actor.organization_id,
        request_id=actor.request_id,
        ip=actor.ip,
        details=details,
        sensitivity=Sensitivity(sensitivity or actor.max_sensitivity),
    )
    db.session.add(event)
    return event


def record_event(actor: Actor, action: str, entity_type=None, entity_id=None, **kw) -> None:
    """Audit something that is not itself a write, in its own short transaction."""
    audit(actor, action, entity_type, entity_id, **kw)
    db.session.commit()


def record_restricted_views(
    actor: Actor, entity_type: str, records: Iterable[Any], *, action: Optional[str] = None
) -> None:
    """Put views of restricted records on the record: one ``<type>.view_restricted`` row per
    restricted record shown (detail page, list page, API item or page), so "who has seen this
    record?" is one filter on ``entity_id``. A request that loads the same records twice (a
    detail page and its history) writes them once."""
    ids = [str(r.id) for r in records if r.sensitivity == Sensitivity.restricted]
    if not ids:
        return
    if actor.request_id and has_request_context():
        seen = g.setdefault("_restricted_views", set())
        key = (actor.request_id, entity_type, tuple(ids))
        if key in seen:
            return
        seen.add(key)
    for entity_id in ids:
        audit(
            actor,
            action or f"{entity_type}.view_restricted",
            entity_type,
            entity_id,
            sensitivity=Sensitivity.restricted,
        )
    # Commit without expiring what the caller just loaded: it is about to be shown, and
    # expired rows would each be fetched again.
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


@dataclass
class AuditFilter:
    """What to read from the trail. ``user_id`` and ``token_id`` pick the acting account."""

    actions: list[str] = field(default_factory=list)
    entity_type: Optional[str] = None
    entity_id: Optional[str] = None
    user_id: Optional[int] = None
    token_id: Optional[uuid.UUID] = None
    since: Optional[datetime] = None
    until: Optional[datetime] = None

    def describe(self) -> dict:
        """The filter as JSON-ready values, for the 'audit.read' row."""
        return {
            k: str(v) if v is not None and not isinstance(v, list | int) else v
            for k, v in asdict(self).items()
            if v not in (None, [])
        }


def audit_select(actor: Actor, filters: AuditFilter, *, export: bool = False) -> Select:
    """The filtered trail, newest first. Admins only; the read is recorded before any row is
    returned, so even a read that fails half-way is on the record."""
    actor.require(Scope.admin)
    record_event(
        actor,
        "audit.read",
        "audit_event",
        None,
        details={"filters": filters.describe(), "export": export},
    )
    stmt = select(AuditEvent).where(within_grant(actor))
    f = filters
    if f.actions:
        stmt = stmt.where(AuditEvent.action.in_(f.actions))
    if f.entity_type:
        stmt = stmt.where(AuditEvent.entity_type == f.entity_type)
    if f.entity_id:
        stmt = stmt.where(AuditEvent.entity_id == f.entity_id)
    if f.user_id is not None:
        stmt = stmt.where(AuditEvent.user_id == f.user_id)
    if f.token_id is not None:
        stmt = stmt.where(AuditEvent.api_token_id == f.token_id)
    if f.since:
        stmt = stmt.where(AuditEvent.occurred_at >= f.since)
    if f.until:
        stmt = stmt.where(AuditEvent.occurred_at <= f.until)
    # Ids grow with every insert, so id order is arrival order and a strict keyset.
    return stmt.order_by(AuditEvent.id.desc())


def within_grant(actor: Actor) -> ColumnElement[bool]:
    """Entries the actor may read: at or below their grant, and not about an incident that is
    above it now (an entry written while the incident was public stays about that incident)."""
    allowed = sensitivities_up_to(actor.max_sensitivity)
    condition = AuditEvent.sensitivity.in_(allowed)
    if actor.max_sensitivity == Sensitivity.restricted:
        return condition
    above = select(_uuid_text(Incident.id)).where(Incident.sensitivity.not_in(allowed))
    about_above = and_(
        func.coalesce(AuditEvent.entity_type, "") == "incident",
        func.coalesce(AuditEvent.entity_id, "").in_(above),
    )
    return and_(condition, not_(about_above))


def _uuid_text(column) -> ColumnElement[str]:
    """A UUID column as the text ``str(uuid)`` gives, which is how ``entity_id`` stores it:
    PostgreSQL casts its native type so; SQLite stores 32 hex digits without the hyphens."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(column, String)
    raw = type_coerce(column, String)
    parts = [func.substr(raw, start, size) for start, size in ((1, 8), (9, 4), (13, 4), (17, 4))]
    return parts[0] + "-" + parts[1] + "-" + parts[2] + "-" + parts[3] + "-" + func.substr(raw, 21)


def audit_export_select(actor: Actor, filters: AuditFilter) -> Select:
    """``audit_select`` for a streamed export (``limit=all``)."""
    return audit_select(actor, filters, export=True)


def list_audit_events(
    actor: Actor, filters: AuditFilter, *, limit: int = 50, cursor: Optional[str] = None
) -> Page:
    """One page of the trail, newest first, keyset-paginated on the event id."""
    last_id = _cursor_id(cursor) if cursor else None
    stmt = audit_select(actor, filters)
    if last_id is not None:
        stmt = stmt.where(AuditEvent.id < last_id)
    rows = list(db.session.scalars(stmt.limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].id])
    return Page(rows, next_cursor)


def _cursor_id(cursor: str) -> int:
    (value,) = decode_cursor(cursor, 1)
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        raise InvalidCursor()
    return int(value)


def audit_actions(actor: Actor) -> list[str]:
    """Every action name in the trail (for filter choices)."""
    actor.require(Scope.admin)
    stmt = select(AuditEvent.action).where(within_grant(actor)).distinct()
    return list(db.session.scalars(stmt.order_by(AuditEvent.action)))


def audit_actor_labels(actor: Actor, events: list[AuditEvent]) -> dict[str, str]:
    """Readable names for the accounts in ``events``: ``user:<id>`` → email, ``token:<id>`` →
    token prefix and organisation."""
    actor.require(Scope.admin)
    user_ids = {e.user_id for e in events if e.user_id is not None}
    token_ids = {e.api_token_id for e in events if e.api_token_id is not None}
    labels: dict[str, str] = {}
    if user_ids:
        for user_id, email in db.session.execute(
            select(User.id, User.email).where(User.id.in_(user_ids))
        ):
            labels[f"user:{user_id}"] = email
    if token_ids:
        rows = db.session.execute(
            select(ApiToken.id, ApiToken.prefix, Organization.name)
            .join(Organization, ApiToken.organization_id == Organization.id)
            .where(ApiToken.id.in_(token_ids))
        )
        for token_id, prefix, org in rows:
            labels[f"token:{token_id}"] = f"token {prefix}… ({org})"
    return labels
