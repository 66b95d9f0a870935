"""Population movements: displacement and return flows between areas."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Optional

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import PopulationMovement, Report
from ..models.enums import Scope, Verification
from .actors import Actor
from .areas import existing_pcodes
from .audit import audit
from .changes import note_change
from .common import load_sources
from .errors import InvalidInput
from .filters import Page, RecordFilter
from .inputs import MovementInput
from .records import Keyset, get_visible, keyset_page, set_verification
from .reports import open_report
from .visibility import area_filter, areas_in_bbox, updated_column, visible

MOVEMENT_ORDER = Keyset(
    (PopulationMovement.period_start, PopulationMovement.id),
    (date.fromisoformat, uuid.UUID),
    descending=True,
)


def _check_rules(data: MovementInput) -> None:
    errors: dict[str, list[str]] = {}
    if not data.origin_pcode and not data.destination_pcode:
        errors["origin_pcode"] = ["Give an origin, a destination, or both."]
    if data.period_end < data.period_start:
        errors["period_end"] = ["Must not be before period_start."]
    if data.individuals is None and data.households is None:
        errors["individuals"] = ["Give individuals, households, or both."]
    wanted = {p for p in (data.origin_pcode, data.destination_pcode) if p}
    known = existing_pcodes(wanted)
    for name in ("origin_pcode", "destination_pcode"):
        value = getattr(data, name)
        if value and value not in known:
            errors[name] = [f"Unknown p-code '{value}'."]
    if errors:
        raise InvalidInput("the movement breaks a rule", errors=errors)


def record_movement(
    actor: Actor, data: MovementInput, *, report: Optional[Report] = None
) -> PopulationMovement:
    """Append a displacement, return or other flow."""
    actor.require(Scope.append)
    actor.require_grant(data.sensitivity)
    if report is None:
        with open_report(actor) as own:
            return record_movement(actor, data, report=own)
    _check_rules(data)
    movement = PopulationMovement(
        id=uuid.uuid4(),
        movement_type=data.movement_type,
        origin_pcode=data.origin_pcode or None,
        destination_pcode=data.destination_pcode or None,
        period_start=data.period_start,
        period_end=data.period_end,
        individuals=data.individuals,
        households=data.households,
        estimate_method=data.estimate_method,
        description=data.description,
        sensitivity=data.sensitivity,
        verification=data.verification,
        organization_id=actor.organization_id,
        report_id=report.id,
    )
    movement.sources = load_sources(data.source_ids)
    db.session.add(movement)
    report.record_count += 1
    db.session.flush()
    audit(
        actor,
        "movement.create",
        "movement",
        movement.id,
        report=report,
        sensitivity=movement.sensitivity,
    )
    note_change(movement, "created", report_id=report.id)
    return movement


def get_movement(actor: Actor, movement_id) -> PopulationMovement:
    return get_visible(actor, PopulationMovement, movement_id, "movement")


def set_movement_verification(actor: Actor, movement_id, verification: Verification):
    actor.require(Scope.verify)
    movement = get_movement(actor, movement_id)
    return set_verification(
        actor, movement, verification, action="movement.verify", entity_type="movement"
    )


def movement_select(actor: Actor, filters: RecordFilter) -> Select:
    """Movements touching the area (as origin or destination) that overlap the period;
    ``bbox`` matches an origin or destination whose centroid (as the reader is shown the area)
    lies inside it: movements have no coordinates of their own."""
    actor.require(Scope.read)
    M = PopulationMovement
    stmt = visible(select(M), M, actor)
    f = filters
    if f.admin_pcode:
        stmt = stmt.where(
            or_(
                area_filter(actor, M.origin_pcode, f.admin_pcode),
                area_filter(actor, M.destination_pcode, f.admin_pcode),
            )
        )
    if f.since:
        stmt = stmt.where(M.period_end >= f.since)
    if f.until:
        stmt = stmt.where(M.period_start <= f.until)
    if f.updated_since:
        stmt = stmt.where(updated_column(actor, M) >= f.updated_since)
    if f.movement_types:
        stmt = stmt.where(M.movement_type.in_(f.movement_types))
    if f.verifications:
        stmt = stmt.where(M.verification.in_(f.verifications))
    if f.bbox is not None:
        inside = areas_in_bbox(actor, f.bbox)
        stmt = stmt.where(or_(M.origin_pcode.in_(inside), M.destination_pcode.in_(inside)))
    return stmt


def movement_export_select(actor: Actor, filters: RecordFilter) -> Select:
    """Every matching movement in list order, with sources loaded (streamed exports)."""
    stmt = MOVEMENT_ORDER.order(movement_select(actor, filters))
    return stmt.options(selectinload(PopulationMovement.sources))


def list_movements(
    actor: Actor, filters: RecordFilter, *, limit: int = 50, cursor: Optional[str] = None
) -> Page:
    """Newest period first, keyset-paginated on (period_start, id)."""
    stmt = movement_select(actor, filters).options(selectinload(PopulationMovement.sources))
    return keyset_page(actor, stmt, MOVEMENT_ORDER, "movement", limit=limit, cursor=cursor)
