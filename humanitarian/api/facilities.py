"""/facilities: named assets with their current status and append-only status history."""

from __future__ import annotations

import uuid

from flask.views import MethodView

from schemas.api import IdempotencyHeaderSchema, StatusPageSchema

from ..kinds import FACILITIES, STATUSES
from ..services import set_infrastructure_status, status_history
from .auth import current_actor
from .common import (
    API_PREFIX,
    append_one,
    body_doc,
    created_doc,
    json_response,
    make_blueprint,
    ok_doc,
    rules_doc,
)
from .records import add_collection, add_retraction

blp = make_blueprint(
    "facilities", __name__, "Facilities (airports, roads, schools…) and their status over time."
)
add_collection(blp, FACILITIES)
add_retraction(blp, STATUSES, "/facilities/<uuid:facility_id>/statuses/<uuid:status_id>/retraction")


@blp.route("/facilities/<uuid:facility_id>/statuses")
class FacilityStatuses(MethodView):
    @blp.doc(**ok_doc(StatusPageSchema, 401, 403, 404))
    def get(self, facility_id: uuid.UUID):
        """The facility's status history, oldest first; nothing in it is ever overwritten."""
        actor = current_actor()
        history = status_history(actor, facility_id)
        items = STATUSES.out_schema(many=True, reader=actor).dump(history)
        return json_response({"items": items, "next_cursor": None})

    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.doc(**body_doc(STATUSES.in_schema), **rules_doc(STATUSES.in_schema))
    @blp.doc(**created_doc(STATUSES.out_schema))
    def post(self, headers, facility_id: uuid.UUID):
        """Append a status change (closed, damaged, operational…) to the facility's history."""
        actor = current_actor()
        out = STATUSES.out_schema(reader=actor)

        def write(data, report):
            return out.dump(set_infrastructure_status(actor, facility_id, data, report=report))

        return append_one(
            actor,
            headers,
            STATUSES.in_schema(),
            write,
            lambda body: f"{API_PREFIX}/facilities/{body['facility_id']}/statuses",
        )
