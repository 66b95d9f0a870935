"""/incidents: list, append (one or a batch), read, and corrections as revisions."""

from __future__ import annotations

import uuid

from flask.views import MethodView
from sqlalchemy.orm import selectinload

from schemas import (
    CorrectionSchema,
    IncidentInSchema,
    IncidentOutSchema,
    IncidentQuerySchema,
    IncidentRevisionSchema,
)
from schemas.api import (
    IdempotencyHeaderSchema,
    IncidentBatchOutSchema,
    IncidentBatchSchema,
    IncidentPageSchema,
    RevisionPageSchema,
)

from ..models import Incident
from ..models.enums import Scope
from ..services import (
    correct_incident,
    get_incident,
    incident_revisions,
    incident_select,
    list_incidents,
    record_incident,
)
from .auth import current_actor
from .common import (
    API_PREFIX,
    append,
    append_one_or_batch,
    body_doc,
    created_doc,
    json_body,
    json_response,
    list_doc,
    make_blueprint,
    ok_doc,
)
from .exports import Column, Listing, adm, list_response, source_names

blp = make_blueprint(
    "incidents", __name__, "Incidents: one event at one place and time, with revisions."
)

# The tagged columns and their hashtags are DOMAIN.md's HXL table; the rest are untagged.
COLUMNS = (
    Column("id", "#meta+id"),
    Column("occurred_on", "#date+occurred"),
    Column("event_type", "#event+type"),
    Column("sub_event_type", "#event+type+sub"),
    Column("target_type", "#loc+type"),
    Column("admin1_pcode", "#adm1+code", adm(1, 0)),
    Column("admin1_name", "#adm1+name", adm(1, 1)),
    Column("admin2_pcode", "#adm2+code", adm(2, 0)),
    Column("admin2_name", "#adm2+name", adm(2, 1)),
    Column("latitude", "#geo+lat"),
    Column("longitude", "#geo+lon"),
    Column("killed", "#affected+killed"),
    Column("injured", "#affected+injured"),
    Column("actor1", "#org+actor1"),
    Column("sources", "#meta+source", source_names),
    Column("verification", "#status+verification"),
    Column("revision"),
    Column("title"),
    Column("admin_pcode"),
    Column("geo_precision"),
    Column("occurred_at"),
    Column("date_precision"),
    Column("facility_id"),
    Column("actor2"),
    Column("perpetrator_claimed_by"),
    Column("civilians_killed"),
    Column("children_killed"),
    Column("description"),
    Column("sensitivity"),
    Column("report_id"),
    Column("created_at"),
    Column("updated_at"),
)


def _stream_select(actor, filters):
    # Same order as the paged list, so an export and a page walk agree.
    return (
        incident_select(actor, filters)
        .order_by(Incident.occurred_on.desc(), Incident.id.desc())
        .options(selectinload(Incident.sources))
    )


LISTING = Listing(
    "incidents", IncidentOutSchema, COLUMNS, page=list_incidents, select=_stream_select
)


@blp.route("/incidents")
class Incidents(MethodView):
    @blp.arguments(IncidentQuerySchema, location="query")
    @blp.doc(**list_doc(IncidentPageSchema))
    def get(self, query):
        """List incidents, newest first; filter, page, or export as CSV, HXL or GeoJSON."""
        return list_response(current_actor(), LISTING, query)

    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.doc(
        **body_doc(
            IncidentInSchema,
            IncidentBatchSchema,
            description='one incident, or {"items": [...]} appended all-or-nothing',
        )
    )
    @blp.doc(**created_doc(IncidentOutSchema, IncidentBatchOutSchema))
    def post(self, headers):
        """Append an incident, or a batch of incidents as {"items": [...]}."""
        return append_one_or_batch(
            current_actor(),
            headers,
            one=IncidentInSchema,
            batch=IncidentBatchSchema,
            out=IncidentOutSchema(reader=current_actor()),
            record=record_incident,
            collection="incidents",
        )


@blp.route("/incidents/<uuid:incident_id>")
class IncidentItem(MethodView):
    @blp.doc(**ok_doc(IncidentOutSchema, 401, 403, 404))
    def get(self, incident_id: uuid.UUID):
        """One incident at its latest revision."""
        actor = current_actor()
        incident = get_incident(actor, incident_id)
        return json_response(IncidentOutSchema(reader=actor).dump(incident))


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
    @blp.doc(**created_doc(IncidentOutSchema))
    def post(self, headers, incident_id: uuid.UUID):
        """Append a correction: the full record plus a reason, stored as a new revision."""
        actor = current_actor()
        actor.require(Scope.append)
        payload = json_body()
        data = CorrectionSchema().load(payload)
        out = IncidentOutSchema(reader=actor)

        def work(report):
            incident = correct_incident(
                actor, incident_id, data["incident"], data["reason"], report=report
            )
            return out.dump(incident)

        return append(
            actor, headers, payload, work, lambda body: f"{API_PREFIX}/incidents/{body['id']}"
        )
