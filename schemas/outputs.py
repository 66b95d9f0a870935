"""Response bodies.

A record is always dumped for a reader: ``IncidentOutSchema(reader=actor).dump(incident)``.
What that reader sees of its places and links (public readers: areas no finer than the
district, coordinates at its centroid; nobody: a link to a facility above their grant) is
decided by ``humanitarian.services.visibility``, not here. Dumping a located or linked record
without a reader is an error, so no surface can forget it.
"""

from __future__ import annotations

from typing import Optional

from marshmallow import Schema, fields, post_dump

from humanitarian.models.enums import (
    Access,
    Damage,
    DatePrecision,
    EstimateMethod,
    EventType,
    FacilityType,
    Functionality,
    MovementType,
    Sensitivity,
    SourceType,
    SubEventType,
    TargetType,
    Verification,
)
from humanitarian.services.actors import Actor
from humanitarian.services.visibility import ReaderView

from .fields import UTCDateTime, enum_field


class SourceSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    source_type = enum_field(SourceType)
    reliability_note = fields.String(allow_none=True)


class ReaderSchema(Schema):
    """A schema that dumps for one reader (``reader=actor``), through a ``ReaderView``."""

    def __init__(self, *, reader: Optional[Actor] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._view = ReaderView(reader) if reader is not None else None

    @property
    def seen(self) -> ReaderView:
        if self._view is None:
            raise TypeError(f"{type(self).__name__} dumps for a reader: pass reader=actor")
        return self._view


class AdminAreaSchema(ReaderSchema):
    pcode = fields.String()
    name_en = fields.String()
    name_ar = fields.String()
    level = fields.Integer()
    parent_pcode = fields.String(allow_none=True)
    centroid_lat = fields.Float(allow_none=True)
    centroid_lon = fields.Float(allow_none=True)


class LocateOutSchema(Schema):
    latitude = fields.Float()
    longitude = fields.Float()
    items = fields.List(
        fields.Nested(AdminAreaSchema),
        metadata={"description": "the areas containing the point, country first"},
    )


class RecordOutSchema(ReaderSchema):
    id = fields.UUID()
    report_id = fields.UUID()
    sensitivity = enum_field(Sensitivity)
    verification = enum_field(Verification)
    created_at = UTCDateTime()
    updated_at = UTCDateTime()


class RetractableOutSchema(RecordOutSchema):
    """Only administrators ever see a retracted record (everyone else gets a 404)."""

    retracted_at = UTCDateTime(allow_none=True)
    retraction_reason = fields.String(allow_none=True)


class LocatedOutSchema(RecordOutSchema):
    admin_pcode = fields.String()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    geo_precision = fields.Integer()

    @post_dump
    def _location_as_seen(self, data, **_):
        return self.seen.location_fields(data)

    @post_dump(pass_original=True)
    def _stamps_as_seen(self, data, record, **_):
        """Stamps moved only by changes within the reader's grant (``ReaderView.stamps``)."""
        for name, value in self.seen.stamps(record).items():
            data[name] = self.fields[name].serialize(name, {name: value})
        return data


class IncidentOutSchema(LocatedOutSchema, RetractableOutSchema):
    revision = fields.Integer()
    title = fields.String()
    description = fields.String()
    occurred_on = fields.Date()
    occurred_at = fields.Time(allow_none=True)
    date_precision = enum_field(DatePrecision)
    event_type = enum_field(EventType)
    sub_event_type = enum_field(SubEventType, allow_none=True)
    target_type = enum_field(TargetType, allow_none=True)
    facility_id = fields.UUID(
        allow_none=True,
        metadata={"description": "null also when the facility is above your access"},
    )
    actor1 = fields.String(allow_none=True)
    actor2 = fields.String(allow_none=True)
    perpetrator_claimed_by = fields.String(allow_none=True)
    assoc_actor1 = fields.String(allow_none=True)
    assoc_actor2 = fields.String(allow_none=True)
    civilian_targeting = fields.Boolean()
    disorder_type = fields.String(allow_none=True)
    location_name = fields.String(allow_none=True)
    killed = fields.Integer(allow_none=True)
    injured = fields.Integer(allow_none=True)
    civilians_killed = fields.Integer(allow_none=True)
    children_killed = fields.Integer(allow_none=True)
    sources = fields.List(fields.Nested(SourceSchema))

    @post_dump
    def _link_as_seen(self, data, **_):
        data["facility_id"] = self.seen.facility_id(data.get("facility_id"))
        return data


class IncidentRevisionSchema(ReaderSchema):
    revision = fields.Integer()
    reason = fields.String(allow_none=True)
    report_id = fields.UUID()
    created_at = UTCDateTime()
    data = fields.Dict(metadata={"description": "the full record as of this revision"})

    @post_dump
    def _snapshot_as_seen(self, data, **_):
        """Snapshots hold the stored location and link; the reader sees them as on the record."""
        data["data"] = self.seen.snapshot(data.get("data") or {})
        return data

    @post_dump(pass_collection=True, pass_original=True)
    def _numbers_as_seen(self, data, revisions, many, **_):
        """A history (every revision within the reader's grant) numbered as the reader sees it."""
        if many:
            for item, number in zip(data, self.seen.revision_numbers(revisions), strict=True):
                item["revision"] = number
        return data


class StatusOutSchema(RetractableOutSchema):
    facility_id = fields.UUID()
    facility_name = fields.String(attribute="facility.name")
    functionality = enum_field(Functionality)
    access = enum_field(Access)
    damage = enum_field(Damage)
    controlled_by = fields.String(allow_none=True)
    impaired = fields.Boolean(metadata={"description": "a dimension is known and not nominal"})
    effective_from = UTCDateTime()
    effective_to = UTCDateTime(allow_none=True)
    reason = fields.String(allow_none=True)
    details = fields.String(allow_none=True)
    sources = fields.List(fields.Nested(SourceSchema))


class FacilityOutSchema(LocatedOutSchema):
    name = fields.String()
    name_ar = fields.String()
    facility_type = enum_field(FacilityType)
    description = fields.String()
    current_status = fields.Nested(StatusOutSchema, allow_none=True)


class MovementOutSchema(RetractableOutSchema):
    movement_type = enum_field(MovementType)
    origin_pcode = fields.String(allow_none=True)
    destination_pcode = fields.String(allow_none=True)
    period_start = fields.Date()
    period_end = fields.Date()
    individuals = fields.Integer(allow_none=True)
    households = fields.Integer(allow_none=True)
    estimate_method = enum_field(EstimateMethod)
    description = fields.String()
    sources = fields.List(fields.Nested(SourceSchema))

    @post_dump
    def _areas_as_seen(self, data, **_):
        for end in ("origin_pcode", "destination_pcode"):
            data[end] = self.seen.pcode(data.get(end))
        return data


class SummarySchema(Schema):
    admin_pcode = fields.String(allow_none=True)
    since = fields.Date(allow_none=True)
    until = fields.Date(allow_none=True)
    incidents_total = fields.Integer()
    incidents_by_event_type = fields.Dict(keys=fields.String(), values=fields.Integer())
    incidents_by_target_type = fields.Dict(keys=fields.String(), values=fields.Integer())
    killed = fields.Integer()
    injured = fields.Integer()
    facilities_by_functionality = fields.Dict(keys=fields.String(), values=fields.Integer())
    facilities_by_access = fields.Dict(keys=fields.String(), values=fields.Integer())
    facilities_by_damage = fields.Dict(keys=fields.String(), values=fields.Integer())
    facilities_impaired = fields.Integer()
    displaced_individuals = fields.Integer()
    returned_individuals = fields.Integer()
    latest_status_changes = fields.List(fields.Nested(StatusOutSchema))
