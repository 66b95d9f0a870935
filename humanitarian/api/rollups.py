"""/rollups: HDX HAPI-shaped monthly aggregates of conflict events and displacement flows."""

from __future__ import annotations

from flask.views import MethodView

from schemas import RollupQuerySchema
from schemas.rollups import ConflictEventsSchema, DisplacementSchema

from ..kinds.rollups import CONFLICT_EVENTS, DISPLACEMENT
from ..services import Actor
from ..services.rollups import DISPLACEMENT_NOTE, conflict_events, displacement
from .auth import current_actor
from .common import json_response, make_blueprint, ok_doc, rules_doc
from .exports import audit_export, negotiate, render

blp = make_blueprint(
    "rollups", __name__, "HDX HAPI rollups: monthly aggregates with HAPI's column names."
)


def _respond(actor: Actor, listing, rows: list[dict], query: dict, note: str = ""):
    fmt = negotiate(query.get("format"))
    if fmt == "geojson":
        fmt = "json"
    dumped = listing.out_schema(many=True).dump(rows)
    if fmt == "json":
        body = {"items": dumped}
        if note:
            body["note"] = note
        return json_response(body)
    audit_export(actor, listing, fmt, {"limit": "all"})
    response = render(listing, fmt, [dumped], None)
    if note:
        response.headers["X-Note"] = note
    return response


def _rollup_doc(schema) -> dict:
    """JSON by default; CSV or HXL (text/csv) with ``format``."""
    doc = ok_doc(schema, 400, 401, 403)
    doc["responses"]["200"]["content"]["text/csv"] = {"schema": {"type": "string"}}
    return doc | rules_doc(RollupQuerySchema)


@blp.route("/rollups/conflict-events")
class ConflictEvents(MethodView):
    @blp.arguments(RollupQuerySchema, location="query")
    @blp.doc(**_rollup_doc(ConflictEventsSchema))
    def get(self, query):
        """Conflict events and fatalities per admin2, month and HAPI event type."""
        actor = current_actor()
        return _respond(actor, CONFLICT_EVENTS, conflict_events(actor, query["filters"]), query)


@blp.route("/rollups/displacement")
class Displacement(MethodView):
    @blp.arguments(RollupQuerySchema, location="query")
    @blp.doc(**_rollup_doc(DisplacementSchema))
    def get(self, query):
        """Population flows per admin2, month and movement type (flows, not DTM stocks)."""
        actor = current_actor()
        rows = displacement(actor, query["filters"])
        return _respond(actor, DISPLACEMENT, rows, query, DISPLACEMENT_NOTE)
