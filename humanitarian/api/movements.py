"""/movements: displacement and return flows, appended one at a time or in batches."""

from __future__ import annotations

import uuid

from flask.views import MethodView
from sqlalchemy.orm import selectinload

from schemas import MovementInSchema, MovementOutSchema, MovementQuerySchema
from schemas.api import (
    IdempotencyHeaderSchema,
    MovementBatchOutSchema,
    MovementBatchSchema,
    MovementPageSchema,
)

from ..models import PopulationMovement
from ..services import get_movement, list_movements, movement_select, record_movement
from .auth import current_actor
from .common import (
    append_one_or_batch,
    body_doc,
    created_doc,
    json_response,
    list_doc,
    make_blueprint,
    ok_doc,
)
from .exports import Areas, Column, Listing, adm, list_response, source_names

blp = make_blueprint(
    "movements", __name__, "Population movements: flows of people between areas over a period."
)

COLUMNS = (
    Column("id", "#meta+id"),
    Column("movement_type", "#indicator+movement"),
    Column("origin", "#adm1+code+origin", adm(1, 0, "origin_pcode")),
    Column("destination", "#adm1+code+dest", adm(1, 0, "destination_pcode")),
    Column("individuals", "#affected+ind"),
    Column("sources", "#meta+source", source_names),
    Column("verification", "#status+verification"),
    Column("origin_pcode"),
    Column("destination_pcode"),
    Column("period_start"),
    Column("period_end"),
    Column("households"),
    Column("estimate_method"),
    Column("description"),
    Column("sensitivity"),
    Column("report_id"),
    Column("created_at"),
    Column("updated_at"),
)


def flow_geometry(row: dict, areas: Areas):
    """A line from the origin's centroid to the destination's, or the one that is known."""
    ends = [areas.centroid(row.get(k)) for k in ("origin_pcode", "destination_pcode")]
    known = [list(e) for e in ends if e]
    if len(known) == 2:
        return {"type": "LineString", "coordinates": known}
    return {"type": "Point", "coordinates": known[0]} if known else None


def _stream_select(actor, filters):
    M = PopulationMovement
    return (
        movement_select(actor, filters)
        .order_by(M.period_start.desc(), M.id.desc())
        .options(selectinload(M.sources))
    )


LISTING = Listing(
    "movements",
    MovementOutSchema,
    COLUMNS,
    page=list_movements,
    select=_stream_select,
    geometry=flow_geometry,
)


@blp.route("/movements")
class Movements(MethodView):
    @blp.arguments(MovementQuerySchema, location="query")
    @blp.doc(**list_doc(MovementPageSchema))
    def get(self, query):
        """List movements, latest period first; filter, page, or export."""
        return list_response(current_actor(), LISTING, query)

    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.doc(
        **body_doc(
            MovementInSchema,
            MovementBatchSchema,
            description='one movement, or {"items": [...]} appended all-or-nothing',
        )
    )
    @blp.doc(**created_doc(MovementOutSchema, MovementBatchOutSchema))
    def post(self, headers):
        """Append a movement, or a batch of movements as {"items": [...]}."""
        return append_one_or_batch(
            current_actor(),
            headers,
            one=MovementInSchema,
            batch=MovementBatchSchema,
            out=MovementOutSchema(reader=current_actor()),
            record=record_movement,
            collection="movements",
        )


@blp.route("/movements/<uuid:movement_id>")
class MovementItem(MethodView):
    @blp.doc(**ok_doc(MovementOutSchema, 401, 403, 404))
    def get(self, movement_id: uuid.UUID):
        """One movement."""
        actor = current_actor()
        movement = get_movement(actor, movement_id)
        return json_response(MovementOutSchema(reader=actor).dump(movement))
