"""Sitrep schedules: the create/change body (API and admin form) and the outputs."""

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
from humanitarian.models.schedules import WEEKDAYS, Cadence, DeliveryStatus, Language

from .fields import (
    PCODE_RULE,
    StrictSchema,
    Time,
    UTCDateTime,
    enum_field,
    flag,
    known_pcodes,
    pcode,
)

EMAIL = validate.Email(error="Not an e-mail address.")


class ClockTime(Time):
    """A schedule's time of day: HH:MM, nothing finer."""

    pattern = "^(?:[01][0-9]|2[0-3]):[0-5][0-9]$"
    message = "Not a valid time. Use HH:MM."


class ScheduleInSchema(StrictSchema):
    """A schedule (``POST``; ``PATCH`` loads it with ``partial=True``). Loads into the keyword
    arguments of ``ScheduleInput``."""

    RULES = {
        "admin_pcode": PCODE_RULE,
        "weekday": "required for a weekly schedule, and given only for one",
        "timezone": "an IANA time zone this server knows, e.g. Asia/Damascus or UTC",
        "recipients": "each an e-mail address as the server's validator reads it (JSON "
        "Schema's email format and mail software do not agree on every edge)",
    }

    name = fields.String(load_default="", validate=validate.Length(max=200))
    admin_pcode = pcode("the area the sitrep covers", required=True)
    cadence = enum_field(Cadence, required=True)
    weekday = fields.String(
        allow_none=True,
        validate=validate.OneOf(WEEKDAYS),
        metadata={"description": "weekly schedules: mon … sun"},
    )
    run_time = ClockTime(
        required=True, format="%H:%M", metadata={"description": "HH:MM, in the time zone"}
    )
    timezone = fields.String(
        load_default="Asia/Damascus",
        validate=validate.Length(max=64),
        metadata={"example": "Asia/Damascus"},
    )
    audience = enum_field(Sensitivity, load_default=Sensitivity.public)
    language = enum_field(Language, load_default=Language.en)
    recipients = fields.List(
        fields.String(validate=[validate.Length(max=320), EMAIL]),
        load_default=list,
        validate=validate.Length(max=1000),
        metadata={"description": "e-mail addresses that receive each edition"},
    )
    active = flag(load_default=True)

    @validates_schema
    def _rules(self, data, partial=None, **_):
        if data.get("cadence") == Cadence.weekly and not data.get("weekday") and not partial:
            raise ValidationError({"weekday": ["A weekly schedule needs a weekday."]})
        known_pcodes("admin_pcode")(data)

    @post_load
    def _normalise(self, data, **_):
        if "recipients" in data:
            data["recipients"] = tuple(dict.fromkeys(e.strip().lower() for e in data["recipients"]))
        return data


def _lines(text: str) -> list[str]:
    """Addresses typed one per line (commas tolerated), lower-cased, blanks dropped."""
    return [e.strip().lower() for e in text.replace(",", "\n").splitlines() if e.strip()]


def _all_addresses(text: str) -> None:
    bad = [e for e in _lines(text) if not _valid(e)]
    if bad:
        raise ValidationError([f"Not an e-mail address: {e}" for e in bad])
    if len(_lines(text)) > 1000:
        raise ValidationError("At most 1000 recipients per schedule.")


class ScheduleFormSchema(ScheduleInSchema):
    """The admin page's form: recipients one per line, and the CSRF token."""

    recipients = fields.String(
        load_default="", validate=[validate.Length(max=400_000), _all_addresses]
    )
    csrf_token = fields.String(load_only=True)
    weekday = fields.String(allow_none=True, validate=validate.OneOf((*WEEKDAYS, "")))
    active = fields.Boolean(load_default=False)  # an unticked box is not sent

    @post_load
    def _normalise(self, data, **_):
        data.pop("csrf_token", None)
        data["weekday"] = data.get("weekday") or None
        data["recipients"] = tuple(dict.fromkeys(_lines(data.get("recipients", ""))))
        return data


def _valid(email: str) -> bool:
    try:
        EMAIL(email)
    except ValidationError:
        return False
    return True


class ScheduleQuerySchema(Schema):
    """``GET /sitrep-schedules``: unknown parameters are refused, as on every list."""

    class Meta:
        unknown = RAISE

    active = fields.Boolean(metadata={"description": "only running (true) or stopped (false)"})


class RecipientOutSchema(Schema):
    email = fields.String()
    subscribed = fields.Boolean()
    unsubscribed_at = UTCDateTime(allow_none=True)


class ScheduleOutSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    admin_pcode = fields.String()
    cadence = enum_field(Cadence)
    weekday = fields.String(allow_none=True)
    run_time = ClockTime(format="%H:%M")
    timezone = fields.String()
    audience = enum_field(Sensitivity)
    language = enum_field(Language)
    active = fields.Boolean()
    next_run_at = UTCDateTime(allow_none=True)
    last_run_at = UTCDateTime(allow_none=True)
    recipients = fields.List(fields.Nested(RecipientOutSchema))
    created_by = fields.String()
    created_at = UTCDateTime()
    updated_at = UTCDateTime()


class DeliveryOutSchema(Schema):
    id = fields.Integer()
    sitrep_id = fields.UUID()
    email = fields.String()
    status = enum_field(DeliveryStatus)
    attempts = fields.Integer()
    attached = fields.Boolean(allow_none=True)
    error = fields.String(allow_none=True)
    created_at = UTCDateTime()
    next_attempt_at = UTCDateTime()
    sent_at = UTCDateTime()
