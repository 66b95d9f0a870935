"""Key figures for an area and period: the numbers behind /summary, the dashboard and sitreps."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from sqlalchemy import func, select

from ..extensions import db
from ..models import Facility, InfrastructureStatus, PopulationMovement
from ..models.enums import CONDITION, MovementType, Scope, is_impaired
from .actors import Actor
from .areas import get_area
from .facilities import current_status_select, status_changes
from .filters import RecordFilter, start_of
from .incidents import incident_select
from .movements import movement_select
from .visibility import area_filter, visible

_DISPLACED = (
    MovementType.displacement,
    MovementType.secondary_displacement,
    MovementType.evacuation,
)


@dataclass
class Summary:
    admin_pcode: Optional[str]
    since: Optional[date]
    until: Optional[date]
    incidents_total: int = 0
    incidents_by_event_type: dict[str, int] = field(default_factory=dict)
    incidents_by_target_type: dict[str, int] = field(default_factory=dict)
    killed: int = 0
    injured: int = 0
    # Facilities by the current entry's condition, one count per value of each dimension.
    facilities_by_functionality: dict[str, int] = field(default_factory=dict)
    facilities_by_access: dict[str, int] = field(default_factory=dict)
    facilities_by_damage: dict[str, int] = field(default_factory=dict)
    facilities_impaired: int = 0
    displaced_individuals: int = 0
    returned_individuals: int = 0
    latest_status_changes: list[InfrastructureStatus] = field(default_factory=list)


def summarize(
    actor: Actor, admin_pcode: Optional[str], since: Optional[date], until: Optional[date]
) -> Summary:
    """Counts and sums computed in the database, restricted to what the actor may see."""
    actor.require(Scope.read)
    if admin_pcode:
        get_area(admin_pcode)
    filters = RecordFilter(admin_pcode=admin_pcode, since=since, until=until)
    out = Summary(admin_pcode, since, until)

    _incident_figures(out, incident_select(actor, filters).subquery())

    at = start_of(until, 1) if until else None
    current = current_status_select(actor, at).join(Facility)
    current = visible(current, Facility, actor)
    if admin_pcode:
        current = current.where(area_filter(actor, Facility.admin_pcode, admin_pcode))
    _condition_figures(out, current.subquery())

    out.displaced_individuals, out.returned_individuals = _movement_totals(actor, filters)
    out.latest_status_changes = status_changes(actor, filters, limit=10)
    return out


def _condition_figures(out: Summary, statuses) -> None:
    c = statuses.c
    counts = {name: Counter() for name in CONDITION}
    rows = db.session.execute(
        select(c.functionality, c.access, c.damage, func.count()).group_by(
            c.functionality, c.access, c.damage
        )
    )
    for functionality, access, damage, count in rows:
        for name, value in zip(CONDITION, (functionality, access, damage), strict=True):
            counts[name][str(value)] += count
        if is_impaired(functionality, access, damage):
            out.facilities_impaired += count
    out.facilities_by_functionality = dict(counts["functionality"].most_common())
    out.facilities_by_access = dict(counts["access"].most_common())
    out.facilities_by_damage = dict(counts["damage"].most_common())


def _incident_figures(out: Summary, incidents) -> None:
    """Counts by event type and by target, and casualty totals, from one grouped scan: at
    national scale each pass over the incidents costs a few hundred milliseconds, so one pass
    instead of three (bench/results.md)."""
    by_event: Counter[str] = Counter()
    by_target: Counter[str] = Counter()
    c = incidents.c
    rows = db.session.execute(
        select(
            c.event_type, c.target_type, func.count(), func.sum(c.killed), func.sum(c.injured)
        ).group_by(c.event_type, c.target_type)
    )
    for event_type, target_type, count, killed, injured in rows:
        by_event[str(event_type)] += count
        if target_type is not None:
            by_target[str(target_type)] += count
        out.incidents_total += count
        out.killed += killed or 0
        out.injured += injured or 0
    out.incidents_by_event_type = dict(by_event.most_common())
    out.incidents_by_target_type = dict(by_target.most_common())


def _movement_totals(actor: Actor, filters: RecordFilter) -> tuple[int, int]:
    """Displacement counts flows out of or within the area; returns count flows into it."""
    moves = movement_select(actor, RecordFilter(since=filters.since, until=filters.until))
    M = PopulationMovement
    displaced = moves.where(M.movement_type.in_(_DISPLACED))
    returned = moves.where(M.movement_type == MovementType.return_)
    if filters.admin_pcode:
        displaced = displaced.where(area_filter(actor, M.origin_pcode, filters.admin_pcode))
        returned = returned.where(area_filter(actor, M.destination_pcode, filters.admin_pcode))
    return _sum_individuals(displaced), _sum_individuals(returned)


def _sum_individuals(stmt) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(stmt.subquery().c.individuals), 0)))
