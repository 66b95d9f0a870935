"""HDX HAPI-shaped monthly aggregates (DOMAIN.md, "HDX HAPI rollups").

Both rollups are sums over the very selections the incident and movement lists use
(``incident_select``, ``movement_select``), so the caller's grant, the area and period
filters, and anything those selections leave out apply here exactly once: a rollup's totals
are the list's totals for the same filters.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Optional

from sqlalchemy import func, select

from ..extensions import db
from ..models.enums import MovementType
from .actors import Actor
from .filters import RecordFilter
from .incidents import incident_select
from .movements import movement_select
from .places import Places, current_places

# ISO 3166-1 alpha-3 of a gazetteer's country p-code: HAPI's location_code.
ISO3 = {"SY": "SYR"}
# ACLED's event types in HAPI's three (civilian_targeting counts flagged incidents again).
POLITICAL_VIOLENCE = {"battles", "explosions_remote_violence", "violence_against_civilians"}
DEMONSTRATION = {"protests", "riots"}
MOB_VIOLENCE = "mob_violence"  # a riot HAPI counts as political violence
# Flows are counted once, under the district people left; returns under the one they reached.
ARRIVALS = {MovementType.return_.value}

DISPLACEMENT_NOTE = (
    "Population flows recorded in this service for the month (people moving in the period, by "
    "the district they left; returns by the district they reached). They are flows, not IOM "
    "DTM stock figures of people displaced at a date."
)


@dataclass(frozen=True)
class _Area:
    location_code: str
    admin1_code: str
    admin1_name: str
    admin2_code: str
    admin2_name: str


def _area(places: Places, pcode: Optional[str]) -> _Area:
    """The admin 1 and 2 of an area (blank below the area's own level)."""
    country, adm1, adm2 = (places.ancestor(pcode, level) for level in (0, 1, 2))
    code = ISO3.get(country.pcode, country.pcode) if country else ""
    return _Area(
        code,
        adm1.pcode if adm1 else "",
        adm1.name_en if adm1 else "",
        adm2.pcode if adm2 else "",
        adm2.name_en if adm2 else "",
    )


def _month(day: date) -> tuple[date, date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def hapi_event_types(event_type: str, sub_event_type: Optional[str], civilian: bool) -> list[str]:
    """The HAPI event types an incident counts under (none for strategic developments)."""
    types = []
    if event_type in POLITICAL_VIOLENCE or sub_event_type == MOB_VIOLENCE:
        types.append("political_violence")
    elif event_type in DEMONSTRATION:
        types.append("demonstration")
    if civilian:
        types.append("civilian_targeting")
    return types


def conflict_events(actor: Actor, filters: RecordFilter) -> list[dict]:
    """Events and fatalities per admin2, month and HAPI event type."""
    listed = incident_select(actor, filters).subquery()
    c = listed.c
    grouped = select(
        c.admin_pcode, c.occurred_on, c.event_type, c.sub_event_type, c.civilian_targeting,
        func.count(), func.sum(c.killed),
    ).group_by(
        c.admin_pcode, c.occurred_on, c.event_type, c.sub_event_type, c.civilian_targeting
    )  # fmt: skip
    places = current_places()
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for pcode, day, event, sub, civilian, count, killed in db.session.execute(grouped):
        key = (_area(places, pcode), _month(day))
        for hapi_type in hapi_event_types(str(event), sub and str(sub), bool(civilian)):
            total = totals[(*key, hapi_type)]
            total[0] += count
            total[1] += killed or 0
    rows = [
        {
            **vars(area),
            "event_type": hapi_type,
            "events": events,
            "fatalities": fatalities,
            "reference_period_start": start,
            "reference_period_end": end,
        }
        for (area, (start, end), hapi_type), (events, fatalities) in totals.items()
    ]
    return sorted(rows, key=_order)


def displacement(actor: Actor, filters: RecordFilter) -> list[dict]:
    """Flows, individuals and households per admin2, month (of the period's start) and
    movement type."""
    listed = movement_select(actor, filters).subquery()
    c = listed.c
    grouped = select(
        c.movement_type, c.origin_pcode, c.destination_pcode, c.period_start,
        func.count(), func.sum(c.individuals), func.sum(c.households),
    ).group_by(c.movement_type, c.origin_pcode, c.destination_pcode, c.period_start)  # fmt: skip
    places = current_places()
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for kind, origin, dest, start, count, people, households in db.session.execute(grouped):
        end = dest if str(kind) in ARRIVALS else origin
        pcode = end or dest or origin
        total = totals[(_area(places, pcode), _month(start), str(kind))]
        total[0] += count
        total[1] += people or 0
        total[2] += households or 0
    rows = [
        {
            **vars(area),
            "movement_type": kind,
            "flows": flows,
            "population": people,
            "households": households,
            "reference_period_start": start,
            "reference_period_end": end,
        }
        for (area, (start, end), kind), (flows, people, households) in totals.items()
    ]
    return sorted(rows, key=_order)


def _order(row: dict) -> tuple:
    kind = row.get("event_type") or row.get("movement_type")
    return (row["reference_period_start"], row["admin1_code"], row["admin2_code"], kind)
