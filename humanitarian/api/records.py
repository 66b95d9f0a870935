"""The operations every record kind has, written once against its ``Kind``:

- ``GET /<kind>``: list or export (JSON, CSV, HXL, GeoJSON; paged, or streamed with
  ``limit=all``), filtered by the kind's query schema;
- ``POST /<kind>``: append one record, or ``{"items": [...]}`` all-or-nothing when the kind
  takes batches, idempotent with an ``Idempotency-Key``;
- ``GET /<kind>/<id>``: one record.

A kind's own module adds what is particular to it (an incident's revisions, a facility's
status history) as ordinary views on the same blueprint.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from schemas.api import IdempotencyHeaderSchema
from schemas.sync import RetractionSchema

from ..kinds import Kind
from ..models.enums import Scope
from ..services import Actor, NotFound
from ..services.retraction import retract_record
from .auth import current_actor
from .common import (
    API_PREFIX,
    append,
    body_doc,
    created_doc,
    each_item,
    json_body,
    json_response,
    list_doc,
    ok_doc,
    rules_doc,
)
from .exports import list_response


def add_collection(blp: Blueprint, kind: Kind) -> None:
    """Register the kind's list, append and item operations on ``blp``. The view classes are
    named as they would be written by hand (``Incidents``, ``IncidentItem``), which makes
    their endpoints ``incidents.Incidents`` and so on."""
    blp.route(f"/{kind.name}")(_collection_view(blp, kind))
    blp.route(f"/{kind.name}/<uuid:{kind.entity}_id>")(_item_view(blp, kind))


def _collection_view(blp: Blueprint, kind: Kind) -> type[MethodView]:
    def get(self, query):
        return list_response(current_actor(), kind, query)

    def post(self, headers):
        return append_records(current_actor(), headers, kind)

    if kind.batch_schema:
        bodies = (kind.in_schema, kind.batch_schema)
        answers = (kind.out_schema, kind.batch_out_schema)
        note = f'one {kind.label}, or {{"items": [...]}} appended all-or-nothing'
    else:
        bodies, answers, note = (kind.in_schema,), (kind.out_schema,), ""
    operations = {
        "get": _operation(
            get,
            kind.summaries.list,
            blp.arguments(kind.query_schema, location="query"),
            blp.doc(**list_doc(kind.page_schema), **rules_doc(kind.query_schema)),
        ),
        "post": _operation(
            post,
            kind.summaries.append,
            blp.arguments(IdempotencyHeaderSchema, location="headers"),
            blp.doc(**body_doc(*bodies, description=note), **rules_doc(kind.in_schema)),
            blp.doc(**created_doc(*answers)),
        ),
    }
    return type(kind.name.capitalize(), (MethodView,), operations)


def _item_view(blp: Blueprint, kind: Kind) -> type[MethodView]:
    def get(self, **ids: uuid.UUID):
        actor = current_actor()
        record = kind.get(actor, ids[f"{kind.entity}_id"])
        body = kind.out_schema(reader=actor).dump(kind.presented(actor, [record])[0])
        return json_response(body)

    doc = blp.doc(**ok_doc(kind.out_schema, 401, 403, 404))
    operations = {"get": _operation(get, kind.summaries.item, doc)}
    return type(f"{kind.entity.capitalize()}Item", (MethodView,), operations)


def _operation(view: Callable, summary: str, *decorators: Callable) -> Callable:
    """The view with its one-line docstring (the OpenAPI summary), decorated outermost first."""
    view.__doc__ = summary
    for decorate in reversed(decorators):
        view = decorate(view)
    return view


def append_records(actor: Actor, headers: dict, kind: Kind) -> Response:
    """POST body of a collection: one record, or ``{"items": [...]}`` all-or-nothing when the
    kind takes batches. The stored records are answered as their reader sees them."""
    out = kind.out_schema(reader=actor)

    def dumped(records: list) -> Any:
        return out.dump(kind.presented(actor, records), many=True)

    actor.require(Scope.append)
    payload = json_body()
    if kind.batch_schema and isinstance(payload, dict) and "items" in payload:
        items = kind.batch_schema().load(payload)["items"]

        def work(report):
            rows = each_item(items, lambda item: kind.append(actor, item, report=report))
            return {"report_id": str(report.id), "items": dumped(rows)}

    else:
        data = kind.in_schema().load(payload)

        def work(report):
            return dumped([kind.append(actor, data, report=report)])[0]

    return append(actor, headers, payload, work, _location(kind))


def _location(kind: Kind) -> Callable[[dict], str]:
    """Where the first stored record (of one, or of a batch) is."""

    def location(body: dict) -> str:
        first = body["items"][0] if "items" in body else body
        return f"{API_PREFIX}/{kind.name}/{first['id']}"

    return location


def add_retraction(blp: Blueprint, kind: Kind, rule: str) -> None:
    """``POST <rule>`` retracts the record named by the rule's last argument, with a reason
    (``verify`` scope); the answer is the record as stored, marked retracted."""

    def post(self, headers, **ids: uuid.UUID):
        actor = current_actor()
        record_id = ids[f"{kind.entity}_id"]
        out = kind.out_schema(reader=actor)

        def write(data, report):
            record = retract_record(actor, kind.entity, record_id, data["reason"], report=report)
            if ids.get("facility_id") not in (None, getattr(record, "facility_id", None)):
                raise NotFound(f"no such {kind.label}")
            return out.dump(kind.presented(actor, [record])[0])

        payload = json_body()
        data = RetractionSchema().load(payload)
        return append(actor, headers, payload, lambda report: write(data, report), _record_at(kind))

    operations = {
        "post": _operation(
            post,
            f"Retract this {kind.label} with a reason (verify scope): it leaves every list, "
            "export, summary, map and future sitrep.",
            blp.arguments(IdempotencyHeaderSchema, location="headers"),
            blp.doc(**body_doc(RetractionSchema), **rules_doc(RetractionSchema)),
            blp.doc(**created_doc(kind.out_schema)),
        )
    }
    name = f"{kind.entity.capitalize()}Retraction"
    blp.route(rule)(type(name, (MethodView,), operations))


def _record_at(kind: Kind) -> Callable[[dict], str]:
    """Where a retracted record is (a status entry: in its facility's history)."""

    def location(body: dict) -> str:
        if kind.entity == "status":
            return f"{API_PREFIX}/facilities/{body['facility_id']}/statuses"
        return f"{API_PREFIX}/{kind.name}/{body['id']}"

    return location
