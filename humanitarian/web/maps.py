"""Server-drawn maps for the pages: district and governorate borders from the gazetteer, a
choropleth of incidents per district, points (incidents or facilities) or flow lines, a legend,
a scale bar and the data's attribution, as plain numbers for an inline SVG template.

Drawing on the server keeps the pages usable without JavaScript, offline and on a slow link.
The projection is equirectangular with longitude shrunk by cos(latitude), accurate enough at
country scale; borders are simplified to about a pixel (``services/mapping.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

from shapely.geometry.base import BaseGeometry

from ..models.enums import condition_level, describe_condition
from ..services import Actor, RecordFilter
from ..services.mapping import (
    ATTRIBUTION,
    Frame,
    class_breaks,
    class_of,
    incidents_by_district,
    map_frame,
)
from ..services.places import current_places
from ..services.visibility import reader_pcode

WIDTH, HEIGHT = 640, 460


@dataclass
class SvgMap:
    width: int
    height: int
    districts: list[dict] = field(default_factory=list)
    governorates: list[dict] = field(default_factory=list)
    labels: list[dict] = field(default_factory=list)
    points: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    legend: list[dict] = field(default_factory=list)
    scale: dict = field(default_factory=dict)
    unplaced: int = 0
    attribution: str = ATTRIBUTION
    metric: str = "incidents"


class Projection:
    def __init__(self, frame: Frame, width: int, height: int):
        self.frame = frame
        self.kx = math.cos(math.radians(frame.mid_lat))
        self.scale = min(
            width / ((frame.east - frame.west) * self.kx), height / (frame.north - frame.south)
        )

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            round((lon - self.frame.west) * self.kx * self.scale, 1),
            round((self.frame.north - lat) * self.scale, 1),
        )

    def path(self, geometry: BaseGeometry) -> str:
        """SVG path data for a (multi)polygon: one closed subpath per ring."""
        parts = []
        polygons = getattr(geometry, "geoms", [geometry])
        for polygon in polygons:
            for ring in [polygon.exterior, *polygon.interiors]:
                points = [self.xy(x, y) for x, y in ring.coords]
                parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in _dedupe(points)) + "Z")
        return "".join(parts)


def _dedupe(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Consecutive points that round to the same pixel add nothing but bytes."""
    out = [points[0]]
    for point in points[1:]:
        if point != out[-1]:
            out.append(point)
    return out


def area_map(
    actor: Actor,
    filters: RecordFilter,
    *,
    points: Optional[list[dict]] = None,
    lines: Optional[list[dict]] = None,
    choropleth: bool = True,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> SvgMap:
    """The map of ``filters.admin_pcode`` (the whole country without one): borders, the
    choropleth of incidents per district for the same filters, and the given points (dicts
    with ``latitude``, ``longitude``, ``r``, ``cls``, ``kind``, ``id``, ``title``, ``href``) or
    lines."""
    frame = map_frame(reader_pcode(actor, filters.admin_pcode), width / height, width)
    proj = Projection(frame, width, height)
    figures, unplaced = incidents_by_district(actor, filters) if choropleth else ({}, 0)
    breaks = class_breaks(max((f.incidents for f in figures.values()), default=0))
    view = SvgMap(width, height, unplaced=unplaced)
    places = current_places()
    inside = _inside(frame)
    for pcode, shape in frame.districts.items():
        entry = figures.get(pcode)
        count = entry.incidents if entry else 0
        place = places.get(pcode)
        view.districts.append(
            {
                "pcode": pcode,
                "d": proj.path(shape),
                "cls": f"c{class_of(count, breaks)}" if choropleth else "c0",
                "context": not inside(pcode),
                "title": _title(place, entry, choropleth),
                "incidents": count,
            }
        )
    for pcode, shape in frame.governorates.items():
        view.governorates.append({"pcode": pcode, "d": proj.path(shape)})
    view.labels = _labels(frame, proj, places, inside)
    view.points = _project(proj, points or [])
    view.lines = [
        {**line, "x1": a[0], "y1": a[1], "x2": b[0], "y2": b[1]}
        for line in lines or []
        for a, b in [(proj.xy(*line["start"]), proj.xy(*line["end"]))]
    ]
    if choropleth:
        view.legend = [
            {
                "cls": f"c{i}",
                "label": "none" if hi == 0 else (f"{lo}" if lo == hi else f"{lo}–{hi}"),
            }
            for i, (lo, hi) in enumerate(breaks)
        ]
    view.scale = _scale_bar(proj, width, height)
    return view


def _inside(frame: Frame):
    lineage = current_places().get(frame.focus)
    if lineage is None:
        return lambda pcode: True
    focus = frame.focus

    def inside(pcode: str) -> bool:
        place = current_places().get(pcode)
        return place is not None and (focus in place.lineage or pcode in lineage.lineage)

    return inside


def _title(place, entry, choropleth: bool) -> str:
    name = f"{place.name_en} · {place.name_ar} ({place.pcode})" if place else ""
    if not choropleth:
        return name
    if entry is None:
        return f"{name}: no incidents"
    return f"{name}: {entry.incidents} incidents, {entry.killed} killed, {entry.injured} injured"


def _labels(frame: Frame, proj: Projection, places, inside) -> list[dict]:
    """Governorate names on a country map; district names when the map shows one area."""
    layer = frame.governorates if frame.focus is None else frame.districts
    labels = []
    for pcode in layer:
        place = places.get(pcode)
        if place is None or place.centroid_lat is None or not inside(pcode):
            continue
        x, y = proj.xy(place.centroid_lon, place.centroid_lat)
        labels.append({"x": x, "y": y, "text": place.name_en, "pcode": pcode})
    return labels


def _project(proj: Projection, points: list[dict]) -> list[dict]:
    out = []
    for point in points:
        if point.get("latitude") is None:
            continue
        x, y = proj.xy(point["longitude"], point["latitude"])
        out.append({**point, "x": x, "y": y})
    return out


def _scale_bar(proj: Projection, width: int, height: int) -> dict:
    """A round-number kilometre bar in the lower-left corner."""
    km_per_px = 111.32 / proj.scale  # x is already shrunk by cos(latitude)
    length = next((n for n in (200, 100, 50, 25, 20, 10, 5, 2, 1) if n / km_per_px <= width / 4), 1)
    pixels = round(length / km_per_px, 1)
    return {"x1": 12, "x2": round(12 + pixels, 1), "y": height - 14, "label": f"{length} km"}


def incident_points(incidents: list[dict]) -> list[dict]:
    """Dumped incidents (already coarsened for public readers) as map points sized by killed
    plus injured; one without coordinates is drawn at its area's centre."""
    from flask import url_for

    places = current_places()
    out = []
    for i in incidents:
        lat, lon = i.get("latitude"), i.get("longitude")
        if lat is None:
            place = places.get(i.get("admin_pcode"))
            lat, lon = (place.centroid_lat, place.centroid_lon) if place else (None, None)
        hurt = (i.get("killed") or 0) + (i.get("injured") or 0)
        out.append(
            {
                "latitude": lat,
                "longitude": lon,
                "r": round(min(3.5 + math.sqrt(hurt), 12), 1),
                "cls": i.get("event_type") or "",
                "kind": "incident",
                "id": i["id"],
                "href": url_for("web.incident_detail", incident_id=i["id"]),
                "title": f"{i['occurred_on']} · {i['title']} "
                f"({_n(i.get('killed'))} killed, {_n(i.get('injured'))} injured)",
            }
        )
    return out


def facility_points(facilities: list[dict]) -> list[dict]:
    """Dumped facilities with their current status as points coloured by status."""
    from flask import url_for

    out = []
    for f in facilities:
        status = f.get("current_status") or {}
        out.append(
            {
                "latitude": f.get("latitude"),
                "longitude": f.get("longitude"),
                "r": 5,
                "cls": f"status-{condition_level(status)}",
                "kind": "facility",
                "id": f["id"],
                "href": url_for("web.facility_detail", facility_id=f["id"]),
                "title": f"{f['name']} · {describe_condition(status).lower()}",
            }
        )
    return out


def flow_lines(movements: list[dict]) -> list[dict]:
    """Dumped movements as lines between the centres of origin and destination."""
    from flask import url_for

    places = current_places()
    out = []
    for m in movements:
        start, end = places.get(m.get("origin_pcode")), places.get(m.get("destination_pcode"))
        if start is None or end is None or start.centroid_lat is None or end.centroid_lat is None:
            continue
        out.append(
            {
                "start": (start.centroid_lon, start.centroid_lat),
                "end": (end.centroid_lon, end.centroid_lat),
                "cls": m["movement_type"],
                "id": m["id"],
                "width": round(min(1 + math.log10(max(m.get("individuals") or 1, 1)), 7), 1),
                "href": url_for("web.movement_detail", movement_id=m["id"]),
                "title": f"{m['movement_type'].replace('_', ' ')}: {start.name_en} → "
                f"{end.name_en}, {_n(m.get('individuals'))} people",
            }
        )
    return out


def _n(value) -> str:
    return "unknown" if value is None else f"{value:,}"


# What a kind's list page draws over the borders, from its dumped rows.
LIST_LAYERS = {
    "incidents": lambda rows: {"points": incident_points(rows)},
    "facilities": lambda rows: {"points": facility_points(rows), "choropleth": False},
    "movements": lambda rows: {"lines": flow_lines(rows), "choropleth": False},
}


def listing_map(actor: Actor, kind: str, listing, rows: list[dict]) -> Optional[SvgMap]:
    """The map of a list page's filters with the kind's rows on it (``LIST_LAYERS``): None
    when the filters were refused or the kind has no map."""
    layers = LIST_LAYERS.get(kind)
    if listing.filters is None or layers is None:
        return None
    return area_map(actor, listing.filters, **layers(rows))
