"""Request bodies and form data for appends. Unknown fields are rejected."""

from __future__ import annotations

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from humanitarian.models.enums import (
    EVENT_TAXONOMY,
    Access,
    Damage,
    DatePrecision,
    EstimateMethod,
    EventType,
    FacilityType,
    Functionality,
    MovementType,
    Sensitivity,
    SubEventType,
    TargetType,
    Verification,
)
from humanitarian.services.inputs import (
    FacilityInput,
    IncidentInput,
    Location,
    MovementInput,
    StatusInput,
)

from .fields import (
    PCODE_RULE,
    UUID,
    StrictSchema,
    Time,
    UTCDateTime,
    count,
    day,
    enum_field,
    pcode,
    require_one_of,
    text,
)

LOCATION_FIELDS = ("admin_pcode", "latitude", "longitude", "geo_precision")


class RecordMixin(Schema):
    sensitivity = enum_field(Sensitivity, load_default=Sensitivity.public)
    verification = enum_field(Verification, load_default=Verification.unverified)


class SourcedMixin(RecordMixin):
    RULES = {"source_ids": "each a source known to this server; an unknown one is refused"}

    source_ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1)),
        load_default=list,
        validate=validate.Length(max=50),
    )


class LocationMixin(Schema):
    RULES = {
        "admin_pcode": f"{PCODE_RULE}; required unless latitude and longitude are given (the "
        "deepest area containing the point is then taken); given both, the point must lie in "
        "the area",
        "latitude": "must lie inside some admin area when admin_pcode is left out",
        "longitude": "given together with latitude, or neither",
    }

    admin_pcode = pcode(
        "the record's area; may be left out when latitude and longitude are given",
        allow_none=True,
        load_default=None,
    )
    latitude = fields.Float(
        allow_none=True, load_default=None, validate=validate.Range(-90, 90), allow_nan=False
    )
    longitude = fields.Float(
        allow_none=True, load_default=None, validate=validate.Range(-180, 180), allow_nan=False
    )
    geo_precision = fields.Integer(
        strict=True, load_default=None, allow_none=True, validate=validate.Range(1, 3)
    )

    @validates_schema
    def _coordinates_together(self, data, **_):
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ValidationError({"longitude": ["Give latitude and longitude together."]})
        if not data.get("admin_pcode") and data.get("latitude") is None:
            raise ValidationError(
                {"admin_pcode": ["Give an admin area, or latitude and longitude."]}
            )

    @staticmethod
    def split_location(data: dict) -> tuple[Location, dict]:
        """Group the flat location fields into a Location; return it and the other fields."""
        lat, lon, precision = data["latitude"], data["longitude"], data["geo_precision"]
        if precision is None:
            precision = 3 if lat is None else 2
        rest = {k: v for k, v in data.items() if k not in LOCATION_FIELDS}
        return Location(data["admin_pcode"] or None, lat, lon, precision), rest


class IncidentInSchema(SourcedMixin, LocationMixin, StrictSchema):
    RULES = {
        "occurred_on": "not in the future",
        "sub_event_type": "one of event_type's sub-events (ACLED's taxonomy)",
        "civilians_killed": "at most killed, when both are given",
        "children_killed": "at most killed, when both are given",
        "facility_id": "a facility known to this server and within the writer's grant",
    }

    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    description = text(10_000, load_default="")
    occurred_on = day(required=True)
    occurred_at = Time(allow_none=True, load_default=None)
    date_precision = enum_field(DatePrecision, load_default=DatePrecision.day)
    event_type = enum_field(EventType, required=True)
    sub_event_type = enum_field(SubEventType, allow_none=True, load_default=None)
    target_type = enum_field(TargetType, allow_none=True, load_default=None)
    facility_id = UUID(allow_none=True, load_default=None)
    actor1 = text(300, allow_none=True, load_default=None)
    actor2 = text(300, allow_none=True, load_default=None)
    perpetrator_claimed_by = text(300, allow_none=True, load_default=None)
    assoc_actor1 = text(500, allow_none=True, load_default=None)
    assoc_actor2 = text(500, allow_none=True, load_default=None)
    civilian_targeting = fields.Boolean(
        load_default=False,
        metadata={"description": "civilians were the direct target (ACLED's flag)"},
    )
    disorder_type = text(100, allow_none=True, load_default=None)
    location_name = text(
        300,
        allow_none=True,
        load_default=None,
        metadata={"description": "the named place as reported (ACLED's location)"},
    )
    killed = count()
    injured = count()
    civilians_killed = count()
    children_killed = count()

    @validates_schema
    def _consistent(self, data, **_):
        errors = {}
        sub, event = data.get("sub_event_type"), data.get("event_type")
        if sub and event and sub.value not in EVENT_TAXONOMY[event.value]:
            errors["sub_event_type"] = [f"'{sub.value}' is not a sub-event of '{event.value}'."]
        killed = data.get("killed")
        for part in ("civilians_killed", "children_killed"):
            value = data.get(part)
            if value is not None and killed is not None and value > killed:
                errors[part] = [f"Cannot exceed killed ({killed})."]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _build(self, data, **_):
        location, rest = self.split_location(data)
        return IncidentInput(location=location, **rest)


class CorrectionSchema(IncidentInSchema):
    """A full incident plus the reason for the correction."""

    reason = fields.String(required=True, validate=validate.Length(min=3, max=2000))

    @post_load
    def _build(self, data, **_):
        incident = {k: v for k, v in data.items() if k != "reason"}
        return {"reason": data["reason"], "incident": IncidentInSchema._build(self, incident)}


class FacilityInSchema(RecordMixin, LocationMixin, StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=300))
    name_ar = text(300, load_default="")
    facility_type = enum_field(FacilityType, required=True)
    description = text(10_000, load_default="")

    @post_load
    def _build(self, data, **_):
        location, rest = self.split_location(data)
        return FacilityInput(location=location, **rest)


class StatusInSchema(SourcedMixin, StrictSchema):
    """A status change states what changed; a dimension left out (or null) carries over from
    the entry in effect at ``effective_from``."""

    RULES = {"effective_to": "after effective_from"}

    functionality = enum_field(Functionality, allow_none=True, load_default=None)
    access = enum_field(Access, allow_none=True, load_default=None)
    damage = enum_field(Damage, allow_none=True, load_default=None)
    effective_from = UTCDateTime(required=True)
    effective_to = UTCDateTime(allow_none=True, load_default=None)
    reason = text(2000, allow_none=True, load_default=None)
    details = text(2000, allow_none=True, load_default=None)
    controlled_by = text(
        300,
        allow_none=True,
        load_default=None,
        metadata={"description": "who holds it; left out carries over, an empty string clears"},
    )

    @validates_schema
    def _period(self, data, **_):
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end <= start:
            raise ValidationError({"effective_to": ["Must be after effective_from."]})

    @post_load
    def _build(self, data, **_):
        return StatusInput(**data)


class MovementInSchema(SourcedMixin, StrictSchema):
    RULES = {
        "origin_pcode": f"{PCODE_RULE}; an origin, a destination or both are required",
        "destination_pcode": PCODE_RULE,
        "period_end": "not before period_start",
        "individuals": "individuals, households or both are required",
    }

    movement_type = enum_field(MovementType, required=True)
    origin_pcode = pcode("where people left", allow_none=True, load_default=None)
    destination_pcode = pcode("where people arrived", allow_none=True, load_default=None)
    period_start = day(required=True)
    period_end = day(required=True)
    individuals = fields.Integer(
        strict=True,
        allow_none=True,
        load_default=None,
        validate=validate.Range(min=1, max=50_000_000),
    )
    households = fields.Integer(
        strict=True,
        allow_none=True,
        load_default=None,
        validate=validate.Range(min=1, max=10_000_000),
    )
    estimate_method = enum_field(EstimateMethod, required=True)
    description = text(10_000, load_default="")

    @validates_schema
    def _rules(self, data, **_):
        require_one_of(
            data, ("origin_pcode", "destination_pcode"), "Give an origin, a destination, or both."
        )
        require_one_of(
            data, ("individuals", "households"), "Give individuals, households, or both."
        )
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            raise ValidationError({"period_end": ["Must not be before period_start."]})

    @post_load
    def _build(self, data, **_):
        return MovementInput(**data)


class VerificationSchema(StrictSchema):
    verification = enum_field(Verification, required=True)
    note = text(2000, load_default="")
