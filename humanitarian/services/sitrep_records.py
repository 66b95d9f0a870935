"""Which records each archived sitrep showed.

An archived edition never changes; what can change is the records it showed (raised above its
audience, or retracted). The list written here at generation lets the service find the
editions a record appears in, and what each record's sensitivity and revision were then.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Optional

from sqlalchemy import case, func, select

from ..extensions import db
from ..models import (
    Facility,
    Incident,
    InfrastructureStatus,
    PopulationMovement,
    Sitrep,
    SitrepRecord,
)
from ..models.enums import SENSITIVITY_ORDER, Sensitivity, sensitivities_up_to
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


# The record kinds a sitrep shows, and where each one's current sensitivity is kept.
KIND_MODELS = {
    "incident": Incident,
    "facility": Facility,
    "status": InfrastructureStatus,
    "movement": PopulationMovement,
}


def _rank(column):
    """A sensitivity column as its rank (public 0, partner 1, restricted 2), for comparing."""
    return case(*((column == s.value, i) for i, s in enumerate(SENSITIVITY_ORDER)), else_=99)


def raised_counts(
    sitrep_ids: Iterable[uuid.UUID], *, seen_by: Optional[Sensitivity] = None
) -> dict[uuid.UUID, int]:
    """For each edition, how many records it showed are now above its audience. With
    ``seen_by``, only those now at a level that grant reaches are counted (what a reader with
    that grant may be told). Editions with none are left out."""
    ids = list(sitrep_ids)
    counts: dict[uuid.UUID, int] = {}
    if not ids:
        return counts
    for kind, model in KIND_MODELS.items():
        stmt = (
            select(SitrepRecord.sitrep_id, func.count())
            .join(Sitrep, Sitrep.id == SitrepRecord.sitrep_id)
            .join(model, model.id == SitrepRecord.record_id)
            .where(SitrepRecord.kind == kind, SitrepRecord.sitrep_id.in_(ids))
            .where(_rank(model.sensitivity) > _rank(Sitrep.audience))
            .group_by(SitrepRecord.sitrep_id)
        )
        if seen_by is not None:
            stmt = stmt.where(model.sensitivity.in_(sensitivities_up_to(seen_by)))
        for sitrep_id, count in db.session.execute(stmt):
            counts[sitrep_id] = counts.get(sitrep_id, 0) + count
    return counts


def withdrawal_suggested(
    sitrep_ids: Iterable[uuid.UUID], *, seen_by: Optional[Sensitivity] = None
) -> dict[uuid.UUID, str]:
    """Why each edition might be withdrawn: records it showed since raised above its
    audience, or retracted. Editions with nothing to say are left out. ``seen_by`` as for
    ``raised_counts`` (a retracted record was shown in the edition, so its reader may know)."""
    ids = list(sitrep_ids)
    raised = raised_counts(ids, seen_by=seen_by)
    retracted = retracted_counts(ids)
    reasons: dict[uuid.UUID, str] = {}
    for sitrep_id in ids:
        parts = []
        if count := raised.get(sitrep_id):
            parts.append(
                f"{count} record{'s' if count != 1 else ''} shown in this edition "
                f"{'have' if count != 1 else 'has'} since been raised above its audience"
            )
        if count := retracted.get(sitrep_id):
            parts.append(
                f"{count} record{'s' if count != 1 else ''} shown in this edition "
                f"{'have' if count != 1 else 'has'} since been retracted"
            )
        if parts:
            reasons[sitrep_id] = "; ".join(parts)
    return reasons
