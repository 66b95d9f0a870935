"""Server-drawn charts and the incident map, as plain numbers for inline SVG templates.

Drawing on the server keeps pages usable without JavaScript, on a slow link, and offline: no
chart library, no tile server. The map places points by longitude/latitude over admin-area
centroids with an equirectangular projection, which is accurate enough at the scale of a
governorate and needs no map data we do not already hold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from ..extensions import db
from ..services import Actor, RecordFilter, incident_select

CHART_W, PANEL_H, GAP, LEFT = 640, 110, 34, 44


@dataclass
class Bucket:
    start: date
    incidents: int = 0
    killed: int = 0
    injured: int = 0


def incident_timeline(actor: Actor, filters: RecordFilter) -> tuple[list[Bucket], str]:
    """Incidents and casualties per day (or week/month over long periods), visible ones only."""
    incidents = incident_select(actor, filters).subquery()
    rows = db.session.execute(
        select(
            incidents.c.occurred_on,
            func.count(),
            func.coalesce(func.sum(incidents.c.killed), 0),
            func.coalesce(func.sum(incidents.c.injured), 0),
        )
        .group_by(incidents.c.occurred_on)
        .order_by(incidents.c.occurred_on)
    ).all()
    if not rows:
        return [], "day"
    first = filters.since or rows[0][0]
    last = filters.until or rows[-1][0]
    span = (last - first).days
    unit = "day" if span <= 62 else "week" if span <= 366 else "month"
    buckets: dict[date, Bucket] = {}
    cursor = _bucket_start(first, unit)
    while cursor <= last:
        buckets[cursor] = Bucket(cursor)
        cursor = _next(cursor, unit)
    for day, count, killed, injured in rows:
        bucket = buckets.setdefault(_bucket_start(day, unit), Bucket(_bucket_start(day, unit)))
        bucket.incidents += count
        bucket.killed += int(killed)
        bucket.injured += int(injured)
    return [buckets[k] for k in sorted(buckets)], unit


def _bucket_start(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def _next(day: date, unit: str) -> date:
    if unit == "week":
        return day + timedelta(days=7)
    if unit == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day + timedelta(days=1)


def _nice_max(value: int) -> int:
    """A round axis maximum: 1, 2, 5, 10, 20, 50..."""
    if value <= 0:
        return 1
    magnitude = 10 ** int(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def timeline_chart(buckets: list[Bucket], unit: str) -> dict:
    """Geometry of two bar panels sharing the time axis: incidents, then killed + injured."""
    n = max(len(buckets), 1)
    plot_w = CHART_W - LEFT - 8
    slot = plot_w / n
    bar = max(slot * 0.7, 1.0)
    max_inc = _nice_max(max((b.incidents for b in buckets), default=0))
    max_cas = _nice_max(max((b.killed + b.injured for b in buckets), default=0))
    label_every = max(1, math.ceil(n / 8))
    top2 = PANEL_H + GAP
    bars = []
    for i, b in enumerate(buckets):
        x = LEFT + i * slot + (slot - bar) / 2
        h_inc = PANEL_H * b.incidents / max_inc
        h_k = PANEL_H * b.killed / max_cas
        h_i = PANEL_H * b.injured / max_cas
        bars.append(
            {
                "bucket": b,
                "x": round(x, 1),
                "w": round(bar, 1),
                "inc_y": round(PANEL_H - h_inc, 1),
                "inc_h": round(h_inc, 1),
                "killed_y": round(top2 + PANEL_H - h_k, 1),
                "killed_h": round(h_k, 1),
                "injured_y": round(top2 + PANEL_H - h_k - h_i, 1),
                "injured_h": round(h_i, 1),
                "label": _tick(b.start, unit) if i % label_every == 0 else None,
                "label_x": round(x + bar / 2, 1),
            }
        )
    return {
        "width": CHART_W,
        "height": 2 * PANEL_H + GAP + 22,
        "panel_h": PANEL_H,
        "top2": top2,
        "left": LEFT,
        "max_incidents": max_inc,
        "max_casualties": max_cas,
        "bars": bars,
        "unit": unit,
    }


def _tick(day: date, unit: str) -> str:
    return day.strftime("%b %Y") if unit == "month" else day.strftime("%d %b")


@dataclass
class MapView:
    width: int
    height: int
    areas: list[dict] = field(default_factory=list)
    points: list[dict] = field(default_factory=list)
    grid: list[dict] = field(default_factory=list)


def incident_map(areas: list, incidents: list[dict], width: int = 640) -> MapView:
    """Project admin-area centroids and incident points (already coarsened for public
    readers) into an SVG box that fits them all."""
    places = [(a.centroid_lon, a.centroid_lat) for a in areas if a.centroid_lat is not None]
    located = [i for i in incidents if i.get("latitude") is not None]
    places += [(i["longitude"], i["latitude"]) for i in located]
    if not places:
        return MapView(width, 0)
    lons, lats = [p[0] for p in places], [p[1] for p in places]
    pad = 0.25
    west, east = min(lons) - pad, max(lons) + pad
    south, north = min(lats) - pad, max(lats) + pad
    # Equirectangular: shrink longitude by cos(latitude) so shapes are not stretched.
    kx = math.cos(math.radians((north + south) / 2))
    scale = (width - 20) / max((east - west) * kx, 0.01)
    height = int(min(max((north - south) * scale + 20, 160), 560))
    scale = min(scale, (height - 20) / max(north - south, 0.01))

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return round(10 + (lon - west) * kx * scale, 1), round(10 + (north - lat) * scale, 1)

    view = MapView(width, height)
    for a in areas:
        if a.centroid_lat is None:
            continue
        x, y = xy(a.centroid_lon, a.centroid_lat)
        view.areas.append({"area": a, "x": x, "y": y})
    for i in located:
        x, y = xy(i["longitude"], i["latitude"])
        casualties = (i.get("killed") or 0) + (i.get("injured") or 0)
        radius = round(min(4 + math.sqrt(casualties), 14), 1)
        view.points.append({"incident": i, "x": x, "y": y, "r": radius})
    step = 1.0 if east - west > 3 else 0.5
    for lon in _steps(west, east, step):
        view.grid.append(
            {
                "x1": xy(lon, north)[0],
                "y1": 0,
                "x2": xy(lon, north)[0],
                "y2": height,
                "label": f"{lon:g}°E",
            }
        )
    for lat in _steps(south, north, step):
        view.grid.append(
            {
                "x1": 0,
                "y1": xy(west, lat)[1],
                "x2": width,
                "y2": xy(west, lat)[1],
                "label": f"{lat:g}°N",
            }
        )
    return view


def _steps(low: float, high: float, step: float) -> list[float]:
    first = math.ceil(low / step) * step
    count = int((high - first) / step) + 1
    return [round(first + k * step, 2) for k in range(max(count, 0))]
