"""HDX HAPI rollups as the API serves them (HAPI's own column names)."""

from __future__ import annotations

from marshmallow import Schema, fields


class _HapiArea(Schema):
    location_code = fields.String(metadata={"description": "ISO 3166-1 alpha-3"})
    admin1_code = fields.String()
    admin1_name = fields.String()
    admin2_code = fields.String(metadata={"description": "empty when known only to admin 1"})
    admin2_name = fields.String()
    reference_period_start = fields.Date()
    reference_period_end = fields.Date()


class ConflictEventRowSchema(_HapiArea):
    event_type = fields.String(
        metadata={"description": "political_violence, civilian_targeting or demonstration"}
    )
    events = fields.Integer()
    fatalities = fields.Integer()


class DisplacementRowSchema(_HapiArea):
    movement_type = fields.String()
    flows = fields.Integer(metadata={"description": "movement records summed"})
    population = fields.Integer(metadata={"description": "individuals"})
    households = fields.Integer()


class ConflictEventsSchema(Schema):
    items = fields.List(fields.Nested(ConflictEventRowSchema))


class DisplacementSchema(Schema):
    note = fields.String()
    items = fields.List(fields.Nested(DisplacementRowSchema))
