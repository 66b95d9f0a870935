"""Change feed items as partners receive them, from ``/changes`` and in webhooks alike.

Each item carries its ``cursor`` (resume after it), ``kind``, ``action``, ``record_id``,
``revision`` (incidents), ``sensitivity`` (the level of the entry), ``committed_at`` and
``record``: the record as the reader may see it now, dumped with the kind's own output
schema, or null when it was retracted or is no longer within the reader's grant (a mirror
drops it).
"""

from __future__ import annotations

from typing import Any

from ..services.actors import Actor
from ..services.changes import FeedItem, current_records
from .facilities import FACILITIES, STATUSES
from .incidents import INCIDENTS
from .movements import MOVEMENTS

BY_ENTITY = {kind.entity: kind for kind in (INCIDENTS, FACILITIES, STATUSES, MOVEMENTS)}


def feed_items(actor: Actor, items: list[FeedItem]) -> list[dict]:
    """The items as ``actor`` may see them; the records of each kind dumped together."""
    dumped: dict[int, Any] = {}
    for entity, kind in BY_ENTITY.items():
        shown = [item for item in items if item.entry.kind == entity and item.record is not None]
        if not shown:
            continue
        records = kind.presented(actor, [item.record for item in shown])
        bodies = kind.out_schema(reader=actor, many=True).dump(records)
        dumped.update((id(item), body) for item, body in zip(shown, bodies, strict=True))
    return [_item(item, dumped.get(id(item))) for item in items]


def _item(item: FeedItem, record: Any) -> dict:
    entry = item.entry
    return {
        "cursor": item.cursor,
        "kind": entry.kind,
        "action": entry.action,
        "record_id": str(entry.record_id),
        "revision": entry.revision,
        "sensitivity": str(entry.sensitivity),
        "committed_at": entry.committed_at.isoformat().replace("+00:00", "Z"),
        "record": record,
    }


def render_change(actor: Actor, entry) -> dict:
    """One entry as a webhook delivers it to ``actor`` (the subscriber)."""
    return feed_items(actor, current_records(actor, [entry]))[0]
