"""/sitrep-schedules: the schedules the scheduler follows, and their e-mail delivery log.

Admins only (scope ``admin``); a schedule whose edition is above the token's grant is a 404.
"""

from __future__ import annotations

import uuid

from flask.views import MethodView

from schemas import DeliveryOutSchema, ScheduleInSchema, ScheduleOutSchema, ScheduleQuerySchema

from ..models.enums import Scope
from ..services import (
    ScheduleInput,
    create_schedule,
    get_schedule,
    list_deliveries,
    list_schedules,
    schedule_input,
    stop_schedule,
    update_schedule,
)
from .auth import current_actor
from .common import (
    API_PREFIX,
    body_doc,
    created,
    errors_doc,
    json_body,
    json_response,
    make_blueprint,
    ok_doc,
    rules_doc,
)

blp = make_blueprint(
    "sitrep_schedules",
    __name__,
    "Sitrep schedules: area, cadence, time, edition, language and e-mail recipients.",
)


def _one(schedule, status: int = 200):
    return json_response(ScheduleOutSchema().dump(schedule), status)


def _doc(schema, *codes: int, many: bool = False) -> dict:
    """``ok_doc``; for a list, the schema as the items of ``{"items": [...]}``."""
    listing = {"type": "object", "properties": {"items": {"type": "array", "items": schema}}}
    return ok_doc(listing if many else schema, *codes)


@blp.route("/sitrep-schedules")
class Schedules(MethodView):
    @blp.arguments(ScheduleQuerySchema, location="query")
    @blp.doc(**_doc(ScheduleOutSchema, 400, 401, 403, many=True))
    def get(self, query):
        """List sitrep schedules (editions up to your grant)."""
        items = list_schedules(current_actor(), **query)
        return json_response({"items": ScheduleOutSchema(many=True).dump(items)})

    @blp.doc(
        **body_doc(ScheduleInSchema, description="the schedule"), **rules_doc(ScheduleInSchema)
    )
    @blp.doc(
        responses={
            "201": {
                "description": "the stored schedule",
                "content": {"application/json": {"schema": ScheduleOutSchema}},
            },
            **errors_doc(400, 401, 403, 413, 415),
        }
    )
    def post(self):
        """Create a sitrep schedule (admin scope; the edition at most your grant)."""
        actor = current_actor()
        actor.require(Scope.admin)
        data = ScheduleInSchema().load(json_body())
        schedule = create_schedule(actor, ScheduleInput(**data))
        body = ScheduleOutSchema().dump(schedule)
        return created(body, f"{API_PREFIX}/sitrep-schedules/{schedule.id}")


@blp.route("/sitrep-schedules/<uuid:schedule_id>")
class Schedule(MethodView):
    @blp.doc(**_doc(ScheduleOutSchema, 401, 403, 404))
    def get(self, schedule_id: uuid.UUID):
        """One sitrep schedule, with its recipients."""
        return _one(get_schedule(current_actor(), schedule_id))

    @blp.doc(**body_doc(ScheduleInSchema(partial=True), description="the fields to change"))
    @blp.doc(**rules_doc(ScheduleInSchema))
    @blp.doc(**_doc(ScheduleOutSchema, 400, 401, 403, 404, 413, 415))
    def patch(self, schedule_id: uuid.UUID):
        """Change a schedule; `recipients`, when given, replaces the list."""
        actor = current_actor()
        schedule = get_schedule(actor, schedule_id)
        changes = ScheduleInSchema().load(json_body(), partial=True)
        return _one(update_schedule(actor, schedule.id, schedule_input(schedule, **changes)))

    @blp.doc(**_doc(ScheduleOutSchema, 401, 403, 404))
    def delete(self, schedule_id: uuid.UUID):
        """Stop a schedule: no more runs or e-mails; its history is kept."""
        return _one(stop_schedule(current_actor(), schedule_id))


@blp.route("/sitrep-schedules/<uuid:schedule_id>/deliveries")
class Deliveries(MethodView):
    @blp.doc(**_doc(DeliveryOutSchema, 401, 403, 404, many=True))
    def get(self, schedule_id: uuid.UUID):
        """The schedule's e-mail delivery log, newest first (one row per recipient and edition)."""
        schedule = get_schedule(current_actor(), schedule_id)
        items = DeliveryOutSchema(many=True).dump(list_deliveries(schedule))
        return json_response({"items": items})
