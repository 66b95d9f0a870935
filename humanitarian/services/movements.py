"""Population movements: displacement and return flows between areas."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Optional

from sqlalchemy import Select, or_, select, tuple_
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import AdminArea, PopulationMovement, Report, utcnow
from ..models.enums import Scope, Verification
from .actors import Actor
from .areas import existing_pcodes, in_subtree
from .audit import audit, record_restricted_views
from .common import decode_cursor, encode_cursor, load_sources, parse_uuid
from .errors import BusinessRuleError, InvalidCursor, NotFound
from .filters import BBox, Page, RecordFilter
from .inputs import MovementInput
from .reports import open_report
from .visibility import visible


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
        raise BusinessRuleError("the movement breaks a rule", errors=errors)


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
    audit(actor, "movement.create", "movement", movement.id, report=report)
    return movement


def get_movement(actor: Actor, movement_id) -> PopulationMovement:
    actor.require(Scope.read)
    uid = parse_uuid(movement_id)
    movement = db.session.get(PopulationMovement, uid) if uid else None
    if movement is None or not actor.can_see(movement.sensitivity):
        raise NotFound("no such movement")
    record_restricted_views(actor, "movement", [movement])
    return movement


def set_movement_verification(actor: Actor, movement_id, verification: Verification):
    actor.require(Scope.verify)
    movement = get_movement(actor, movement_id)
    with open_report(actor) as report:
        before = movement.verification
        movement.verification = Verification(verification)
        movement.updated_at = utcnow()
        audit(
            actor,
            "movement.verify",
            "movement",
            movement.id,
            report=report,
            details={"from": str(before), "to": str(movement.verification)},
        )
    return movement


def movement_select(actor: Actor, filters: RecordFilter) -> Select:
    """Movements touching the area (as origin or destination) that overlap the period;
    ``bbox`` matches an origin or destination whose centroid lies inside it."""
    actor.require(Scope.read)
    M = PopulationMovement
    stmt = visible(select(M), M, actor)
    f = filters
    if f.admin_pcode:
        stmt = stmt.where(
            or_(
                in_subtree(M.origin_pcode, f.admin_pcode),
                in_subtree(M.destination_pcode, f.admin_pcode),
            )
        )
    if f.since:
        stmt = stmt.where(M.period_end >= f.since)
    if f.until:
        stmt = stmt.where(M.period_start <= f.until)
    if f.updated_since:
        stmt = stmt.where(M.updated_at >= f.updated_since)
    if f.movement_types:
        stmt = stmt.where(M.movement_type.in_(f.movement_types))
    if f.verifications:
        stmt = stmt.where(M.verification.in_(f.verifications))
    if f.bbox is not None:
        inside = _areas_in_bbox(f.bbox)
        stmt = stmt.where(or_(M.origin_pcode.in_(inside), M.destination_pcode.in_(inside)))
    return stmt


def _areas_in_bbox(bbox: BBox) -> Select:
    """Movements have no coordinates of their own; their areas' centroids place them."""
    return select(AdminArea.pcode).where(
        AdminArea.centroid_lon.between(bbox.min_lon, bbox.max_lon),
        AdminArea.centroid_lat.between(bbox.min_lat, bbox.max_lat),
    )


def list_movements(
    actor: Actor, filters: RecordFilter, *, limit: int = 50, cursor: Optional[str] = None
) -> Page:
    """Newest period first, keyset-paginated on (period_start, id)."""
    M = PopulationMovement
    stmt = movement_select(actor, filters)
    if cursor:
        day, ident = decode_cursor(cursor, 2)
        try:
            key_day, key_id = date.fromisoformat(day), uuid.UUID(ident)
        except ValueError as exc:
            raise InvalidCursor("the cursor is not one this server issued") from exc
        # A row comparison is an index bound on (period_start, id); see list_incidents.
        stmt = stmt.where(tuple_(M.period_start, M.id) < (key_day, key_id))
    stmt = stmt.order_by(M.period_start.desc(), M.id.desc()).limit(limit + 1)
    rows = list(db.session.scalars(stmt.options(selectinload(M.sources))))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].period_start.isoformat(), rows[-1].id])
    record_restricted_views(actor, "movement", rows)
    return Page(rows, next_cursor)
