"""Incidents: record, correct, verify, and query."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, replace
from datetime import date
from typing import Optional

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Facility, Incident, IncidentRevision, Report, utcnow
from ..models.enums import EVENT_TAXONOMY, Scope, Verification, highest
from .actors import Actor
from .audit import audit
from .changes import note_change
from .common import load_sources
from .errors import BusinessRuleError, NotFound
from .filters import Page, RecordFilter
from .inputs import IncidentInput, Location
from .locate import resolve_location
from .records import Keyset, get_visible, keyset_page
from .reports import open_report
from .visibility import (
    area_filter,
    bbox_filter,
    stamp_incident_revision,
    updated_column,
    visible,
)

INCIDENT_ORDER = Keyset(
    (Incident.occurred_on, Incident.id), (date.fromisoformat, uuid.UUID), descending=True
)
_FIELDS = (
    "title",
    "occurred_on",
    "occurred_at",
    "date_precision",
    "event_type",
    "sub_event_type",
    "target_type",
    "facility_id",
    "actor1",
    "actor2",
    "perpetrator_claimed_by",
    "assoc_actor1",
    "assoc_actor2",
    "civilian_targeting",
    "disorder_type",
    "location_name",
    "killed",
    "injured",
    "civilians_killed",
    "children_killed",
    "description",
    "sensitivity",
    "verification",
)


def _check_rules(actor: Actor, data: IncidentInput, linked: Optional[uuid.UUID] = None) -> None:
    """``linked`` is the facility the incident already names: keeping it is no new link."""
    errors: dict[str, list[str]] = {}
    if data.sub_event_type and str(data.sub_event_type) not in EVENT_TAXONOMY[str(data.event_type)]:
        errors["sub_event_type"] = [
            f"'{data.sub_event_type}' is not a sub-event of '{data.event_type}'."
        ]
    if data.occurred_on > date.today():
        errors["occurred_on"] = ["Date is in the future."]
    for part in ("civilians_killed", "children_killed"):
        value = getattr(data, part)
        if value is not None and data.killed is not None and value > data.killed:
            errors[part] = [f"Cannot exceed killed ({data.killed})."]
    if data.facility_id is not None and data.facility_id != linked:
        # A facility above the writer's grant is as unknown as one that does not exist, so
        # the answer cannot be used to probe for restricted facilities.
        facility = db.session.get(Facility, data.facility_id)
        if facility is None or not actor.can_see(facility.sensitivity):
            errors["facility_id"] = [f"Unknown facility {data.facility_id}."]
    if errors:
        raise BusinessRuleError("the incident breaks a rule", errors=errors)


def _apply(incident: Incident, data: IncidentInput) -> None:
    for name in _FIELDS:
        setattr(incident, name, getattr(data, name))
    loc = data.location
    incident.admin_pcode = loc.admin_pcode
    incident.latitude, incident.longitude = loc.latitude, loc.longitude
    incident.geo_precision = loc.geo_precision
    incident.sources = load_sources(data.source_ids)


def _snapshot(data: IncidentInput) -> dict:
    return json.loads(json.dumps(asdict(data), default=_json_default))


def _json_default(value):
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _add_revision(actor, incident, data, report, reason) -> None:
    db.session.add(
        IncidentRevision(
            incident_id=incident.id,
            revision=incident.revision,
            data=_snapshot(data),
            reason=reason,
            report_id=report.id,
            author_user_id=actor.user_id,
            author_token_id=actor.token_id,
            created_at=incident.updated_at,  # the same instant as the stamps it moves
        )
    )


def record_incident(
    actor: Actor, data: IncidentInput, *, report: Optional[Report] = None
) -> Incident:
    """Append a new incident. Pass ``report`` to join a batch; otherwise it commits alone."""
    actor.require(Scope.append)
    actor.require_grant(data.sensitivity)
    if report is None:
        with open_report(actor) as own:
            return record_incident(actor, data, report=own)
    data = replace(data, location=resolve_location(data.location))
    _check_rules(actor, data)
    now = utcnow()
    incident = Incident(
        id=uuid.uuid4(),
        revision=1,
        report_id=report.id,
        organization_id=actor.organization_id,
        created_at=now,
        updated_at=now,
    )
    _apply(incident, data)
    stamp_incident_revision(incident, now)
    # No flush per record: the report's commit writes a whole batch in a few multi-row
    # INSERTs instead of several round trips per record (bench/results.md).
    db.session.add(incident)
    _add_revision(actor, incident, data, report, None)
    report.record_count += 1
    audit(
        actor,
        "incident.create",
        "incident",
        incident.id,
        report=report,
        sensitivity=incident.sensitivity,
    )
    note_change(incident, "created", report_id=report.id)
    return incident


def correct_incident(
    actor: Actor,
    incident_id: uuid.UUID,
    data: IncidentInput,
    reason: str,
    *,
    report: Optional[Report] = None,
    change: str = "revised",
) -> Incident:
    """Append a correction as a new revision; the record is never edited in place.
    ``change`` names it in the change feed (``verified`` for a verification)."""
    actor.require(Scope.append)
    if not reason or not reason.strip():
        raise BusinessRuleError("a correction needs a reason", errors={"reason": ["Required."]})
    if report is None:
        with open_report(actor) as own:
            return correct_incident(actor, incident_id, data, reason, report=own, change=change)
    incident = _get_for_update(actor, incident_id)
    actor.require_grant(data.sensitivity)
    if data.verification != incident.verification:
        actor.require(Scope.verify)
    data = _keep_unseen_link(actor, incident, data)
    stored = Location(
        incident.admin_pcode, incident.latitude, incident.longitude, incident.geo_precision
    )
    if data.location != stored:
        # Only a moved location is checked: a record stored before the point-in-area rule
        # existed can still be verified or corrected in other ways.
        data = replace(data, location=resolve_location(data.location))
    _check_rules(actor, data, linked=incident.facility_id)
    previous, was = incident.revision, incident.sensitivity
    _apply(incident, data)
    incident.revision = previous + 1
    incident.report_id = report.id
    incident.updated_at = utcnow()
    stamp_incident_revision(incident, incident.updated_at)
    _add_revision(actor, incident, data, report, reason.strip())
    report.record_count += 1
    audit(
        actor,
        "incident.correct",
        "incident",
        incident.id,
        report=report,
        details={"revision": incident.revision, "reason": reason.strip()},
        sensitivity=highest(was, incident.sensitivity),
    )
    note_change(incident, change, report_id=report.id, was=was)
    return incident


def _keep_unseen_link(actor: Actor, incident: Incident, data: IncidentInput) -> IncidentInput:
    """A corrector whose grant does not reach the linked facility was never shown the link, so
    a correction without one keeps it rather than removing it."""
    facility = incident.facility
    if (
        data.facility_id is None
        and facility is not None
        and not actor.can_see(facility.sensitivity)
    ):
        return replace(data, facility_id=facility.id)
    return data


def set_incident_verification(
    actor: Actor, incident_id: uuid.UUID, verification: Verification, note: str = ""
) -> Incident:
    """Move an incident through the verification workflow, as a new revision."""
    actor.require(Scope.verify)
    incident = get_incident(actor, incident_id)
    data = incident_input_from(incident)
    data.verification = Verification(verification)
    reason = f"verification: {incident.verification} → {data.verification}"
    if note.strip():
        reason += f" ({note.strip()})"
    return correct_incident(actor, incident.id, data, reason, change="verified")


def incident_input_from(incident: Incident) -> IncidentInput:
    values = {name: getattr(incident, name) for name in _FIELDS}
    return IncidentInput(
        **values,
        location=Location(
            incident.admin_pcode, incident.latitude, incident.longitude, incident.geo_precision
        ),
        source_ids=[s.id for s in incident.sources],
    )


def _get_for_update(actor: Actor, incident_id) -> Incident:
    stmt = select(Incident).where(Incident.id == incident_id).with_for_update()
    incident = db.session.scalars(stmt).first()
    # A retracted incident is not corrected: it stays as it was when it was retracted.
    if incident is None or not actor.can_see(incident.sensitivity) or incident.retracted:
        raise NotFound("no such incident")
    return incident


def get_incident(actor: Actor, incident_id) -> Incident:
    """One incident at its latest revision; 404 when above the actor's grant."""
    return get_visible(actor, Incident, incident_id, "incident")


def incident_revisions(actor: Actor, incident_id) -> list[IncidentRevision]:
    """The history the actor may see: a revision recorded at a sensitivity above the actor's
    grant (before the record was made more public) is left out, and the numbers the reader
    is shown count only the others (``ReaderView.revision_numbers``)."""
    revisions = get_incident(actor, incident_id).revisions
    return [r for r in revisions if actor.can_see(r.data.get("sensitivity", "restricted"))]


def incident_select(actor: Actor, filters: RecordFilter) -> Select:
    """The filtered, visibility-restricted query behind lists, exports and summaries."""
    actor.require(Scope.read)
    stmt = visible(select(Incident), Incident, actor)
    f = filters
    if f.admin_pcode:
        stmt = stmt.where(area_filter(actor, Incident.admin_pcode, f.admin_pcode))
    if f.since:
        stmt = stmt.where(Incident.occurred_on >= f.since)
    if f.until:
        stmt = stmt.where(Incident.occurred_on <= f.until)
    if f.updated_since:
        stmt = stmt.where(updated_column(actor, Incident) >= f.updated_since)
    for column, values in (
        (Incident.event_type, f.event_types),
        (Incident.sub_event_type, f.sub_event_types),
        (Incident.target_type, f.target_types),
        (Incident.verification, f.verifications),
    ):
        if values:
            stmt = stmt.where(column.in_(values))
    if f.civilian_targeting is not None:
        stmt = stmt.where(Incident.civilian_targeting.is_(f.civilian_targeting))
    if f.bbox is not None:
        stmt = stmt.where(bbox_filter(actor, Incident, f.bbox))
    return stmt


def incident_export_select(actor: Actor, filters: RecordFilter) -> Select:
    """Every matching incident in list order, with sources loaded (streamed exports)."""
    stmt = INCIDENT_ORDER.order(incident_select(actor, filters))
    return stmt.options(selectinload(Incident.sources))


def list_incidents(
    actor: Actor, filters: RecordFilter, *, limit: int = 50, cursor: Optional[str] = None
) -> Page:
    """Newest first, keyset-paginated on (occurred_on, id)."""
    stmt = incident_select(actor, filters).options(selectinload(Incident.sources))
    return keyset_page(actor, stmt, INCIDENT_ORDER, "incident", limit=limit, cursor=cursor)
