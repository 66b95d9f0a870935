"""Incident list pages: a filtered first page and a deep keyset page, under concurrency.

Each page is measured four ways in the same run:

- ``api``: ``GET /api/v1/incidents`` through gunicorn (token auth, schemas, ORM, JSON);
- ``bare``: ``/_bench/incidents`` in the same gunicorn, one hand-written SQL statement,
  rows straight to ``jsonify``: the least a Flask endpoint can do for the same page;
- ``raw``: the exact SQL statements the API request sent (captured from a real request),
  replayed over psycopg with the same concurrency: the database's share alone;
- ``hello``: a constant JSON view, the ceiling of gunicorn + Flask on this machine.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from sqlalchemy import func, select

from humanitarian.services.common import encode_cursor

from .. import db
from ..context import Bench, capture, explain, main_query, replayer
from ..harness import call_load, http_load

SCENARIOS = {
    # A governorate: a large subtree, about a quarter of all incidents.
    "governorate": {"admin_pcode": "SY07"},
    # A district: seven p-codes (the district and its sub-districts), about 4 % of incidents.
    "district": {"admin_pcode": "SY0703"},
    # A small governorate and a rare event type: few matches, the planner's hardest case.
    "sparse": {"admin_pcode": "SY14", "event_type": "riots"},
}
COMMON = {
    "since": "2024-01-01",
    "until": "2024-12-31",
    "event_type": "explosions_remote_violence",
    "limit": 50,
}
DEEP_FRACTION = 0.9  # the deep page starts 90 % of the way through the matching rows


def deep_key(filters: dict) -> tuple[tuple | None, int, int]:
    """The (occurred_on, id) key 90 % of the way into the result set, as a client walking the
    pages would hold in its cursor; also the number of matching rows and the key's depth."""
    from humanitarian.extensions import db as sqla
    from humanitarian.models import Incident
    from humanitarian.models.enums import Channel, Scope, Sensitivity
    from humanitarian.services import Actor, RecordFilter, incident_select

    actor = Actor(Channel.api, frozenset({Scope.read}), Sensitivity.partner)
    record_filter = RecordFilter(
        admin_pcode=filters["admin_pcode"],
        since=date.fromisoformat(filters["since"]),
        until=date.fromisoformat(filters["until"]),
        event_types=[filters["event_type"]],
    )
    with db.app_context():
        stmt = incident_select(actor, record_filter)
        total = sqla.session.scalar(select(func.count()).select_from(stmt.subquery()))
        if not total:  # a small dataset may hold no match: there is no deep page then
            return None, 0, 0
        depth = max(1, int(total * DEEP_FRACTION))
        key = sqla.session.execute(
            stmt.with_only_columns(Incident.occurred_on, Incident.id)
            .order_by(Incident.occurred_on.desc(), Incident.id.desc())
            .offset(depth - 1)
            .limit(1)
        ).one()
    return (key.occurred_on, key.id), total, depth


def _measure(bench: Bench, url: str, name: str, headers: dict | None = None) -> list[dict]:
    return [
        http_load(name, url, concurrency=c, seconds=bench.seconds, headers=headers).as_dict()
        for c in bench.concurrency
    ]


def run(bench: Bench) -> dict:
    out: dict = {"scenarios": {}, "hello": []}
    headers = bench.auth("read")
    with bench.server() as srv:
        bench.log("query: bare hello endpoint")
        out["hello"] = _measure(bench, srv.url + "/_bench/hello", "hello")
        for scenario, params in SCENARIOS.items():
            filters = {**COMMON, **params}
            key, total, depth = deep_key(filters)
            pages = {"first": filters}
            if key is not None:
                pages["deep"] = {**filters, "cursor": encode_cursor([key[0].isoformat(), key[1]])}
            result = {"filters": filters, "matching_rows": total, "deep_offset": depth}
            for page, query in pages.items():
                bench.log(f"query: {scenario} {page} page")
                qs = urlencode(query)
                capture(f"/api/v1/incidents?{qs}", headers)  # first use may audit the token
                statements = capture(f"/api/v1/incidents?{qs}", headers)
                # The steady state: reads plus the token's conditional last-used UPDATE.
                replay = [s for s in statements if not s.sql.lstrip().upper().startswith("INSERT")]
                main = main_query(statements, "incidents")
                bench.plans[f"query {scenario} {page}"] = explain(main)
                result[page] = {
                    "statements": len(replay),
                    "api": _measure(bench, f"{srv.url}/api/v1/incidents?{qs}", "api", headers),
                    "bare": _measure(bench, f"{srv.url}/_bench/incidents?{qs}", "bare"),
                    "raw": [
                        call_load(
                            "raw", replayer(replay), concurrency=c, seconds=bench.seconds
                        ).as_dict()
                        for c in bench.concurrency
                    ],
                }
            out["scenarios"][scenario] = result
    return out
