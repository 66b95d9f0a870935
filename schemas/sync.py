"""Keeping partners in sync: the change feed's query, retraction bodies, webhook
subscriptions and their delivery log."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from humanitarian.models.enums import Sensitivity
from humanitarian.services.changes import ACTIONS, KINDS

from .fields import (
    CURSOR_RULE,
    PCODE_RULE,
    StrictSchema,
    UTCDateTime,
    cursor,
    enum_field,
    known_pcodes,
    pcode,
)
from .queries import QuerySchema

_KINDS = validate.OneOf(KINDS)


class ChangesQuerySchema(QuerySchema):
    RULES = {"admin_pcode": PCODE_RULE, "cursor": CURSOR_RULE}

    cursor = cursor()
    kinds = fields.List(
        fields.String(validate=_KINDS),
        load_default=list,
        metadata={"description": f"repeatable: {', '.join(KINDS)}"},
    )
    admin_pcode = pcode("area and everything under it")
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))

    @validates_schema
    def _area(self, data, **_):
        known_pcodes("admin_pcode")(data)


class ChangeItemSchema(Schema):
    cursor = fields.String(metadata={"description": "resume after this item"})
    kind = fields.String(validate=_KINDS)
    action = fields.String(validate=validate.OneOf(ACTIONS))
    record_id = fields.UUID()
    revision = fields.Integer(allow_none=True)
    sensitivity = enum_field(Sensitivity)
    committed_at = UTCDateTime()
    record = fields.Dict(
        allow_none=True,
        metadata={
            "description": "the record as you may see it now; null when retracted or no "
            "longer within your access (drop it from a mirror)"
        },
    )


class ChangesPageSchema(Schema):
    items = fields.List(fields.Nested(ChangeItemSchema))
    next_cursor = fields.String(metadata={"description": "always set: poll again from it"})
    has_more = fields.Boolean(metadata={"description": "more entries are already waiting"})


def _not_blank(text: str) -> None:
    if not text.strip():
        raise ValidationError("Give a reason (not only spaces).")


class RetractionSchema(StrictSchema):
    # White space is Unicode's (str.isspace); JSON Schema's patterns disagree on some of it,
    # so the rule is stated in the operation's description rather than as a pattern.
    RULES = {"reason": "not white space alone"}

    reason = fields.String(required=True, validate=[validate.Length(min=1, max=2000), _not_blank])


# An http(s) URL without user or password, with a port that fits: what ``check_url`` takes
# apart. That the host resolves, and to a public address, is a rule the document states.
URL_PATTERN = r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?#][!-~]*)?$"


class WebhookInSchema(StrictSchema):
    RULES = {
        "url": "its host must resolve, to public addresses only unless this server allows "
        "private ones (HUMANITARIAN_WEBHOOK_ALLOW_PRIVATE); a port from 1 to 65535",
        "admin_pcode": PCODE_RULE,
    }

    url = fields.String(
        required=True,
        validate=[
            validate.Length(min=8, max=2000),
            validate.Regexp(URL_PATTERN, error="Give an http:// or https:// URL."),
        ],
        metadata={"example": "https://partner.example.org/hooks/humanitarian"},
    )
    kinds = fields.List(fields.String(validate=_KINDS), load_default=list)
    admin_pcode = pcode("area and everything under it", load_default=None, allow_none=True)
    description = fields.String(load_default="", validate=validate.Length(max=300))

    @validates_schema
    def _area(self, data, **_):
        known_pcodes("admin_pcode")(data)


class WebhookOutSchema(Schema):
    id = fields.UUID()
    url = fields.String()
    kinds = fields.List(fields.String())
    admin_pcode = fields.String(allow_none=True)
    max_sensitivity = enum_field(Sensitivity)
    description = fields.String()
    active = fields.Boolean()
    disabled_at = UTCDateTime(allow_none=True)
    disabled_reason = fields.String(allow_none=True)
    failing_since = UTCDateTime(allow_none=True)
    created_at = UTCDateTime()


class WebhookCreatedSchema(WebhookOutSchema):
    secret = fields.String(metadata={"description": "shown this once: keep it"})


class WebhookPageSchema(Schema):
    items = fields.List(fields.Nested(WebhookOutSchema))
    next_cursor = fields.String(allow_none=True)


class DeliverySchema(Schema):
    id = fields.Integer(attribute="attempt.id")
    message_id = fields.String(
        attribute="message.message_id", metadata={"description": "webhook-id"}
    )
    type = fields.Function(lambda d: (d.message.payload or {}).get("type"))
    attempted_at = UTCDateTime(attribute="attempt.attempted_at")
    status_code = fields.Integer(attribute="attempt.status_code", allow_none=True)
    duration_ms = fields.Integer(attribute="attempt.duration_ms")
    error = fields.String(attribute="attempt.error", allow_none=True)
    state = fields.String(
        attribute="message.state", metadata={"description": "pending or delivered"}
    )
    attempts = fields.Integer(attribute="message.attempts")
    next_attempt_at = UTCDateTime(attribute="message.next_attempt_at")


class DeliveryPageSchema(Schema):
    items = fields.List(fields.Nested(DeliverySchema))
    next_cursor = fields.String(allow_none=True)


class RedeliverSchema(StrictSchema):
    message_id = fields.String(
        validate=validate.Length(max=60),
        metadata={"description": "one message (its webhook-id); omit for every pending one"},
    )
