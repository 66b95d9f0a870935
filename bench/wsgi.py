"""The product app plus two bench-only baseline routes, served by the same gunicorn command.

    gunicorn -w 2 'bench.wsgi:create_app()'

``/_bench/hello`` is the floor: a Flask view returning a constant JSON object, so its rate is
what this gunicorn, Flask and machine can do at all. ``/_bench/incidents`` is the minimal
implementation of an incident list page: the same filters and keyset order as
``GET /api/v1/incidents``, as one hand-written SQL statement whose rows go straight to
``jsonify`` (no authentication, no ORM objects, no schemas). These routes exist only in this
wrapper; the product app never registers them.
"""

from __future__ import annotations

import base64
import json

from flask import Blueprint, Flask, jsonify, request
from sqlalchemy import bindparam, text

bare = Blueprint("bench_bare", __name__, url_prefix="/_bench")

# Same predicates as the service's incident_select + list_incidents, written by hand.
INCIDENT_PAGE_SQL = """
SELECT i.id, i.revision, i.occurred_on, i.occurred_at, i.date_precision, i.event_type,
       i.sub_event_type, i.target_type, i.facility_id, i.actor1, i.actor2,
       i.perpetrator_claimed_by, i.killed, i.injured, i.civilians_killed, i.children_killed,
       i.title, i.description, i.admin_pcode, i.latitude, i.longitude, i.geo_precision,
       i.sensitivity, i.verification, i.report_id, i.created_at, i.updated_at,
       (SELECT coalesce(json_agg(json_build_object('id', s.id, 'name', s.name,
                                                   'source_type', s.source_type)), '[]')
          FROM incident_sources l JOIN sources s ON s.id = l.source_id
         WHERE l.incident_id = i.id) AS sources
  FROM incidents i
 WHERE i.sensitivity IN ('public', 'partner')
   AND i.admin_pcode IN (SELECT pcode FROM admin_areas
                          WHERE path = :path OR path LIKE :path || '/%')
   AND i.occurred_on BETWEEN :since AND :until
   AND i.event_type IN :event_types
   AND (CAST(:key_day AS date) IS NULL OR (i.occurred_on, i.id) < (:key_day, CAST(:key_id AS uuid)))
 ORDER BY i.occurred_on DESC, i.id DESC
 LIMIT :limit
"""


def _cursor(row) -> str:
    raw = json.dumps([row["occurred_on"], str(row["id"])]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _plain(value):
    # ISO dates and times, as the API emits them (Flask's default would use HTTP dates).
    return value.isoformat() if hasattr(value, "isoformat") else value


@bare.get("/hello")
def hello():
    """Constant JSON: the framework's ceiling."""
    return jsonify({"status": "ok"})


@bare.get("/incidents")
def incidents():
    """One incident page from hand-written SQL, rows straight to JSON."""
    from humanitarian.extensions import db

    args = request.args
    path = db.session.execute(
        text("SELECT path FROM admin_areas WHERE pcode = :p"), {"p": args["admin_pcode"]}
    ).scalar_one()
    key_day = key_id = None
    if args.get("cursor"):
        padded = args["cursor"] + "=" * (-len(args["cursor"]) % 4)
        key_day, key_id = json.loads(base64.urlsafe_b64decode(padded))
    limit = int(args.get("limit", 50))
    # An expanding IN list, as the ORM sends it: "= ANY(array)" would hide the values from
    # the planner and rule out an ordered scan of the event-type index.
    statement = text(INCIDENT_PAGE_SQL).bindparams(bindparam("event_types", expanding=True))
    rows = db.session.execute(
        statement,
        {
            "path": path,
            "since": args["since"],
            "until": args["until"],
            "event_types": args.getlist("event_type"),
            "key_day": key_day,
            "key_id": key_id,
            "limit": limit + 1,
        },
    ).mappings()
    items = [{k: _plain(v) for k, v in r.items()} for r in rows]
    db.session.rollback()
    more = len(items) > limit
    items = items[:limit]
    return jsonify({"items": items, "next_cursor": _cursor(items[-1]) if more else None})


def create_app() -> Flask:
    from humanitarian import create_app as create_product_app

    app = create_product_app()
    app.register_blueprint(bare)
    return app
