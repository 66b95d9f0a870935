"""Server-drawn charts, as plain numbers for inline SVG templates (the maps are in
``maps.py``).

Drawing on the server keeps pages usable without JavaScript, on a slow link, and offline: no
chart library.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
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
