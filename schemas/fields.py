"""Field helpers shared by the schemas."""

from __future__ import annotations

import enum
from datetime import UTC

from marshmallow import ValidationError, fields, validate

PCODE = validate.Regexp(r"^[A-Z]{2}[0-9]{0,8}$", error="Not a p-code (e.g. SY07, SY0700).")


def enum_field(enum_cls: type[enum.Enum], **kw) -> fields.Field:
    """An enumeration accepted and emitted as its stored string value."""
    return fields.Enum(enum_cls, by_value=True, **kw)


def text(max_len: int, **kw) -> fields.String:
    return fields.String(validate=validate.Length(max=max_len), **kw)


def count(**kw) -> fields.Integer:
    """A casualty count: an integer of 0 or more, or null for unknown (null is not 0)."""
    return fields.Integer(
        strict=True,
        allow_none=True,
        load_default=None,
        validate=validate.Range(min=0, max=10_000_000),
        **kw,
    )


class UTCDateTime(fields.AwareDateTime):
    """ISO 8601 timestamps; a naive value is taken as UTC, output is always UTC."""

    def __init__(self, **kw):
        super().__init__(default_timezone=UTC, **kw)

    def _deserialize(self, value, attr, data, **kw):
        return super()._deserialize(value, attr, data, **kw).astimezone(UTC)

    def _serialize(self, value, attr, obj, **kw):
        return None if value is None else super()._serialize(value.astimezone(UTC), attr, obj, **kw)


def require_one_of(data: dict, names: tuple[str, ...], message: str) -> None:
    if all(data.get(n) in (None, "") for n in names):
        raise ValidationError({names[0]: [message]})
