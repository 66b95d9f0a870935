"""Field helpers shared by the schemas."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date

from flask import has_app_context
from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

# Precise fields are declared once, with what the OpenAPI document says about them, so every
# operation that takes a p-code, a cursor, a bbox or a date states the same pattern or format.
# What a schema cannot state (a p-code must exist, a cursor must be one the server issued,
# rules between fields) is listed in the schema's ``RULES`` and printed in the operation's
# description (``rules_text``); the server names the field when it refuses one.

PCODE_PATTERN = r"^[A-Z]{2}[0-9]{0,8}$"
PCODE = validate.Regexp(PCODE_PATTERN, error="Not a p-code (e.g. SY07, SY0700).")
PCODE_RULE = "a p-code of the loaded gazetteer (GET /admin-areas); an unknown one is refused"

# Cursors are base64url text the server issues as ``next_cursor`` (signed ones have a dot).
CURSOR_PATTERN = r"^[A-Za-z0-9_.-]{1,500}$"
CURSOR_RULE = (
    "an opaque token: the next_cursor of the previous page, issued by this server; any "
    "other value is a 400 naming cursor"
)

# Dates outside this window are typing mistakes, and the far ends of Python's calendar
# overflow when shifted to UTC or to the next day; refuse them up front.
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
_DATE_RANGE = validate.Range(
    min=EARLIEST, max=LATEST, error=f"Must be between {EARLIEST} and {LATEST}."
)


def pcode(description: str = "an OCHA p-code", **kw) -> fields.String:
    """A p-code: its pattern is in the document; that it exists is a rule (``PCODE_RULE``)."""
    metadata = {"description": f"{description}; {PCODE_RULE}", "example": "SY07"}
    return fields.String(validate=PCODE, metadata=metadata | kw.pop("metadata", {}), **kw)


def cursor(**kw) -> fields.String:
    """The keyset cursor of a list: opaque, issued by the server."""
    return fields.String(
        validate=validate.Regexp(CURSOR_PATTERN, error="Not a cursor this server issued."),
        metadata={"description": CURSOR_RULE},
        **kw,
    )


def rules_text(*schemas) -> str:
    """The rules of these schemas that their JSON Schema cannot state, as Markdown for an
    operation's description (one line per field, as ``- `field`: rule``)."""
    rules: dict[str, str] = {}
    for schema in schemas:
        for cls in reversed(type(schema).__mro__ if isinstance(schema, Schema) else schema.__mro__):
            rules.update(cls.__dict__.get("RULES") or {})
    if not rules:
        return ""
    lines = [f"- `{name}`: {rule}" for name, rule in rules.items()]
    return "Rules the schema cannot state (refused with 400 or 422 naming the field):\n\n" + (
        "\n".join(lines)
    )


def enum_field(enum_cls: type[enum.Enum], **kw) -> fields.Field:
    """An enumeration accepted and emitted as its stored string value."""
    return fields.Enum(enum_cls, by_value=True, **kw)


def text(max_len: int, **kw) -> fields.String:
    return fields.String(validate=validate.Length(max=max_len), **kw)


class Flag(fields.Boolean):
    """A JSON true or false, as the document says: not 0, 1, "yes" or "on" (forms keep their
    own checkbox fields). Not ``truthy``/``falsy`` sets: 0 == False in a set lookup."""

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def flag(**kw) -> fields.Boolean:
    return Flag(**kw)


def count(**kw) -> fields.Integer:
    """A casualty count: an integer of 0 or more, or null for unknown (null is not 0)."""
    return fields.Integer(
        strict=True,
        allow_none=True,
        load_default=None,
        validate=validate.Range(min=0, max=10_000_000),
        **kw,
    )


# Dates and times exactly as the server reads them, stated as patterns: the calendar (no
# 30 February, 29 February in leap years only) within EARLIEST..LATEST, so a generated value
# that fits the pattern is one the server accepts.
_YEAR = "(?:19[0-9]{2}|20[0-9]{2}|2100)"
_LEAP = "(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:0[048]|[2468][048]|[13579][26]))"
_MONTH_DAY = (
    "(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    "|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
)
DATE_RE = f"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP}-02-29)"
TIME_RE = "(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.][0-9]{1,6})?)?"
OFFSET_RE = "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
UUID_RE = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


class Exact:
    """A field whose raw text must match ``pattern`` (also its OpenAPI ``pattern``) before it
    is parsed: the parsers behind marshmallow accept more (``20241201``, ``2024-W01-1``,
    UUIDs without hyphens) than the document says."""

    pattern = ""
    message = "Not valid."

    def __init__(self, *args, **kw):
        metadata = {"pattern": self.pattern} | kw.pop("metadata", {})
        super().__init__(*args, metadata=metadata, **kw)
        self._compiled = re.compile(self.pattern)

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, str) or not self._compiled.fullmatch(value):
            raise ValidationError(self.message)
        return super()._deserialize(value, attr, data, **kw)


class Day(Exact, fields.Date):
    pattern = f"^{DATE_RE}$"
    message = f"Not a valid date. Use YYYY-MM-DD, from {EARLIEST} to {LATEST}."


class Time(Exact, fields.Time):
    pattern = f"^{TIME_RE}$"
    message = "Not a valid time. Use HH:MM or HH:MM:SS."


class UUID(Exact, fields.UUID):
    pattern = f"^{UUID_RE}$"
    message = "Not a valid UUID. Use 8-4-4-4-12 hexadecimal digits."


def day(**kw) -> fields.Date:
    """A calendar date (YYYY-MM-DD) within a plausible range."""
    metadata = kw.pop("metadata", {})
    metadata["description"] = f"{metadata.get('description', 'a date')} (YYYY-MM-DD)"
    return Day(validate=_DATE_RANGE, metadata=metadata, **kw)


class UTCDateTime(Exact, fields.AwareDateTime):
    """ISO 8601 timestamps; a naive value is taken as UTC, output is always UTC."""

    pattern = f"^{DATE_RE}T{TIME_RE}{OFFSET_RE}?$"
    message = (
        "Not a valid datetime. Use YYYY-MM-DDTHH:MM[:SS[.ffffff]] with Z, ±HH:MM or nothing "
        f"for UTC, from {EARLIEST} to {LATEST}."
    )

    def __init__(self, **kw):
        metadata = kw.pop("metadata", {})
        metadata["description"] = (
            f"{metadata.get('description', 'a timestamp')} (ISO 8601; naive means UTC)"
        )
        super().__init__(default_timezone=UTC, metadata=metadata, **kw)

    def _deserialize(self, value, attr, data, **kw):
        parsed = super()._deserialize(value, attr, data, **kw)
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
