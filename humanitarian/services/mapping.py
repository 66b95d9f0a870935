"""What maps show, gathered once for every surface (dashboard, list pages, sitreps): the frame
around an area, the governorate and district borders inside it, and incident figures per
district for the choropleth, with its class breaks.

Figures are counted over the records the reader may see, with the reader's own filters, and
rolled up to the district (admin 2): that is the finest level public readers see, so one
choropleth serves every audience. Incidents placed only at governorate level cannot be drawn
in a district and are counted apart (``unplaced``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, select

from ..extensions import db
from .actors import Actor
from .boundaries import shapes
from .filters import RecordFilter
from .incidents import incident_select
from .places import Place, current_places

ATTRIBUTION = "Boundaries: UN OCHA / UNCS, Syrian Arab Republic COD-AB, via HDX (CC BY 3.0 IGO)"
CLASSES = 5  # "none" plus four ranges
TOLERANCES = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02)


@dataclass
class DistrictFigures:
    place: Place
    incidents: int = 0
    killed: int = 0
    injured: int = 0

    @property
    def casualties(self) -> int:
        return self.killed + self.injured


@dataclass
class Frame:
    """The map's extent (degrees) and the layers inside it, simplified for the scale."""

    west: float
    south: float
    east: float
    north: float
    districts: dict[str, BaseGeometry] = field(default_factory=dict)
    governorates: dict[str, BaseGeometry] = field(default_factory=dict)
    focus: Optional[str] = None  # the area the map is about; others are context

    @property
    def mid_lat(self) -> float:
        return (self.south + self.north) / 2


def incidents_by_district(
    actor: Actor, filters: RecordFilter
) -> tuple[dict[str, DistrictFigures], int]:
    """Incidents, killed and injured per district p-code, and how many incidents are placed
    only above district level."""
    sub = incident_select(actor, filters).subquery()
    rows = db.session.execute(
        select(
            sub.c.admin_pcode,
            func.count(),
            func.coalesce(func.sum(sub.c.killed), 0),
            func.coalesce(func.sum(sub.c.injured), 0),
        ).group_by(sub.c.admin_pcode)
    ).all()
    places = current_places()
    figures: dict[str, DistrictFigures] = {}
    unplaced = 0
    for pcode, count, killed, injured in rows:
        district = places.ancestor(pcode, 2)
        if district is None:
            unplaced += count
            continue
        entry = figures.setdefault(district.pcode, DistrictFigures(district))
        entry.incidents += count
        entry.killed += int(killed)
        entry.injured += int(injured)
    return figures, unplaced


def class_breaks(maximum: int, classes: int = CLASSES) -> list[tuple[int, int]]:
    """Inclusive value ranges for the choropleth: (0, 0) for none, then equal steps rounded to
    whole numbers up to ``maximum``."""
    ranges = [(0, 0)]
    if maximum <= 0:
        return ranges
    step = max(1, math.ceil(maximum / (classes - 1)))
    low = 1
    while low <= maximum:
        ranges.append((low, min(low + step - 1, maximum)))
        low += step
    return ranges


def class_of(value: int, breaks: list[tuple[int, int]]) -> int:
    for index, (low, high) in enumerate(breaks):
        if low <= value <= high:
            return index
    return len(breaks) - 1


def map_frame(pcode: Optional[str], aspect: float, pixels: int) -> Frame:
    """The frame around an area (the whole gazetteer without one), widened to ``aspect``
    (width / height on screen) and with borders simplified to about one pixel of ``pixels``
    across."""
    places = current_places()
    geometries = places.geometries
    focus = geometries.get(pcode or "")
    if focus is None:
        roots = [g for p, g in geometries.items() if places.by_pcode[p].level == 0]
        focus_bounds = _union_bounds(roots or list(geometries.values()))
    else:
        focus_bounds = focus.bounds
    west, south, east, north = _fit(focus_bounds, aspect)
    # One of a few steps, so frames of similar scale share one simplified layer.
    wanted = (east - west) / max(pixels, 1)
    tolerance = max([t for t in TOLERANCES if t <= wanted], default=TOLERANCES[0])
    frame = Frame(west, south, east, north, focus=pcode if focus is not None else None)
    frame.districts = _within(shapes(2, tolerance, places), frame)
    frame.governorates = _within(shapes(1, tolerance, places), frame)
    return frame


def _union_bounds(geometries: list[BaseGeometry]) -> tuple[float, float, float, float]:
    if not geometries:
        return (35.5, 32.3, 42.4, 37.4)  # Syria, before any gazetteer is loaded
    bounds = [g.bounds for g in geometries]
    return (
        min(b[0] for b in bounds),
        min(b[1] for b in bounds),
        max(b[2] for b in bounds),
        max(b[3] for b in bounds),
    )


def _fit(bounds, aspect: float) -> tuple[float, float, float, float]:
    west, south, east, north = bounds
    pad = max(east - west, north - south) * 0.04 + 0.02
    west, south, east, north = west - pad, south - pad, east + pad, north + pad
    stretch = 1 / math.cos(math.radians((south + north) / 2))
    width, height = east - west, (north - south) * stretch
    if width / height < aspect:
        grow = (height * aspect - width) / 2
        west, east = west - grow, east + grow
    else:
        grow = (width / aspect - height) / 2 / stretch
        south, north = south - grow, north + grow
    return west, south, east, north


def _within(layer: dict[str, BaseGeometry], frame: Frame) -> dict[str, BaseGeometry]:
    def overlaps(geometry):
        w, s, e, n = geometry.bounds
        return w <= frame.east and e >= frame.west and s <= frame.north and n >= frame.south

    return {p: g for p, g in layer.items() if overlaps(g)}
