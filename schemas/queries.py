"""Query strings of the list endpoints (and the web lists' filter forms)."""

from __future__ import annotations

import re

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

from .fields import (
    CURSOR_RULE,
    PCODE_RULE,
    StrictSchema,
    UTCDateTime,
    cursor,
    day,
    enum_field,
    known_pcodes,
    pcode,
)

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
        if not isinstance(value, str | int) or not str(value).isascii() or not str(value).isdigit():
            raise ValidationError(f"Must be an integer from 1 to {self.maximum}, or 'all'.")
        number = int(value)
        if not 1 <= number <= self.maximum:
            raise ValidationError(f"Must be an integer from 1 to {self.maximum}, or 'all'.")
        return number


# Decimal degrees within range, written as the pattern states them (no exponents, no "inf").
_LON = r"-?(?:180(?:[.]0+)?|(?:1[0-7][0-9]|[0-9]{1,2})(?:[.][0-9]+)?)"
_LAT = r"-?(?:90(?:[.]0+)?|[0-8]?[0-9](?:[.][0-9]+)?)"
BBOX_PATTERN = f"^{_LON},{_LAT},{_LON},{_LAT}$"
BBOX_RULE = "the minimum longitude and latitude may not exceed the maximum ones"


class BBoxField(fields.String):
    """``minLon,minLat,maxLon,maxLat`` in decimal degrees."""

    def __init__(self, **kw):
        metadata = {
            "pattern": BBOX_PATTERN,
            "description": "minLon,minLat,maxLon,maxLat in decimal degrees, e.g. "
            f"36.0,35.5,37.5,36.7; {BBOX_RULE}",
            "example": "36.0,35.5,37.5,36.7",
        }
        super().__init__(metadata=metadata, **kw)
        self._compiled = re.compile(BBOX_PATTERN)

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, str) or not self._compiled.fullmatch(value):
            raise ValidationError("Use bbox=minLon,minLat,maxLon,maxLat in decimal degrees.")
        min_lon, min_lat, max_lon, max_lat = (float(p) for p in value.split(","))
        if not (min_lon <= max_lon and min_lat <= max_lat):
            raise ValidationError("bbox corners in the wrong order (min before max).")
        return BBox(min_lon, min_lat, max_lon, max_lat)


def _repeat(enum_cls):
    return fields.List(enum_field(enum_cls), load_default=list)


class QuerySchema(StrictSchema):
    """Unknown parameters are rejected, naming the parameter, so a typo never widens a query."""


PERIOD_RULE = "not before since"
LIST_RULES = {
    "admin_pcode": PCODE_RULE,
    "until": PERIOD_RULE,
    "cursor": f"{CURSOR_RULE}; not with limit=all",
    "bbox": BBOX_RULE,
}


class ListQuerySchema(QuerySchema):
    RULES = LIST_RULES

    admin_pcode = pcode("area and everything under it")
    since = day(metadata={"description": "inclusive"})
    until = day(metadata={"description": "inclusive"})
    updated_since = UTCDateTime(metadata={"description": "records changed at or after"})
    verification = _repeat(Verification)
    bbox = BBoxField()
    limit = Limit(load_default=50)
    cursor = cursor()
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
            **{target: data.get(name) for name, target in self.scalars.items()},
        )
        return {
            "filters": filters,
            "limit": data["limit"],
            "cursor": data.get("cursor"),
            "format": data.get("format"),
        }

    repeated: dict[str, str] = {}  # repeatable parameter → RecordFilter field
    scalars: dict[str, str] = {}  # single parameter of one kind → RecordFilter field


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
    q = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "name contains this, in English or Arabic, in any case"},
    )
    repeated = {
        "facility_type": "facility_types",
        "functionality": "functionalities",
        "access": "accesses",
        "damage": "damages",
    }
    scalars = {"q": "name"}


class MovementQuerySchema(ListQuerySchema):
    movement_type = _repeat(MovementType)
    repeated = {"movement_type": "movement_types"}


class AdminAreaQuerySchema(QuerySchema):
    RULES = {"parent": PCODE_RULE}

    level = fields.Integer(validate=validate.Range(0, 4))
    parent = pcode("the parent area")
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
            "exclusiveMinimum": True,
            "description": "format=geojson only: simplify boundaries to this tolerance in "
            "degrees (e.g. 0.005); neighbours keep their shared borders",
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
    RULES = {"admin_pcode": PCODE_RULE, "until": PERIOD_RULE}

    admin_pcode = pcode("area and everything under it")
    since = day(metadata={"description": "inclusive"})
    until = day(metadata={"description": "inclusive"})

    @validates_schema
    def _period(self, data, **_):
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError({"until": ["Must not be before since."]})
        known_pcodes("admin_pcode")(data)


class RollupQuerySchema(QuerySchema):
    """HDX HAPI rollups: the list filters that make sense for monthly aggregates."""

    RULES = {"admin_pcode": PCODE_RULE, "until": PERIOD_RULE}

    admin_pcode = pcode("area and everything under it")
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
