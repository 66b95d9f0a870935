"""Import uploads (form fields beside the file) and import jobs as the API shows them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from humanitarian.models import ImportFormat, ImportState
from humanitarian.models.enums import Sensitivity

from .fields import StrictSchema, UTCDateTime, enum_field


class ImportUploadSchema(StrictSchema):
    """The multipart form of ``POST /imports``: a ``file`` part plus these fields."""

    RULES = {"kind": "incidents when format is acled (ACLED exports hold incidents)"}

    format = enum_field(ImportFormat, required=True, metadata={"description": "acled or hxl"})
    kind = fields.String(
        load_default="incidents",
        validate=validate.OneOf(("incidents", "movements")),
        metadata={"description": "what the rows are (ACLED files hold incidents)"},
    )
    sensitivity = enum_field(
        Sensitivity,
        load_default=Sensitivity.public,
        metadata={"description": "given to every imported record; at most your grant"},
    )


class ImportListQuerySchema(StrictSchema):
    limit = fields.Integer(
        load_default=50, validate=validate.Range(1, 200), metadata={"description": "newest first"}
    )


class RowErrorSchema(Schema):
    line = fields.Integer(metadata={"description": "in the file; the header is line 1"})
    column = fields.String(metadata={"description": "its header or hashtag; empty: the row"})
    message = fields.String()


class ImportJobOutSchema(Schema):
    id = fields.UUID()
    format = enum_field(ImportFormat)
    kind = fields.String()
    filename = fields.String()
    sensitivity = enum_field(Sensitivity)
    state = enum_field(
        ImportState,
        metadata={
            "description": "pending, running, succeeded (every row written) or failed "
            "(refused rows or an unreadable file: nothing written)"
        },
    )
    size_bytes = fields.Integer()
    total_rows = fields.Integer(allow_none=True)
    processed_rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    retracted = fields.Integer()
    refused = fields.Integer()
    errors = fields.List(fields.Nested(RowErrorSchema), metadata={"description": "first 1,000"})
    error = fields.String(allow_none=True, metadata={"description": "why the job failed"})
    created_at = UTCDateTime()
    started_at = UTCDateTime(allow_none=True)
    finished_at = UTCDateTime(allow_none=True)


class ImportListSchema(Schema):
    items = fields.List(fields.Nested(ImportJobOutSchema))
