"""Which records each archived sitrep showed.

An archived edition never changes; what can change is the records it showed (raised above its
audience, or retracted). The list written here at generation lets the service find the
editions a record appears in, and what each record's sensitivity and revision were then.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select

from ..extensions import db
from ..models import Sitrep, SitrepRecord
from .retraction import RETRACTABLE
from .sitrep_content import SitrepContent


def keep_shown_records(sitrep: Sitrep, content: SitrepContent) -> int:
    """Add the list of records ``content`` shows to ``sitrep``'s transaction; return how many."""
    rows = [
        SitrepRecord(
            sitrep_id=sitrep.id,
            kind=kind,
            record_id=record.id,
            sensitivity=record.sensitivity,
            revision=getattr(record, "revision", None),
        )
        for kind, record in content.shown()
    ]
    db.session.add_all(rows)
    return len(rows)


def shown_records(sitrep_id: uuid.UUID) -> list[SitrepRecord]:
    """The records an edition showed, by kind and id."""
    stmt = select(SitrepRecord).where(SitrepRecord.sitrep_id == sitrep_id)
    return list(db.session.scalars(stmt.order_by(SitrepRecord.kind, SitrepRecord.record_id)))


def editions_showing(kind: str, record_ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    """The ids of the archived editions that showed any of the records."""
    stmt = select(SitrepRecord.sitrep_id).where(
        SitrepRecord.kind == kind, SitrepRecord.record_id.in_(list(record_ids))
    )
    return list(db.session.scalars(stmt.distinct()))


def retracted_counts(sitrep_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    """For each edition (by id), how many of the records it showed were retracted since.
    Editions with none are left out. The archived PDFs themselves never change: they are the
    record of what was published."""
    ids = list(sitrep_ids)
    if not ids:
        return {}
    counts: dict = {}
    for kind, model in RETRACTABLE.items():
        stmt = (
            select(SitrepRecord.sitrep_id, func.count())
            .join(model, model.id == SitrepRecord.record_id)
            .where(
                SitrepRecord.kind == kind,
                SitrepRecord.sitrep_id.in_(ids),
                model.retracted_at.is_not(None),
            )
            .group_by(SitrepRecord.sitrep_id)
        )
        for sitrep_id, count in db.session.execute(stmt):
            counts[sitrep_id] = counts.get(sitrep_id, 0) + count
    return counts
