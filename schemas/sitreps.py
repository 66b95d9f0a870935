"""Situation reports: the generate-now request, the archive's query string, and the output."""

from __future__ import annotations

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from humanitarian.models.enums import Sensitivity
from humanitarian.models.schedules import Language
from humanitarian.models.sitreps import SitrepTrigger

from .fields import (
    PCODE_RULE,
    StrictSchema,
    UTCDateTime,
    cursor,
    day,
    enum_field,
    known_pcodes,
    pcode,
)


class SitrepRequestSchema(Schema):
    """Generate a sitrep now (API body, web form). Loads into a dict of keyword arguments for
    ``generate_sitrep``."""

    class Meta:
        unknown = RAISE

    RULES = {
        "admin_pcode": PCODE_RULE,
        "period_end": "not before period_start; the period must have ended (its last day is "
        "over in the server's timezone) and be at most 366 days long",
    }

    admin_pcode = pcode("the area of the sitrep", required=True)
    period_start = day(required=True, metadata={"description": "first day, inclusive"})
    period_end = day(required=True, metadata={"description": "last day, inclusive"})
    audience = enum_field(Sensitivity, load_default=Sensitivity.public)
    language = enum_field(Language, load_default=Language.en, metadata={"description": "en or ar"})

    @validates_schema
    def _period(self, data, **_):
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            raise ValidationError({"period_end": ["Must not be before period_start."]})


class SitrepFormSchema(SitrepRequestSchema):
    """The same request from the web form, which also carries the CSRF token (checked by
    CSRFProtect before the view runs)."""

    csrf_token = fields.String(load_only=True)

    @post_load
    def _drop_token(self, data, **_):
        data.pop("csrf_token", None)
        return data


class SitrepWithdrawalSchema(StrictSchema):
    """Withdraw an archived sitrep (API body, web form); text no database can store is refused."""

    reason = fields.String(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "why: shown with the 410 answer for its PDF and in the list"},
    )


class SitrepWithdrawalFormSchema(SitrepWithdrawalSchema):
    csrf_token = fields.String(load_only=True)

    @post_load
    def _drop_token(self, data, **_):
        data.pop("csrf_token", None)
        return data


class SitrepQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    RULES = {
        "admin_pcode": PCODE_RULE,
        "until": "not before since",
        "cursor": "the next_cursor of the previous page, issued by this server",
    }

    admin_pcode = pcode("area and sub-areas")
    audience = enum_field(Sensitivity)
    language = enum_field(Language)
    since = day(metadata={"description": "periods ending on or after this day"})
    until = day(metadata={"description": "periods starting on or before this day"})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 1000))
    cursor = cursor()

    @validates_schema
    def _filters(self, data, **_):
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError({"until": ["Must not be before since."]})
        known_pcodes("admin_pcode")(data)


class SitrepOutSchema(Schema):
    id = fields.UUID()
    admin_pcode = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    audience = enum_field(Sensitivity)
    language = enum_field(Language)
    title = fields.String()
    page_count = fields.Integer()
    size_bytes = fields.Integer()
    checksum_sha256 = fields.String()
    trigger = enum_field(SitrepTrigger)
    generated_at = UTCDateTime()
    withdrawn_at = UTCDateTime(
        allow_none=True, metadata={"description": "when it was withdrawn; null while it stands"}
    )
    withdrawal_reason = fields.String(allow_none=True)
