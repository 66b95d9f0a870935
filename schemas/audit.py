"""Reading the audit trail: the query string (API and the admin page) and one event."""

from __future__ import annotations

import re
import uuid

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from humanitarian.services.audit import AuditFilter

from .fields import CURSOR_RULE, UUID_RE, UTCDateTime, cursor
from .outputs import ReaderSchema
from .queries import Limit, QuerySchema

MAX_USER_ID = 2**31 - 1  # user ids are 32-bit integers in the database

ACCOUNT_DOC = {
    "oneOf": [
        {"type": "integer", "minimum": 1, "maximum": MAX_USER_ID, "description": "a user id"},
        {
            "type": "string",
            "format": "uuid",
            "pattern": f"^{UUID_RE}$",
            "description": "a token id",
        },
    ]
}


class AccountField(fields.String):
    """A user id (1 to 2^31 - 1) or an API token id (a UUID): two forms, documented as
    ``oneOf`` (``ACCOUNT_DOC``, used by ``humanitarian.api``)."""

    def _deserialize(self, value, attr, data, **kw):
        text = super()._deserialize(value, attr, data, **kw)
        if text.isascii() and text.isdigit() and not text.startswith("0"):
            if int(text) > MAX_USER_ID:
                raise ValidationError("No such user id.")
            return ("user", int(text))
        if re.fullmatch(UUID_RE, text):
            return ("token", uuid.UUID(text))
        raise ValidationError("Give a user id (a number) or an API token id (a UUID).")


class AuditQuerySchema(QuerySchema):
    RULES = {"until": "not before since", "cursor": f"{CURSOR_RULE}; not with limit=all"}

    action = fields.List(
        fields.String(validate=validate.Length(min=1, max=60)),
        load_default=list,
        metadata={"description": "e.g. incident.create, login.failed, export; repeatable"},
    )
    entity_type = fields.String(
        validate=validate.Length(min=1, max=40),
        metadata={"description": "incident, facility, movement, sitrep, user, api_token…"},
    )
    entity_id = fields.String(validate=validate.Length(min=1, max=64))
    actor = AccountField(metadata={"description": "the acting user id or API token id"})
    since = UTCDateTime(metadata={"description": "at or after (ISO 8601; naive means UTC)"})
    until = UTCDateTime(metadata={"description": "at or before (ISO 8601; naive means UTC)"})
    limit = Limit(load_default=50)
    cursor = cursor()
    format = fields.String(validate=validate.OneOf(("json", "csv")))

    @validates_schema
    def _checks(self, data, **_):
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError({"until": ["Must not be before since."]})
        if data.get("cursor") and data.get("limit") == "all":
            raise ValidationError({"cursor": ["limit=all returns every row; drop the cursor."]})

    @post_load
    def _build(self, data, **_):
        kind, ident = data.get("actor") or (None, None)
        filters = AuditFilter(
            actions=data["action"],
            entity_type=data.get("entity_type"),
            entity_id=data.get("entity_id"),
            user_id=ident if kind == "user" else None,
            token_id=ident if kind == "token" else None,
            since=data.get("since"),
            until=data.get("until"),
        )
        return {
            "filters": filters,
            "limit": data["limit"],
            "cursor": data.get("cursor"),
            "format": data.get("format"),
        }


class AuditEventOutSchema(ReaderSchema):
    id = fields.Integer()
    occurred_at = UTCDateTime()
    action = fields.String()
    entity_type = fields.String(allow_none=True)
    entity_id = fields.String(allow_none=True)
    user_id = fields.Integer(allow_none=True, metadata={"description": "the acting user"})
    api_token_id = fields.UUID(allow_none=True, metadata={"description": "the acting token"})
    organization_id = fields.Integer(allow_none=True)
    report_id = fields.UUID(allow_none=True, metadata={"description": "the append, for writes"})
    request_id = fields.String(allow_none=True, metadata={"description": "X-Request-ID"})
    ip = fields.String(allow_none=True)
    details = fields.Raw(allow_none=True)
