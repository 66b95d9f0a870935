"""Retraction: a record that should never have been published (it exposes a person, it was
fabricated) is withdrawn with a reason by a verifier.

It is never deleted. From the moment of retraction it leaves every list, export, summary, map,
rollup and future sitrep (``visibility.visible`` leaves it out), the change feed announces it
(``retracted``, with no record) to everyone who could see it, and administrators can still
open it, marked retracted, with its history. Who retracted it and why is in the audit trail
(``<kind>.retract``). Sitreps already archived stay as published; their listing counts the
records in them that were later retracted (``sitrep_records.retracted_counts``).
"""

from __future__ import annotations

import uuid
from typing import Any, Optional

from sqlalchemy import select

from ..extensions import db
from ..models import Facility, Incident, InfrastructureStatus, PopulationMovement, Report, utcnow
from ..models.enums import Scope
from .actors import Actor
from .audit import audit
from .changes import describe, note_change
from .common import parse_uuid
from .errors import BusinessRuleError, NotFound
from .reports import open_report
from .visibility import sees_retracted, stamp_facility

RETRACTABLE: dict[str, type] = {
    "incident": Incident,
    "movement": PopulationMovement,
    "status": InfrastructureStatus,
}
# The audit trail's entity types, as the other writes of each kind use them.
ENTITY_TYPES = {"incident": "incident", "movement": "movement", "status": "infrastructure_status"}


def _require_verifier(actor: Actor) -> None:
    if Scope.verify in actor.scopes or Scope.admin in actor.scopes:
        return
    actor.require(Scope.verify)  # raises: 401 for anonymous readers, 403 otherwise


def _locked(kind: str, record_id: Any) -> Optional[Any]:
    model = RETRACTABLE[kind]
    uid = parse_uuid(record_id)
    if uid is None:
        return None
    return db.session.scalars(select(model).where(model.id == uid).with_for_update()).first()


def retract_record(
    actor: Actor,
    kind: str,
    record_id: uuid.UUID | str,
    reason: str,
    *,
    report: Optional[Report] = None,
) -> Any:
    """Retract one incident, movement or status entry (``kind``: incident, movement, status).

    Needs the ``verify`` scope (or ``admin``) and a grant that reaches the record (a status
    entry: and its facility); a record out of reach is NotFound. Retracting a record already
    retracted changes nothing and returns it (an import may retract the same event twice);
    to anyone but an administrator it is NotFound, as a retracted record is everywhere.
    Pass ``report`` to join a larger write (an import); otherwise it commits alone."""
    if kind not in RETRACTABLE:
        raise BusinessRuleError(f"unknown kind {kind!r}", errors={"kind": ["Unknown kind."]})
    _require_verifier(actor)
    reason = (reason or "").strip()
    if not reason:
        raise BusinessRuleError("a retraction needs a reason", errors={"reason": ["Required."]})
    if report is None:
        with open_report(actor) as own:
            return retract_record(actor, kind, record_id, reason, report=own)
    record = _locked(kind, record_id)
    if record is None or not actor.can_see(describe(record)["sensitivity"]):
        raise NotFound(f"no such {kind}")
    if record.retracted_at is not None:
        # Done already: the same answer again, to those who may still see a retracted record.
        if not sees_retracted(actor):
            raise NotFound(f"no such {kind}")
        return record
    record.retracted_at = utcnow()
    record.retraction_reason = reason
    record.updated_at = record.retracted_at
    level = describe(record)["sensitivity"]  # a status entry's: the higher of it and its facility
    if isinstance(record, InfrastructureStatus):
        facility = db.session.get(Facility, record.facility_id)
        stamp_facility(facility, record.sensitivity, record.retracted_at)
    report.record_count += 1
    audit(
        actor,
        f"{kind}.retract",
        ENTITY_TYPES[kind],
        record.id,
        report=report,
        details={"reason": reason, "revision": getattr(record, "revision", None)},
        sensitivity=level,
    )
    note_change(record, "retracted", report_id=report.id)
    return record
