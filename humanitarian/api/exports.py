"""List responses in JSON, CSV, HXL and GeoJSON, paged or streamed.

``limit=all`` streams every matching row: the query runs with ``yield_per`` (a server-side
cursor on PostgreSQL) and each partition is dumped, written and let go, so memory stays flat
however large the export. CSV cells that a spreadsheet would read as a formula are neutralised.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any, Optional

from flask import Response, request, stream_with_context, url_for

from ..extensions import db
from ..kinds import Listing
from ..services import Actor, RecordFilter, record_event
from ..services.places import current_places

STREAM_PARTITION = 500
MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv",
    "hxl": "text/csv",
    "geojson": "application/geo+json",
}
# Accept header → format, in order of preference when the client accepts several equally.
ACCEPTED = {
    "application/json": "json",
    "application/geo+json": "geojson",
    "text/csv": "csv",
    "application/vnd.hxl+csv": "hxl",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def negotiate(requested: Optional[str]) -> str:
    """``format=`` wins; otherwise the best match of the Accept header; JSON by default."""
    if requested:
        return requested
    best = request.accept_mimetypes.best_match(list(ACCEPTED), default="application/json")
    return ACCEPTED[best]


class Areas:
    """Names and centroids of the admin areas, from the in-memory gazetteer: what export
    columns and geometries ask (``kinds.base.AreaNames``)."""

    def __init__(self) -> None:
        self._places = current_places()

    def ancestor(self, pcode: Optional[str], level: int) -> tuple[str, str, str]:
        """(p-code, English name, Arabic name) of the level-``level`` area containing
        ``pcode``; blank when ``pcode`` is coarser (or, for public readers, was coarsened)."""
        found = self._places.ancestor(pcode, level)
        return (found.pcode, found.name_en, found.name_ar) if found else ("", "", "")

    def centroid(self, pcode: Optional[str]) -> Optional[tuple[float, float]]:
        place = self._places.get(pcode)
        if place is None or place.centroid_lat is None:
            return None
        return place.centroid_lon, place.centroid_lat


def list_response(actor: Actor, listing: Listing, query: dict) -> Response:
    """A list endpoint's response for the parsed query (``filters``, ``limit``, ``cursor``,
    ``format``): a record kind's, or any other ``Listing`` (the audit trail)."""
    fmt = negotiate(query.get("format"))
    filters: RecordFilter = query["filters"]
    schema = listing.out_schema(many=True, reader=actor)
    if query["limit"] == "all":
        stmt = listing.export_select(actor, filters)  # permission and filter errors surface here
        audit_export(actor, listing, fmt, query)

        def chunks() -> Iterator[list[dict]]:
            # Runs after the view has returned, in the contexts stream_with_context restores
            # (with a fresh session: the view's was closed at teardown).
            stmt_ = stmt.execution_options(yield_per=STREAM_PARTITION)
            for partition in db.session.scalars(stmt_).partitions():
                yield schema.dump(listing.presented(actor, partition))

        return render(listing, fmt, chunks(), None, stream=True)
    page = listing.page(actor, filters, limit=query["limit"], cursor=query.get("cursor"))
    # Dump before auditing: the audit commit expires the loaded rows, and dumping them after
    # it would reload each one with a query of its own.
    dumped = schema.dump(listing.presented(actor, page.items))
    if fmt != "json":
        audit_export(actor, listing, fmt, query)
    return render(listing, fmt, [dumped], page.next_cursor)


def render(
    listing: Listing,
    fmt: str,
    chunks: Iterable[list[dict]],
    next_cursor: Optional[str],
    *,
    stream: bool = False,
) -> Response:
    writer = {"json": _json, "geojson": _geojson, "csv": _csv, "hxl": _hxl}[fmt]
    body = writer(listing, chunks, next_cursor)
    mimetype = MEDIA_TYPES[fmt]
    if stream:
        response = Response(stream_with_context(body), mimetype=mimetype)
    else:
        response = Response("".join(body), mimetype=mimetype)
    if fmt in ("csv", "hxl"):
        suffix = "-hxl.csv" if fmt == "hxl" else ".csv"
        response.headers["Content-Disposition"] = f'attachment; filename="{listing.name}{suffix}"'
    if next_cursor:
        response.headers["X-Next-Cursor"] = next_cursor
        response.headers["Link"] = f'<{_next_url(next_cursor)}>; rel="next"'
    response.headers["Vary"] = "Accept, Authorization"
    return response


def _next_url(cursor: str) -> str:
    args = request.args.to_dict(flat=False)
    args["cursor"] = [cursor]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def audit_export(actor: Actor, listing: Listing, fmt: str, query: dict) -> None:
    params = {k: v for k, v in request.args.to_dict(flat=False).items() if k != "cursor"}
    record_event(
        actor,
        "export",
        listing.name,
        None,
        details={"format": fmt, "limit": str(query.get("limit")), "params": params},
    )


def _json(listing: Listing, chunks, next_cursor) -> Iterator[str]:
    yield '{"items": ['
    first = True
    for chunk in chunks:
        for item in chunk:
            yield ("" if first else ",") + json.dumps(item, ensure_ascii=False)
            first = False
    yield '], "next_cursor": ' + json.dumps(next_cursor) + "}"


def _geojson(listing: Listing, chunks, next_cursor) -> Iterator[str]:
    areas = Areas()
    yield '{"type": "FeatureCollection", "features": ['
    first = True
    for chunk in chunks:
        for item in chunk:
            feature = {
                "type": "Feature",
                "id": item.get("id") or item.get("pcode"),
                "geometry": listing.geometry(item, areas),
                "properties": item,
            }
            yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False)
            first = False
    yield '], "next_cursor": ' + json.dumps(next_cursor) + "}"


def _csv(listing: Listing, chunks, next_cursor, *, hxl: bool = False) -> Iterator[str]:
    areas = Areas()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.name for c in listing.columns])
    if hxl:
        writer.writerow([c.hxl for c in listing.columns])
    for chunk in chunks:
        for item in chunk:
            writer.writerow([cell(c.value(item, areas)) for c in listing.columns])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _hxl(listing: Listing, chunks, next_cursor) -> Iterator[str]:
    return _csv(listing, chunks, next_cursor, hxl=True)


def cell(value: Any) -> str:
    """A CSV cell. Text that a spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text
