"""/incidents: list, append (one or a batch), read, and corrections as revisions."""

from __future__ import annotations

import uuid

from flask.views import MethodView

from schemas import CorrectionSchema, IncidentOutSchema, IncidentRevisionSchema
from schemas.api import IdempotencyHeaderSchema, RevisionPageSchema

from ..kinds import INCIDENTS
from ..services import correct_incident, incident_revisions
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
    "incidents", __name__, "Incidents: one event at one place and time, with revisions."
)
add_collection(blp, INCIDENTS)
add_retraction(blp, INCIDENTS, "/incidents/<uuid:incident_id>/retraction")


@blp.route("/incidents/<uuid:incident_id>/revisions")
class IncidentRevisions(MethodView):
    @blp.doc(**ok_doc(RevisionPageSchema, 401, 403, 404))
    def get(self, incident_id: uuid.UUID):
        """The incident's revision history, oldest first, each with its reason."""
        actor = current_actor()
        revisions = incident_revisions(actor, incident_id)
        items = IncidentRevisionSchema(many=True, reader=actor).dump(revisions)
        return json_response({"items": items, "next_cursor": None})

    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.doc(**body_doc(CorrectionSchema, description="the full corrected record plus reason"))
    @blp.doc(**rules_doc(CorrectionSchema))
    @blp.doc(**created_doc(IncidentOutSchema))
    def post(self, headers, incident_id: uuid.UUID):
        """Append a correction: the full record plus a reason, stored as a new revision."""
        actor = current_actor()
        out = IncidentOutSchema(reader=actor)

        def write(data, report):
            incident = correct_incident(
                actor, incident_id, data["incident"], data["reason"], report=report
            )
            return out.dump(incident)

        return append_one(
            actor,
            headers,
            CorrectionSchema(),
            write,
            lambda body: f"{API_PREFIX}/incidents/{body['id']}",
        )
