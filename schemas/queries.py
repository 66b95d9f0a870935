"""Query strings of the list endpoints (and the web lists' filter forms)."""

from __future__ import annotations

from marshmallow import (
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from humanitarian.models.enums import (
    Access,
    Damage,
    EventType,
    FacilityType,
    Functionality,
    MovementType,
    SubEventType,
    TargetType,
    Verification,
)
from humanitarian.services.filters import BBox, RecordFilter

from .fields import PCODE, StrictSchema, UTCDateTime, day, enum_field, known_pcodes

FORMATS = ("json", "csv", "hxl", "geojson")


class Limit(fields.Field):
    """1 to ``maximum`` rows, or ``all`` (streamed exports only)."""

    def __init__(self, maximum: int = 1000, **kw):
        super().__init__(**kw)
        self.maximum = maximum
        self.metadata.setdefault(
            "description", f"rows per page, 1–{maximum}, or 'all' to stream every row (an export)"
        )

    def _deserialize(self, value, attr, data, **kw):
        if value == "all":
            return "all"
        try:
            number = int(value)
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                f"Must be an integer from 1 to {self.maximum}, or 'all'."
            ) from exc
        if not 1 <= number <= self.maximum:
            raise ValidationError(f"Must be an integer from 1 to {self.maximum}, or 'all'.")
        return number


class BBoxField(fields.String):
    def _deserialize(self, value, attr, data, **kw):
        parts = str(value).split(",")
        try:
            min_lon, min_lat, max_lon, max_lat = (float(p) for p in parts)
        except ValueError as exc:
            raise ValidationError("Use bbox=minLon,minLat,maxLon,maxLat.") from exc
        if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
            raise ValidationError("bbox corners out of range or in the wrong order.")
        return BBox(min_lon, min_lat, max_lon, max_lat)


def _repeat(enum_cls):
    return fields.List(enum_field(enum_cls), load_default=list)


class QuerySchema(StrictSchema):
    """Unknown parameters are rejected, naming the parameter, so a typo never widens a query."""


class ListQuerySchema(QuerySchema):
    admin_pcode = fields.String(
        validate=PCODE, metadata={"description": "area and everything under it"}
    )
    since = day(metadata={"description": "inclusive"})
    until = day(metadata={"description": "inclusive"})
    updated_since = UTCDateTime(metadata={"description": "records changed at or after"})
    verification = _repeat(Verification)
    bbox = BBoxField(metadata={"description": "minLon,minLat,maxLon,maxLat"})
    limit = Limit(load_default=50)
    cursor = fields.String(validate=validate.Length(max=500))
    format = fields.String(validate=validate.OneOf(FORMATS))

    @validates_schema
    def _period(self, data, **_):
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError({"until": ["Must not be before since."]})
        if data.get("cursor") and data.get("limit") == "all":
            raise ValidationError({"cursor": ["limit=all returns every row; drop the cursor."]})
        known_pcodes("admin_pcode")(data)

    @post_load
    def _build(self, data, **_):
        filters = RecordFilter(
            admin_pcode=data.get("admin_pcode"),
            since=data.get("since"),
            until=data.get("until"),
            updated_since=data.get("updated_since"),
            bbox=data.get("bbox"),
            civilian_targeting=data.get("civilian_targeting"),
            verifications=[v.value for v in data["verification"]],
            **{
                target: [v.value for v in data.get(name, [])]
                for name, target in self.repeated.items()
            },
        )
        return {
            "filters": filters,
            "limit": data["limit"],
            "cursor": data.get("cursor"),
            "format": data.get("format"),
        }

    repeated: dict[str, str] = {}


class IncidentQuerySchema(ListQuerySchema):
    event_type = _repeat(EventType)
    sub_event_type = _repeat(SubEventType)
    target_type = _repeat(TargetType)
    civilian_targeting = fields.Boolean(
        metadata={"description": "true: only incidents where civilians were the direct target"}
    )
    repeated = {
        "event_type": "event_types",
        "sub_event_type": "sub_event_types",
        "target_type": "target_types",
    }


class FacilityQuerySchema(ListQuerySchema):
    facility_type = _repeat(FacilityType)
    functionality = _repeat(Functionality)
    access = _repeat(Access)
    damage = _repeat(Damage)
    repeated = {
        "facility_type": "facility_types",
        "functionality": "functionalities",
        "access": "accesses",
        "damage": "damages",
    }


class MovementQuerySchema(ListQuerySchema):
    movement_type = _repeat(MovementType)
    repeated = {"movement_type": "movement_types"}


class AdminAreaQuerySchema(QuerySchema):
    level = fields.Integer(validate=validate.Range(0, 4))
    parent = fields.String(validate=PCODE)
    q = fields.String(
        validate=validate.Length(max=100),
        metadata={
            "description": "p-code or name in English or Arabic; case, accents, apostrophes, "
            "hyphens, hamza forms, tashkeel and tatweel are forgiven; best matches first"
        },
    )
    format = fields.String(validate=validate.OneOf(FORMATS))
    simplify = fields.Float(
        validate=validate.Range(min=0, max=0.1, min_inclusive=False),
        allow_nan=False,
        metadata={
            "description": "format=geojson only: simplify boundaries to this tolerance in "
            "degrees (e.g. 0.005); neighbours keep their shared borders"
        },
    )

    @validates_schema
    def _parent_exists(self, data, **_):
        known_pcodes("parent")(data)


class LocateQuerySchema(QuerySchema):
    lat = fields.Float(
        required=True,
        allow_nan=False,
        validate=validate.Range(-90, 90),
        metadata={"example": 36.18},
    )
    lon = fields.Float(
        required=True,
        allow_nan=False,
        validate=validate.Range(-180, 180),
        metadata={"example": 37.22},
    )


class SummaryQuerySchema(QuerySchema):
    admin_pcode = fields.String(validate=PCODE)
    since = day(metadata={"description": "inclusive"})
    until = day(metadata={"description": "inclusive"})

    @validates_schema
    def _period(self, data, **_):
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError({"until": ["Must not be before since."]})
        known_pcodes("admin_pcode")(data)


class RollupQuerySchema(QuerySchema):
    """HDX HAPI rollups: the list filters that make sense for monthly aggregates."""

    admin_pcode = fields.String(
        validate=PCODE, metadata={"description": "area and everything under it"}
    )
    since = day(metadata={"description": "inclusive"})
    until = day(metadata={"description": "inclusive"})
    format = fields.String(validate=validate.OneOf(("json", "csv", "hxl")))

    @validates_schema
    def _period(self, data, **_):
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError({"until": ["Must not be before since."]})
        known_pcodes("admin_pcode")(data)

    @post_load
    def _build(self, data, **_):
        filters = RecordFilter(
            admin_pcode=data.get("admin_pcode"), since=data.get("since"), until=data.get("until")
        )
        return {"filters": filters, "format": data.get("format")}
