"""Envelopes of the REST API: batches, pages, problem documents and headers.

The records inside them are the schemas of ``inputs`` and ``outputs``; these only wrap them,
so the OpenAPI document and the validation of a batch come from the same classes.
"""

from __future__ import annotations

from flask import current_app, has_app_context
from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

from .audit import AuditEventOutSchema
from .inputs import IncidentInSchema, MovementInSchema
from .outputs import (
    AdminAreaSchema,
    FacilityOutSchema,
    IncidentOutSchema,
    IncidentRevisionSchema,
    MovementOutSchema,
    StatusOutSchema,
)
from .sitreps import SitrepOutSchema

DEFAULT_BATCH_MAX = 1000


def batch_max() -> int:
    """The largest batch (``HUMANITARIAN_BATCH_MAX``)."""
    if has_app_context():
        return int(current_app.config.get("BATCH_MAX", DEFAULT_BATCH_MAX))
    return DEFAULT_BATCH_MAX


class _BatchSchema(Schema):
    """``{"items": [...]}``: appended all together or not at all. Errors name the item by
    its position, e.g. ``{"items": {"3": {"killed": [...]}}}``."""

    class Meta:
        unknown = RAISE

    @pre_load
    def _size(self, data, **_):
        # Counted before the items are loaded so an oversized batch costs nothing.
        items = data.get("items") if isinstance(data, dict) else None
        if isinstance(items, list) and len(items) > batch_max():
            raise ValidationError({"items": [f"At most {batch_max()} items per batch."]})
        return data


class IncidentBatchSchema(_BatchSchema):
    items = fields.List(
        fields.Nested(IncidentInSchema),
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": "1 to HUMANITARIAN_BATCH_MAX (default 1000) records"},
    )


class MovementBatchSchema(_BatchSchema):
    items = fields.List(
        fields.Nested(MovementInSchema),
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": "1 to HUMANITARIAN_BATCH_MAX (default 1000) records"},
    )


class IdempotencyHeaderSchema(Schema):
    """Request headers of an append."""

    idempotency_key = fields.String(
        data_key="Idempotency-Key",
        validate=[
            validate.Length(min=1, max=200),
            validate.Regexp(r"^[\x21-\x7e]+$", error="Use printable ASCII without spaces."),
        ],
        metadata={
            "description": "Retry-safe appends: a repeat with the same key and body returns "
            "the original response; the same key with another body is refused with 409."
        },
    )


class ProblemSchema(Schema):
    """An RFC 9457 problem document (``application/problem+json``)."""

    type = fields.String(
        metadata={
            "description": "the kind of problem, to branch on: /api/v1/problems/<kind> "
            "(malformed-request, authentication, forbidden, not-found, conflict, too-large, "
            "unsupported-media-type, validation, business-rule, rate-limit, unavailable), "
            "or about:blank for other statuses; GET the URI for its description"
        }
    )
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(
        keys=fields.String(),
        metadata={"description": "field → messages; batch items are keyed by position"},
    )
    request_id = fields.String()


def _page(name: str, item: type[Schema]) -> type[Schema]:
    return type(
        name,
        (Schema,),
        {
            "items": fields.List(fields.Nested(item)),
            "next_cursor": fields.String(
                allow_none=True,
                metadata={"description": "pass as cursor= for the next page; null at the end"},
            ),
            "__doc__": "One page of a keyset-paginated list.",
        },
    )


IncidentPageSchema = _page("IncidentPageSchema", IncidentOutSchema)
FacilityPageSchema = _page("FacilityPageSchema", FacilityOutSchema)
MovementPageSchema = _page("MovementPageSchema", MovementOutSchema)
AdminAreaPageSchema = _page("AdminAreaPageSchema", AdminAreaSchema)
RevisionPageSchema = _page("RevisionPageSchema", IncidentRevisionSchema)
StatusPageSchema = _page("StatusPageSchema", StatusOutSchema)


class SitrepApiOutSchema(SitrepOutSchema):
    """A sitrep as the API lists it, with where to download its PDF."""

    pdf_url = fields.Function(
        lambda sitrep: f"/api/v1/sitreps/{sitrep.id}.pdf",
        metadata={"description": "the PDF (application/pdf)"},
    )
    retracted_records = fields.Integer(
        dump_default=0,
        metadata={
            "description": "how many records this edition showed were retracted since "
            "(the PDF stays as published)"
        },
    )
    withdrawal_suggested = fields.String(
        allow_none=True,
        metadata={
            "description": "for callers with the verify scope: why this standing edition may "
            "need withdrawing (records it showed have since been raised above its audience "
            "or retracted)"
        },
    )


SitrepPageSchema = _page("SitrepPageSchema", SitrepApiOutSchema)
AuditPageSchema = _page("AuditPageSchema", AuditEventOutSchema)


class IncidentBatchOutSchema(Schema):
    report_id = fields.UUID()
    items = fields.List(fields.Nested(IncidentOutSchema))


class MovementBatchOutSchema(Schema):
    report_id = fields.UUID()
    items = fields.List(fields.Nested(MovementOutSchema))
