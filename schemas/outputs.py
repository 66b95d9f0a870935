"""Response bodies. Pass ``context={"coarsen": True}`` for public readers: their coordinates are
moved to the admin-2 (district) centroid and marked ``geo_precision`` 3."""

from __future__ import annotations

from marshmallow import Schema, fields, post_dump

from humanitarian.models.enums import (
    DatePrecision,
    EstimateMethod,
    EventType,
    FacilityType,
    InfraStatus,
    MovementType,
    Sensitivity,
    SourceType,
    SubEventType,
    TargetType,
    Verification,
)
from humanitarian.services.areas import admin2_centroid

from .fields import UTCDateTime, enum_field


class SourceSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    source_type = enum_field(SourceType)
    reliability_note = fields.String(allow_none=True)


class AdminAreaSchema(Schema):
    pcode = fields.String()
    name_en = fields.String()
    name_ar = fields.String()
    level = fields.Integer()
    parent_pcode = fields.String(allow_none=True)
    centroid_lat = fields.Float(allow_none=True)
    centroid_lon = fields.Float(allow_none=True)


class RecordOutSchema(Schema):
    id = fields.UUID()
    report_id = fields.UUID()
    sensitivity = enum_field(Sensitivity)
    verification = enum_field(Verification)
    created_at = UTCDateTime()
    updated_at = UTCDateTime()


class LocatedOutSchema(RecordOutSchema):
    admin_pcode = fields.String()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    geo_precision = fields.Integer()

    @post_dump
    def _coarsen(self, data, **_):
        if not self.context.get("coarsen") or data.get("latitude") is None:
            return data
        cache = self.context.setdefault("centroids", {})
        pcode = data["admin_pcode"]
        if pcode not in cache:
            cache[pcode] = admin2_centroid(pcode)
        data["latitude"], data["longitude"] = cache[pcode]
        data["geo_precision"] = 3
        return data


class IncidentOutSchema(LocatedOutSchema):
    revision = fields.Integer()
    title = fields.String()
    description = fields.String()
    occurred_on = fields.Date()
    occurred_at = fields.Time(allow_none=True)
    date_precision = enum_field(DatePrecision)
    event_type = enum_field(EventType)
    sub_event_type = enum_field(SubEventType, allow_none=True)
    target_type = enum_field(TargetType, allow_none=True)
    facility_id = fields.UUID(allow_none=True)
    actor1 = fields.String(allow_none=True)
    actor2 = fields.String(allow_none=True)
    perpetrator_claimed_by = fields.String(allow_none=True)
    killed = fields.Integer(allow_none=True)
    injured = fields.Integer(allow_none=True)
    civilians_killed = fields.Integer(allow_none=True)
    children_killed = fields.Integer(allow_none=True)
    sources = fields.List(fields.Nested(SourceSchema))


class IncidentRevisionSchema(Schema):
    revision = fields.Integer()
    reason = fields.String(allow_none=True)
    report_id = fields.UUID()
    created_at = UTCDateTime()
    data = fields.Dict(metadata={"description": "the full record as of this revision"})

    @post_dump
    def _coarsen(self, data, **_):
        """Snapshots hold the exact location; public readers get the district centroid."""
        location = (data.get("data") or {}).get("location") or {}
        if not self.context.get("coarsen") or location.get("latitude") is None:
            return data
        cache = self.context.setdefault("centroids", {})
        pcode = location.get("admin_pcode")
        if pcode not in cache:
            cache[pcode] = admin2_centroid(pcode)
        location = {**location, "geo_precision": 3}
        location["latitude"], location["longitude"] = cache[pcode]
        data["data"] = {**data["data"], "location": location}
        return data


class StatusOutSchema(RecordOutSchema):
    facility_id = fields.UUID()
    facility_name = fields.String(attribute="facility.name")
    status = enum_field(InfraStatus)
    effective_from = UTCDateTime()
    effective_to = UTCDateTime(allow_none=True)
    reason = fields.String(allow_none=True)
    details = fields.String(allow_none=True)
    controlled_by = fields.String(allow_none=True)
    sources = fields.List(fields.Nested(SourceSchema))


class FacilityOutSchema(LocatedOutSchema):
    name = fields.String()
    name_ar = fields.String()
    facility_type = enum_field(FacilityType)
    description = fields.String()
    current_status = fields.Nested(StatusOutSchema, allow_none=True)


class MovementOutSchema(RecordOutSchema):
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


class SummarySchema(Schema):
    admin_pcode = fields.String(allow_none=True)
    since = fields.Date(allow_none=True)
    until = fields.Date(allow_none=True)
    incidents_total = fields.Integer()
    incidents_by_event_type = fields.Dict(keys=fields.String(), values=fields.Integer())
    incidents_by_target_type = fields.Dict(keys=fields.String(), values=fields.Integer())
    killed = fields.Integer()
    injured = fields.Integer()
    facilities_by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    displaced_individuals = fields.Integer()
    returned_individuals = fields.Integer()
    latest_status_changes = fields.List(fields.Nested(StatusOutSchema))
