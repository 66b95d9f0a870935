"""Field helpers shared by the schemas."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import UTC, date

from flask import has_app_context
from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

PCODE = validate.Regexp(r"^[A-Z]{2}[0-9]{0,8}$", error="Not a p-code (e.g. SY07, SY0700).")

# Dates outside this window are typing mistakes, and the far ends of Python's calendar
# overflow when shifted to UTC or to the next day; refuse them up front.
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
_DATE_RANGE = validate.Range(
    min=EARLIEST, max=LATEST, error=f"Must be between {EARLIEST} and {LATEST}."
)


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


def day(**kw) -> fields.Date:
    """A calendar date (YYYY-MM-DD) within a plausible range."""
    return fields.Date(validate=_DATE_RANGE, **kw)


class UTCDateTime(fields.AwareDateTime):
    """ISO 8601 timestamps; a naive value is taken as UTC, output is always UTC."""

    def __init__(self, **kw):
        super().__init__(default_timezone=UTC, **kw)

    def _deserialize(self, value, attr, data, **kw):
        parsed = super()._deserialize(value, attr, data, **kw)
        if not EARLIEST <= parsed.date() <= LATEST:
            raise ValidationError(f"Must be between {EARLIEST} and {LATEST}.")
        return parsed.astimezone(UTC)

    def _serialize(self, value, attr, obj, **kw):
        return None if value is None else super()._serialize(value.astimezone(UTC), attr, obj, **kw)


def require_one_of(data: dict, names: tuple[str, ...], message: str) -> None:
    if all(data.get(n) in (None, "") for n in names):
        raise ValidationError({names[0]: [message]})


def unstorable_text(data) -> dict[str, list[str]]:
    """Field errors for strings no database can store: NUL characters (PostgreSQL refuses
    them) and lone surrogates (not encodable as UTF-8). Checked before loading, so such
    input is a validation error rather than a database failure."""
    if not isinstance(data, Mapping):
        return {}
    errors: dict[str, list[str]] = {}
    for key, value in data.items():
        values: Iterable = value if isinstance(value, list) else (value,)
        for item in values:
            if isinstance(item, str) and _unstorable(item):
                errors[str(key)] = ["Text contains characters that cannot be stored."]
                break
    return errors


def _unstorable(value: str) -> bool:
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def known_pcodes(*names: str):
    """A schema-level check that the named p-code fields exist in ``admin_areas``.

    The check needs the database, so it runs only inside the application; loading a schema
    on its own (shape tests) skips it."""

    def check(data: dict) -> None:
        if not has_app_context():
            return
        from humanitarian.services.areas import existing_pcodes

        wanted = {data[n] for n in names if data.get(n)}
        known = existing_pcodes(wanted)
        errors = {
            n: [f"Unknown p-code '{data[n]}'."]
            for n in names
            if data.get(n) and data[n] not in known
        }
        if errors:
            raise ValidationError(errors)

    return check


class StrictSchema(Schema):
    """Base of every request schema: unknown fields are rejected by name, and text neither
    database can store (NUL, lone surrogates) is refused before any field is loaded."""

    class Meta:
        unknown = RAISE

    @pre_load
    def _storable(self, data, **_):
        errors = unstorable_text(data)
        if errors:
            raise ValidationError(errors)
        return data
