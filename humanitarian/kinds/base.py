"""The shape of a record kind's description, and of the lists the API exports."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Optional, Protocol

from flask import url_for
from marshmallow import Schema


class AreaNames(Protocol):
    """What export columns may ask about admin areas (``api.exports.Areas`` answers)."""

    def ancestor(self, pcode: Optional[str], level: int) -> tuple[str, str, str]: ...

    def centroid(self, pcode: Optional[str]) -> Optional[tuple[float, float]]: ...


@dataclass(frozen=True)
class Column:
    """One CSV/HXL column. ``hxl`` is the hashtag from DOMAIN.md, or blank (HXL tools skip
    untagged columns). ``get`` reads the value from a dumped record; by default the key
    ``name``."""

    name: str
    hxl: str = ""
    get: Optional[Callable[[dict, AreaNames], Any]] = None

    def value(self, row: dict, areas: AreaNames) -> Any:
        return self.get(row, areas) if self.get else row.get(self.name)


def adm(level: int, part: int, key: str = "admin_pcode") -> Callable[[dict, AreaNames], str]:
    """Admin-``level`` code (part 0), English name (1) or Arabic name (2) of the area in
    ``row[key]``."""
    return lambda row, areas: areas.ancestor(row.get(key), level)[part]


def admin_columns(key: str = "admin_pcode") -> tuple[Column, ...]:
    """Code, English and Arabic name of the admin 1, 2 and 3 areas holding ``row[key]``, with
    DOMAIN.md's hashtags (#adm1+code, #adm1+name, #adm1+name+ar, ... #adm3+name+ar)."""
    return tuple(
        Column(f"admin{level}_{suffix}", f"#adm{level}+{tag}", adm(level, part, key))
        for level in (1, 2, 3)
        for part, suffix, tag in (
            (0, "pcode", "code"),
            (1, "name", "name"),
            (2, "name_ar", "name+ar"),
        )
    )


def source_names(row: dict, _areas: AreaNames) -> str:
    return "; ".join(s["name"] for s in row.get("sources") or [])


def point_geometry(row: dict, areas: AreaNames) -> Optional[dict]:
    """The record's point as dumped (so as its reader sees it), else its area's centroid."""
    if row.get("latitude") is not None:
        return {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]}
    centroid = areas.centroid(row.get("admin_pcode"))
    return {"type": "Point", "coordinates": list(centroid)} if centroid else None


@dataclass(frozen=True)
class Listing:
    """A list the API serves as JSON, CSV, HXL or GeoJSON, paged or streamed (``limit=all``).

    ``page(actor, filters, *, limit, cursor) -> Page`` and ``export_select(actor, filters)``
    (every row, in the page order) come from the service layer; ``present(actor, records)``
    turns records into what ``out_schema`` dumps (for example, facilities with their current
    status)."""

    name: str  # also the export's file name
    out_schema: type[Schema]
    columns: tuple[Column, ...] = ()
    page: Optional[Callable] = None
    export_select: Optional[Callable] = None
    present: Optional[Callable] = None
    geometry: Callable[[dict, AreaNames], Optional[dict]] = point_geometry

    def presented(self, actor, records: list) -> list:
        return self.present(actor, records) if self.present else records


@dataclass(frozen=True)
class RecordPage:
    """A web page about one record: endpoint name, its URL argument, and the field of the
    record (or of its dump) that fills it."""

    endpoint: str
    arg: str
    key: str = "id"

    def url(self, record: Any) -> str:
        value = record[self.key] if isinstance(record, Mapping) else getattr(record, self.key)
        return url_for(self.endpoint, **{self.arg: value})


@dataclass(frozen=True)
class Summaries:
    """OpenAPI summaries (one line each) of the shared API operations."""

    list: str
    append: str
    item: str


@dataclass(frozen=True, kw_only=True)
class Kind(Listing):
    """One kind of record, described once. The API's list, export, append and item views,
    the web's lists, entry forms and review queue, and the CSV/HXL/GeoJSON exports all read
    it, so a feature written against a ``Kind`` reaches every kind.

    What truly differs stays outside, explicit: an incident's revisions and corrections, a
    status entry's place under its facility (it has no list, item or append of its own here),
    a facility's current status."""

    entity: str  # one record: audit entity type, URL argument stem (``incident_id``)
    label: str  # one record, in sentences: "incident"
    title: str  # headings: "Incidents"
    model: type
    in_schema: Optional[type[Schema]] = None
    query_schema: Optional[type[Schema]] = None
    page_schema: Optional[type[Schema]] = None  # API docs: a page of out_schema
    batch_schema: Optional[type[Schema]] = None  # appends may be {"items": [...]}
    batch_out_schema: Optional[type[Schema]] = None
    get: Optional[Callable] = None  # (actor, id) -> record
    append: Optional[Callable] = None  # (actor, input, *, report) -> record
    verify: Optional[Callable] = None  # (actor, id, verification, note) -> record | None
    revisions: bool = False  # changes are new revisions with a reason (a note on review)
    summaries: Optional[Summaries] = None
    detail: Optional[RecordPage] = None  # web page of one record
    list_endpoint: Optional[str] = None  # web list page
    new_endpoint: Optional[str] = None  # web entry form
    saved: str = ""  # flashed after the entry form saved a record
    choices: Mapping[str, Any] = field(default_factory=dict)  # list filters' options
