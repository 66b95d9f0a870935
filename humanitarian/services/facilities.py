"""Facilities and their append-only infrastructure status history."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Optional

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Facility, InfrastructureStatus, Report, utcnow
from ..models.enums import (
    CONDITION,
    Scope,
    Sensitivity,
    Verification,
    highest,
)
from .actors import Actor
from .audit import audit, record_restricted_views
from .changes import note_change
from .common import load_sources, parse_uuid
from .errors import BusinessRuleError, NotFound
from .filters import Page, RecordFilter, start_of
from .inputs import FacilityInput, StatusInput
from .locate import resolve_location
from .records import Keyset, keyset_page, set_verification
from .reports import open_report
from .visibility import (
    area_filter,
    bbox_filter,
    may_open,
    sees_retracted,
    shown,
    stamp_facility,
    updated_column,
    visible,
)

FACILITY_ORDER = Keyset((Facility.name, Facility.id), (str, uuid.UUID))


def create_facility(
    actor: Actor, data: FacilityInput, *, report: Optional[Report] = None
) -> Facility:
    """Register a named asset (airport, road, school...)."""
    actor.require(Scope.append)
    actor.require_grant(data.sensitivity)
    if report is None:
        with open_report(actor) as own:
            return create_facility(actor, data, report=own)
    loc = resolve_location(data.location)
    facility = Facility(
        id=uuid.uuid4(),
        name=data.name.strip(),
        name_ar=data.name_ar.strip(),
        facility_type=data.facility_type,
        description=data.description,
        admin_pcode=loc.admin_pcode,
        latitude=loc.latitude,
        longitude=loc.longitude,
        geo_precision=loc.geo_precision,
        sensitivity=data.sensitivity,
        verification=data.verification,
        organization_id=actor.organization_id,
        report_id=report.id,
        status_seq=0,
    )
    facility.created_at = utcnow()
    stamp_facility(facility, facility.sensitivity, facility.created_at)
    db.session.add(facility)
    report.record_count += 1
    db.session.flush()
    audit(
        actor,
        "facility.create",
        "facility",
        facility.id,
        report=report,
        sensitivity=facility.sensitivity,
    )
    note_change(facility, "created", report_id=report.id)
    return facility


def get_facility(actor: Actor, facility_id, *, for_update: bool = False) -> Facility:
    actor.require(Scope.read)
    return _visible_facility(actor, facility_id, for_update=for_update)


def _visible_facility(actor: Actor, facility_id, *, for_update: bool = False) -> Facility:
    """The facility if it exists within the actor's grant, else NotFound (no scope check:
    appending a status needs ``append`` only, as appending an incident does)."""
    uid = parse_uuid(facility_id)
    facility = None
    if uid is not None:
        stmt = select(Facility).where(Facility.id == uid)
        if for_update:
            stmt = stmt.with_for_update()
        facility = db.session.scalars(stmt).first()
    if facility is None or not actor.can_see(facility.sensitivity):
        raise NotFound("no such facility")
    if not for_update:  # a read, not the first step of a write
        record_restricted_views(actor, "facility", [facility])
    return facility


def set_infrastructure_status(
    actor: Actor, facility_id, data: StatusInput, *, report: Optional[Report] = None
) -> InfrastructureStatus:
    """Append a status change. History is never rewritten; concurrent writers to one facility
    are serialised by a row lock on the facility and a unique (facility, seq)."""
    actor.require(Scope.append)
    actor.require_grant(data.sensitivity)
    if report is None:
        with open_report(actor) as own:
            return set_infrastructure_status(actor, facility_id, data, report=own)
    if data.effective_to is not None and data.effective_to <= data.effective_from:
        raise BusinessRuleError(
            "effective_to must be after effective_from",
            errors={"effective_to": ["Must be after effective_from."]},
        )
    facility = _visible_facility(actor, facility_id, for_update=True)
    condition = _condition(actor, facility, data)
    facility.status_seq += 1
    entry = InfrastructureStatus(
        id=uuid.uuid4(),
        facility_id=facility.id,
        seq=facility.status_seq,
        **condition,
        effective_from=data.effective_from,
        effective_to=data.effective_to,
        reason=data.reason,
        details=data.details,
        sensitivity=data.sensitivity,
        verification=data.verification,
        organization_id=actor.organization_id,
        report_id=report.id,
    )
    entry.sources = load_sources(data.source_ids)
    entry.created_at = entry.updated_at = utcnow()
    stamp_facility(facility, entry.sensitivity, entry.created_at)
    db.session.add(entry)
    report.record_count += 1
    db.session.flush()
    audit(
        actor,
        "status.set",
        "facility",
        facility.id,
        report=report,
        details={**{k: str(v) for k, v in condition.items() if v}, "status_id": str(entry.id)},
        sensitivity=highest(facility.sensitivity, entry.sensitivity),
    )
    note_change(entry, "status_added", report_id=report.id)
    return entry


def _condition(actor: Actor, facility: Facility, data: StatusInput) -> dict:
    """All four dimensions of the new entry: those the input states, the others carried over
    from the entry in effect at ``effective_from``, else ``unknown``. Only an entry that the
    new entry's readers may see is carried from, so a public entry never repeats what a
    restricted one said."""
    readers = replace(actor, max_sensitivity=Sensitivity(data.sensitivity))
    previous = current_status(readers, facility, data.effective_from)
    condition = {}
    for name, enum_cls in CONDITION.items():
        stated = getattr(data, name)
        carried = getattr(previous, name) if previous is not None else enum_cls.unknown
        condition[name] = enum_cls(stated) if stated is not None else carried
    stated = data.controlled_by
    carried = previous.controlled_by if previous is not None else None
    condition["controlled_by"] = (stated.strip() or None) if stated is not None else carried
    return condition


def set_status_verification(
    actor: Actor, status_id, verification: Verification
) -> InfrastructureStatus:
    """Verification is workflow state, not history: it is updated, and the change audited."""
    actor.require(Scope.verify)
    entry = status_entry(actor, status_id)
    return set_verification(
        actor,
        entry,
        verification,
        action="status.verify",
        entity_type="infrastructure_status",
        sensitivity=highest(entry.sensitivity, entry.facility.sensitivity),
    )


def status_entry(actor: Actor, status_id) -> InfrastructureStatus:
    """One status entry. It and its facility must both be within the grant, as when reading
    the history; a retracted one only administrators open."""
    actor.require(Scope.read)
    uid = parse_uuid(status_id)
    entry = db.session.get(InfrastructureStatus, uid) if uid else None
    if entry is None or not (may_open(actor, entry) and actor.can_see(entry.facility.sensitivity)):
        raise NotFound("no such status entry")
    return entry


def current_status_select(actor: Actor, at: Optional[datetime] = None) -> Select:
    """The latest visible entry in effect at ``at`` for each facility: latest by
    ``effective_from``, so a back-filled older entry never displaces a newer one."""
    at = at or utcnow()
    S = InfrastructureStatus
    ranked = (
        select(
            S.id,
            func.row_number()
            .over(partition_by=S.facility_id, order_by=(S.effective_from.desc(), S.seq.desc()))
            .label("rank"),
        )
        .where(shown(S, actor))
        .where(S.effective_from <= at)
        .where(or_(S.effective_to.is_(None), S.effective_to > at))
        .subquery()
    )
    return select(S).join(ranked, ranked.c.id == S.id).where(ranked.c.rank == 1)


def current_statuses(actor: Actor, facility_ids: list, at: Optional[datetime] = None) -> dict:
    if not facility_ids:
        return {}
    stmt = (
        current_status_select(actor, at)
        .where(InfrastructureStatus.facility_id.in_(facility_ids))
        .options(selectinload(InfrastructureStatus.sources))
    )
    return {s.facility_id: s for s in db.session.scalars(stmt)}


def current_status(actor: Actor, facility: Facility, at: Optional[datetime] = None):
    return current_statuses(actor, [facility.id], at).get(facility.id)


def status_history(actor: Actor, facility_id) -> list[InfrastructureStatus]:
    facility = get_facility(actor, facility_id)
    stmt = visible(
        select(InfrastructureStatus).where(InfrastructureStatus.facility_id == facility.id),
        InfrastructureStatus,
        actor,
        retracted=sees_retracted(actor),
    ).order_by(InfrastructureStatus.effective_from, InfrastructureStatus.seq)
    history = list(db.session.scalars(stmt.options(selectinload(InfrastructureStatus.sources))))
    record_restricted_views(
        actor, "infrastructure_status", history, action="status.view_restricted"
    )
    return history


def facility_select(actor: Actor, filters: RecordFilter) -> Select:
    actor.require(Scope.read)
    stmt = visible(select(Facility), Facility, actor)
    if filters.admin_pcode:
        stmt = stmt.where(area_filter(actor, Facility.admin_pcode, filters.admin_pcode))
    if filters.facility_types:
        stmt = stmt.where(Facility.facility_type.in_(filters.facility_types))
    if filters.name:
        stmt = stmt.where(_name_contains(filters.name))
    if filters.updated_since:
        stmt = stmt.where(updated_column(actor, Facility) >= filters.updated_since)
    if filters.verifications:
        stmt = stmt.where(Facility.verification.in_(filters.verifications))
    if filters.since or filters.until:
        stmt = stmt.where(Facility.id.in_(_changed_in_period(actor, filters)))
    conditions = [
        getattr(InfrastructureStatus, name).in_(values)
        for name, values in filters.condition.items()
        if values
    ]
    if conditions:
        current = (
            current_status_select(actor)
            .where(*conditions)
            .with_only_columns(InfrastructureStatus.facility_id)
        )
        stmt = stmt.where(Facility.id.in_(current))
    if filters.bbox is not None:
        stmt = stmt.where(bbox_filter(actor, Facility, filters.bbox))
    return stmt


def _name_contains(text: str):
    """English or Arabic name contains ``text``, any case; ``%`` and ``_`` match themselves."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(
        Facility.name.ilike(pattern, escape="\\"), Facility.name_ar.ilike(pattern, escape="\\")
    )


def _changed_in_period(actor: Actor, filters: RecordFilter) -> Select:
    """Facilities with a visible status entry taking effect within [since, until]."""
    S = InfrastructureStatus
    stmt = visible(select(S.facility_id), S, actor)
    if filters.since:
        stmt = stmt.where(S.effective_from >= start_of(filters.since))
    if filters.until:
        stmt = stmt.where(S.effective_from < start_of(filters.until, 1))
    return stmt


def facility_export_select(actor: Actor, filters: RecordFilter) -> Select:
    """Every matching facility in list order (streamed exports)."""
    return FACILITY_ORDER.order(facility_select(actor, filters))


def list_facilities(
    actor: Actor, filters: RecordFilter, *, limit: int = 50, cursor: Optional[str] = None
) -> Page:
    """Alphabetical by name, keyset-paginated on (name, id)."""
    stmt = facility_select(actor, filters)
    return keyset_page(actor, stmt, FACILITY_ORDER, "facility", limit=limit, cursor=cursor)


class FacilityWithStatus:
    """A facility with its current status attached (``current_status``, None if it has none)."""

    def __init__(self, facility: Facility, status: Optional[InfrastructureStatus]) -> None:
        self._facility = facility
        self.current_status = status

    def __getattr__(self, name: str):
        return getattr(self._facility, name)


def with_current_status(
    actor: Actor, facilities: list[Facility], at: Optional[datetime] = None
) -> list[FacilityWithStatus]:
    """Each facility with the status visible to the actor in effect at ``at`` (now by
    default), in one query for all of them."""
    statuses = current_statuses(actor, [f.id for f in facilities], at)
    return [FacilityWithStatus(f, statuses.get(f.id)) for f in facilities]


def status_changes(actor: Actor, filters: RecordFilter, limit: Optional[int] = 10) -> list:
    """Status entries that took effect in the period, newest first (summaries, sitreps)."""
    stmt = visible(select(InfrastructureStatus), InfrastructureStatus, actor).join(Facility)
    stmt = visible(stmt, Facility, actor)
    if filters.admin_pcode:
        stmt = stmt.where(area_filter(actor, Facility.admin_pcode, filters.admin_pcode))
    if filters.since:
        stmt = stmt.where(InfrastructureStatus.effective_from >= start_of(filters.since))
    if filters.until:
        stmt = stmt.where(InfrastructureStatus.effective_from < start_of(filters.until, 1))
    if filters.verifications:
        stmt = stmt.where(InfrastructureStatus.verification.in_(filters.verifications))
    stmt = stmt.order_by(
        InfrastructureStatus.effective_from.desc(), InfrastructureStatus.seq.desc()
    ).options(selectinload(InfrastructureStatus.sources))
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))
