"""/facilities: named assets with their current status and append-only status history."""

from __future__ import annotations

import uuid

from flask.views import MethodView

from schemas import (
    FacilityInSchema,
    FacilityOutSchema,
    FacilityQuerySchema,
    StatusInSchema,
    StatusOutSchema,
)
from schemas.api import FacilityPageSchema, IdempotencyHeaderSchema, StatusPageSchema

from ..models import Facility
from ..models.enums import Scope
from ..services import (
    create_facility,
    current_status,
    current_statuses,
    facility_select,
    get_facility,
    list_facilities,
    set_infrastructure_status,
    status_history,
)
from .auth import current_actor
from .common import (
    API_PREFIX,
    append,
    body_doc,
    created_doc,
    json_body,
    json_response,
    list_doc,
    make_blueprint,
    ok_doc,
)
from .exports import Column, Listing, adm, list_response

blp = make_blueprint(
    "facilities", __name__, "Facilities (airports, roads, schools…) and their status over time."
)


def _status(key: str):
    return lambda row, _areas: (row.get("current_status") or {}).get(key)


COLUMNS = (
    Column("id", "#meta+id"),
    Column("name", "#loc+name"),
    Column("facility_type", "#loc+type"),
    Column("admin1_pcode", "#adm1+code", adm(1, 0)),
    Column("admin1_name", "#adm1+name", adm(1, 1)),
    Column("admin2_pcode", "#adm2+code", adm(2, 0)),
    Column("admin2_name", "#adm2+name", adm(2, 1)),
    Column("latitude", "#geo+lat"),
    Column("longitude", "#geo+lon"),
    Column("status", "#status", _status("status")),
    Column("verification", "#status+verification"),
    Column("name_ar"),
    Column("admin_pcode"),
    Column("geo_precision"),
    Column("status_since", "", _status("effective_from")),
    Column("status_details", "", _status("details")),
    Column("controlled_by", "", _status("controlled_by")),
    Column("sensitivity"),
    Column("updated_at"),
)


class FacilityView:
    """A facility with its current status attached, for dumping with FacilityOutSchema."""

    def __init__(self, facility: Facility, status) -> None:
        self._facility = facility
        self.current_status = status

    def __getattr__(self, name: str):
        return getattr(self._facility, name)


def with_status(actor, facilities) -> list[FacilityView]:
    """Attach current statuses with one query per page (or per streamed partition)."""
    statuses = current_statuses(actor, [f.id for f in facilities])
    return [FacilityView(f, statuses.get(f.id)) for f in facilities]


def _stream_select(actor, filters):
    return facility_select(actor, filters).order_by(Facility.name, Facility.id)


LISTING = Listing(
    "facilities",
    FacilityOutSchema,
    COLUMNS,
    page=list_facilities,
    select=_stream_select,
    attach=with_status,
)


@blp.route("/facilities")
class Facilities(MethodView):
    @blp.arguments(FacilityQuerySchema, location="query")
    @blp.doc(**list_doc(FacilityPageSchema))
    def get(self, query):
        """List facilities by name, each with its current status."""
        return list_response(current_actor(), LISTING, query)

    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.doc(**body_doc(FacilityInSchema))
    @blp.doc(**created_doc(FacilityOutSchema))
    def post(self, headers):
        """Register a facility."""
        actor = current_actor()
        actor.require(Scope.append)
        payload = json_body()
        data = FacilityInSchema().load(payload)
        out = FacilityOutSchema(reader=actor)

        def work(report):
            return out.dump(FacilityView(create_facility(actor, data, report=report), None))

        return append(
            actor, headers, payload, work, lambda body: f"{API_PREFIX}/facilities/{body['id']}"
        )


@blp.route("/facilities/<uuid:facility_id>")
class FacilityItem(MethodView):
    @blp.doc(**ok_doc(FacilityOutSchema, 401, 403, 404))
    def get(self, facility_id: uuid.UUID):
        """One facility with its current status."""
        actor = current_actor()
        facility = get_facility(actor, facility_id)
        view = FacilityView(facility, current_status(actor, facility))
        return json_response(FacilityOutSchema(reader=actor).dump(view))


@blp.route("/facilities/<uuid:facility_id>/statuses")
class FacilityStatuses(MethodView):
    @blp.doc(**ok_doc(StatusPageSchema, 401, 403, 404))
    def get(self, facility_id: uuid.UUID):
        """The facility's status history, oldest first; nothing in it is ever overwritten."""
        actor = current_actor()
        history = status_history(actor, facility_id)
        items = StatusOutSchema(many=True, reader=actor).dump(history)
        return json_response({"items": items, "next_cursor": None})

    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.doc(**body_doc(StatusInSchema))
    @blp.doc(**created_doc(StatusOutSchema))
    def post(self, headers, facility_id: uuid.UUID):
        """Append a status change (closed, damaged, operational…) to the facility's history."""
        actor = current_actor()
        actor.require(Scope.append)
        payload = json_body()
        data = StatusInSchema().load(payload)
        out = StatusOutSchema(reader=actor)

        def work(report):
            return out.dump(set_infrastructure_status(actor, facility_id, data, report=report))

        return append(
            actor,
            headers,
            payload,
            work,
            lambda body: f"{API_PREFIX}/facilities/{body['facility_id']}/statuses",
        )
