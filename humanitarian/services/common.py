"""Helpers shared by the record services: sources and keyset cursors."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from typing import Any, Optional

from sqlalchemy import select

from ..extensions import db
from ..models import Source
from .errors import BusinessRuleError, InvalidCursor


def session_cache(name: str) -> dict:
    """A dict living as long as the current session (one request, one CLI command).

    Reference rows (sources, admin areas) are looked up once per batch instead of once per
    record, and without flushing the records pending in the batch, so a 1,000-record append
    is written in a few multi-row INSERTs at commit (bench/results.md)."""
    return db.session.info.setdefault(f"humanitarian.{name}", {})


def load_sources(source_ids: list[int], field: str = "source_ids") -> list[Source]:
    ids = list(dict.fromkeys(source_ids))
    if not ids:
        return []
    found = session_cache("sources")
    wanted = [i for i in ids if i not in found]
    if wanted:
        with db.session.no_autoflush:  # sources are reference data: pending records can wait
            rows = db.session.scalars(select(Source).where(Source.id.in_(wanted)))
            found.update((s.id, s) for s in rows)
    missing = [i for i in ids if i not in found]
    if missing:
        raise BusinessRuleError(
            "unknown source", errors={field: [f"Unknown source id {i}." for i in missing]}
        )
    return [found[i] for i in ids]


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([str(v) for v in values]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidCursor() from exc
    if (
        not isinstance(values, list)
        or len(values) != arity
        or not all(isinstance(v, str) for v in values)
    ):
        raise InvalidCursor()
    return values


def parse_uuid(value: str) -> Optional[uuid.UUID]:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
