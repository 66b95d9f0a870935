"""The change feed: every committed change of a record, in one order partners can resume.

**Ordering.** A write notes its changes (``note_change``) while it runs; they are written to
``change_log`` by a ``before_commit`` hook, in the same transaction as the change itself. Just
before the feed positions are assigned, the transaction takes a PostgreSQL transaction-level
advisory lock (``pg_advisory_xact_lock(FEED_LOCK)``), held until it commits. So the position
is ``max(position) + 1`` read *after* every earlier writer has committed and become visible:
positions are handed out in commit order, and a reader that has seen position ``n`` can never
later find a new entry below ``n``. (A sequence value or an autoincrement id taken before
commit would not do: two writers can commit in the other order, and a reader between the two
commits would skip the lower number for ever.) SQLite serialises writers already (appends
begin with ``BEGIN IMMEDIATE``). Only the few milliseconds between taking the lock and the
commit are serialised; the append's own work runs concurrently.

**Reading.** ``read_changes`` first reads the head (``max(position)``), then the entries after
the cursor up to that head: every entry up to the head has committed, so the next cursor may
safely point at the head even when the reader's filters matched nothing.

**Visibility.** An entry's ``sensitivity`` is the lowest grant that may learn of it: a record
made more public appears to the new readers at that moment, one made less public is
announced (with no record) to those who saw it before, so they can drop it. Nobody reads an
entry above their grant, not even its id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Optional

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import event, func, or_, select, text
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import (
    ChangeEntry,
    Facility,
    Incident,
    InfrastructureStatus,
    PopulationMovement,
    utcnow,
)
from ..models.enums import Scope, Sensitivity, sensitivities_up_to
from .actors import Actor
from .audit import record_restricted_views
from .errors import InvalidCursor
from .visibility import area_filter

# Any constant works as long as nothing else takes the same advisory lock ("hum-feed").
FEED_LOCK = 0x68756D2D66656564
_PENDING = "humanitarian.changes"
KINDS = ("incident", "facility", "status", "movement")
ACTIONS = ("created", "revised", "verified", "status_added", "retracted")
MODELS: dict[str, type] = {
    "incident": Incident,
    "facility": Facility,
    "status": InfrastructureStatus,
    "movement": PopulationMovement,
}


def lower(*levels: Sensitivity | str) -> Sensitivity:
    return min((Sensitivity(s) for s in levels), key=lambda s: s.rank)


def higher(*levels: Sensitivity | str) -> Sensitivity:
    return max((Sensitivity(s) for s in levels), key=lambda s: s.rank)


def describe(record: Any) -> dict:
    """A record's kind, its level (an entry is seen with its facility) and its areas."""
    if isinstance(record, Incident):
        return {
            "kind": "incident",
            "sensitivity": record.sensitivity,
            "admin_pcode": record.admin_pcode,
        }
    if isinstance(record, Facility):
        return {
            "kind": "facility",
            "sensitivity": record.sensitivity,
            "admin_pcode": record.admin_pcode,
        }
    if isinstance(record, InfrastructureStatus):
        facility = record.facility or db.session.get(Facility, record.facility_id)
        level = higher(record.sensitivity, facility.sensitivity)
        return {"kind": "status", "sensitivity": level, "admin_pcode": facility.admin_pcode}
    return {
        "kind": "movement",
        "sensitivity": record.sensitivity,
        "admin_pcode": record.origin_pcode,
        "other_pcode": record.destination_pcode,
    }


def note_change(
    record: Any,
    action: str,
    *,
    report_id: Optional[uuid.UUID] = None,
    was: Optional[Sensitivity] = None,
) -> None:
    """Add a change of ``record`` to the feed when the current transaction commits. ``was``:
    its level before a correction (the entry goes to the lower of the two)."""
    entry = describe(record)
    if was is not None:
        entry["sensitivity"] = lower(was, entry["sensitivity"])
    entry.update(
        record_id=record.id,
        action=action,
        revision=getattr(record, "revision", None),
        report_id=report_id,
    )
    db.session.info.setdefault(_PENDING, []).append(entry)


@event.listens_for(Session, "before_commit")
def _write_changes(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Held until this transaction ends: positions are assigned in commit order.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FEED_LOCK})
    last = connection.execute(select(func.max(ChangeEntry.position))).scalar() or 0
    now = utcnow()
    entries = [
        ChangeEntry(position=last + n, committed_at=now, **values)
        for n, values in enumerate(pending, start=1)
    ]
    session.add_all(entries)
    session.flush()
    from .webhooks import queue_messages  # the outbox belongs to the same transaction

    queue_messages(entries)


@event.listens_for(Session, "after_rollback")
def _forget_changes(session: Session) -> None:
    session.info.pop(_PENDING, None)


# --- reading ---------------------------------------------------------------------------------


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="humanitarian.changes")


def encode_position(position: int) -> str:
    return _signer().dumps(position)


def decode_position(cursor: Optional[str]) -> int:
    """The position a cursor stands for. Cursors are signed: a forged or altered one is
    refused, naming the parameter."""
    if not cursor:
        return 0
    try:
        position = _signer().loads(cursor)
    except BadSignature as exc:
        raise InvalidCursor() from exc
    if not isinstance(position, int) or position < 0:
        raise InvalidCursor()
    return position


@dataclass
class FeedItem:
    entry: ChangeEntry
    record: Optional[Any]  # as it is now, if the reader may see it and it is not retracted

    @property
    def cursor(self) -> str:
        return encode_position(self.entry.position)


@dataclass
class FeedPage:
    items: list[FeedItem]
    next_cursor: str
    has_more: bool


def entries_for(actor: Actor, stmt, kinds: list[str], admin_pcode: Optional[str]):
    """Restrict a select of feed entries to what ``actor`` may learn of, and to the filters."""
    stmt = stmt.where(ChangeEntry.sensitivity.in_(sensitivities_up_to(actor.max_sensitivity)))
    if kinds:
        stmt = stmt.where(ChangeEntry.kind.in_(kinds))
    if admin_pcode:
        stmt = stmt.where(
            or_(
                area_filter(actor, ChangeEntry.admin_pcode, admin_pcode),
                area_filter(actor, ChangeEntry.other_pcode, admin_pcode),
            )
        )
    return stmt


def read_changes(
    actor: Actor,
    *,
    cursor: Optional[str] = None,
    kinds: Optional[list[str]] = None,
    admin_pcode: Optional[str] = None,
    limit: int = 100,
) -> FeedPage:
    """The entries after ``cursor``, oldest first, each with its record as it is now."""
    actor.require(Scope.read)
    after = decode_position(cursor)
    head = db.session.scalar(select(func.max(ChangeEntry.position))) or 0
    stmt = select(ChangeEntry).where(ChangeEntry.position > after, ChangeEntry.position <= head)
    stmt = entries_for(actor, stmt, kinds or [], admin_pcode).order_by(ChangeEntry.position)
    entries = list(db.session.scalars(stmt.limit(limit + 1)))
    has_more = len(entries) > limit
    entries = entries[:limit]
    last = entries[-1].position if has_more else max(head, after)
    return FeedPage(current_records(actor, entries), encode_position(last), has_more)


def current_records(actor: Actor, entries: list[ChangeEntry]) -> list[FeedItem]:
    """Each entry with its record as ``actor`` may see it now (None when retracted or above
    the grant now), loaded in one query per kind."""
    found: dict[tuple[str, uuid.UUID], Any] = {}
    for kind, model in MODELS.items():
        ids = {e.record_id for e in entries if e.kind == kind}
        if not ids:
            continue
        rows = db.session.scalars(select(model).where(model.id.in_(ids)))
        shown = [r for r in rows if _shown(actor, r)]
        found.update(((kind, r.id), r) for r in shown)
        if kind == "status":
            record_restricted_views(
                actor, "infrastructure_status", shown, action="status.view_restricted"
            )
        else:
            record_restricted_views(actor, kind, shown)
    return [FeedItem(e, found.get((e.kind, e.record_id))) for e in entries]


def _shown(actor: Actor, record: Any) -> bool:
    if getattr(record, "retracted_at", None) is not None:
        return False
    return actor.can_see(describe(record)["sensitivity"])
