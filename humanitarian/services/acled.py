"""Reading ACLED exports as ACLED publishes them (DOMAIN.md, "ACLED").

Headers in any case; a HXL hashtag row under the header is skipped; dates as ``2024-12-04``,
``04-12-2024`` or ``04 December 2024``. Places are matched by the point first (the gazetteer's
boundaries), else by name with ACLED's own spellings forgiven (``places.normalise``) and an
alias table (``data/syria/acled-aliases.csv``); a name that matches nothing is refused with
its line, never silently replaced by a coarser area.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Optional

from ..models.enums import EVENT_TAXONOMY, DatePrecision, Sensitivity, SourceType, Verification
from .accounts import ensure_source
from .errors import BusinessRuleError
from .imports import ImportResult, Row, RowError
from .inputs import IncidentInput, Location
from .places import current_places, normalise

ALIASES = Path(__file__).resolve().parent.parent / "data" / "syria" / "acled-aliases.csv"
REQUIRED = ("event_id_cnty", "event_date", "event_type", "sub_event_type", "admin1")
PRECISION = {"1": DatePrecision.day, "2": DatePrecision.week, "3": DatePrecision.month}
# ACLED's geo_precision 1 is a town (here: 2, near a named place), 2 a part of a region near
# a town (2), 3 only the larger region (3: the admin area).
GEO_PRECISION = {"1": 2, "2": 2, "3": 3}
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d %B %Y", "%d %b %Y", "%d/%m/%Y")
# Columns read into the incident; the others (iso, region, country, inter codes,
# source_scale, tags, year) are checked for nothing and not stored.
COLUMNS = {
    "occurred_on": "event_date",
    "date_precision": "time_precision",
    "event_type": "event_type",
    "sub_event_type": "sub_event_type",
    "admin_pcode": "admin1",
    "latitude": "latitude",
    "longitude": "longitude",
    "killed": "fatalities",
    "description": "notes",
}


class ColumnError(ValueError):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


def read_acled(
    lines: Iterable[str], result: ImportResult, *, sensitivity=Sensitivity.public,
    verification=Verification.partially_verified,
) -> list[Row]:  # fmt: skip
    """Every readable row of an ACLED export; the others are refused into ``result``."""
    reader = csv.reader(lines)
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise BusinessRuleError(
            "not an ACLED export", errors={"file": [f"Missing columns: {', '.join(missing)}."]}
        )
    areas, sources, rows = _AreaIndex(), {}, []
    for line, cells in _data_rows(reader):
        result.rows += 1
        row = dict(zip(header, (c.strip() for c in cells), strict=False))
        try:
            data = _to_input(row, areas, sources, sensitivity, verification)
        except ColumnError as exc:
            result.refuse(RowError(line, exc.column, str(exc)))
            continue
        stamp = row.get("timestamp", "")
        rows.append(
            Row(
                line,
                data,
                external_id=f"acled:{row['event_id_cnty']}",
                external_updated_at=_timestamp(stamp) if stamp.isdigit() else None,
            )
        )
    return rows


def read_deleted(lines: Iterable[str]) -> list[str]:
    """External ids of the events in ACLED's deleted-events list (``event_id_cnty``)."""
    reader = csv.reader(lines)
    header = [h.strip().lower() for h in next(reader, [])]
    if "event_id_cnty" not in header:
        raise BusinessRuleError(
            "not an ACLED list of deleted events",
            errors={"deleted": ["Missing column: event_id_cnty."]},
        )
    at = header.index("event_id_cnty")
    return [f"acled:{cells[at].strip()}" for _, cells in _data_rows(reader) if len(cells) > at]


def _data_rows(reader) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) after the header, skipping an HXL hashtag row and blank lines."""
    for index, cells in enumerate(reader):
        if not any(c.strip() for c in cells):
            continue
        if index == 0 and all(c.strip().startswith("#") for c in cells if c.strip()):
            continue
        yield reader.line_num, cells


def _timestamp(value: str) -> datetime:
    return datetime.fromtimestamp(int(value), UTC)


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.strip().lower()).strip("_")


def parse_date(value: str) -> date:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(
        f"unrecognised date '{value}' (use 2024-12-04, 04-12-2024 or 04 December 2024)"
    )


def _count(value: str) -> Optional[int]:
    if not value:
        return None
    if not value.isdigit():
        raise ColumnError("fatalities", f"not a count: '{value}'")
    return int(value)


def _point(row: dict) -> tuple[Optional[float], Optional[float]]:
    lat, lon = row.get("latitude", ""), row.get("longitude", "")
    if not lat and not lon:
        return None, None
    try:
        return float(lat), float(lon)
    except ValueError as exc:
        raise ColumnError("latitude", f"not a coordinate pair: '{lat}', '{lon}'") from exc


def _to_input(row: dict, areas, sources: dict, sensitivity, verification) -> IncidentInput:
    event, sub = _slug(row["event_type"]), _slug(row["sub_event_type"])
    if event not in EVENT_TAXONOMY:
        raise ColumnError("event_type", f"unknown event type '{row['event_type']}'")
    if sub not in EVENT_TAXONOMY[event]:
        raise ColumnError(
            "sub_event_type",
            f"'{row['sub_event_type']}' is not a sub-event of '{row['event_type']}'",
        )
    try:
        occurred_on = parse_date(row["event_date"])
    except ValueError as exc:
        raise ColumnError("event_date", str(exc)) from exc
    lat, lon = _point(row)
    names = [n.strip() for n in row.get("source", "").split(";") if n.strip()][:10]
    for name in names:
        if name not in sources:
            sources[name] = ensure_source(name[:200], SourceType.media).id
    place = row.get("location", "")
    return IncidentInput(
        title=f"{row['sub_event_type']} – {place or row['admin1']}"[:300],
        occurred_on=occurred_on,
        date_precision=PRECISION.get(row.get("time_precision") or "1", DatePrecision.day),
        event_type=event,
        sub_event_type=sub,
        location=Location(
            areas.locate(row, located=lat is not None),
            lat,
            lon,
            GEO_PRECISION.get(row.get("geo_precision", ""), 2) if lat is not None else 3,
        ),
        actor1=row.get("actor1") or None,
        actor2=row.get("actor2") or None,
        assoc_actor1=(row.get("assoc_actor_1") or None),
        assoc_actor2=(row.get("assoc_actor_2") or None),
        civilian_targeting=bool(row.get("civilian_targeting")),
        disorder_type=row.get("disorder_type") or None,
        location_name=place[:300] or None,
        killed=_count(row.get("fatalities", "")),
        injured=None,  # ACLED does not record injuries: unknown, not 0
        description=row.get("notes", ""),
        source_ids=[sources[n] for n in names],
        sensitivity=sensitivity,
        verification=verification,
    )


@cache
def _aliases() -> dict[tuple[int, str], str]:
    with ALIASES.open(newline="", encoding="utf-8") as handle:
        return {
            (int(r["level"]), normalise(r["acled_name"])): r["pcode"]
            for r in csv.DictReader(handle)
        }


class _AreaIndex:
    """ACLED's admin1/admin2/admin3 names to a p-code, each level within the one above."""

    def __init__(self) -> None:
        self.places = current_places()
        self.names = {
            (p.level, p.parent_pcode if p.level > 1 else None, normalise(p.name_en)): p.pcode
            for p in self.places.by_pcode.values()
            if p.level in (1, 2, 3)
        }

    def find(self, level: int, parent: Optional[str], name: str) -> Optional[str]:
        key = normalise(name)
        found = self.names.get((level, parent if level > 1 else None, key))
        if found is None:
            alias = _aliases().get((level, key))
            place = self.places.get(alias)
            if place is not None and (level == 1 or place.parent_pcode == parent):
                found = alias
        return found

    def locate(self, row: dict, *, located: bool) -> Optional[str]:
        """The deepest named area. With a point, names that do not match leave the point to
        place the row (coordinates first); without one, every name given must match."""
        parent = None
        for level in (1, 2, 3):
            name = row.get(f"admin{level}", "")
            if not name:
                break
            found = self.find(level, parent, name)
            if found is None:
                if located:
                    return None
                where = f" in {self.places.get(parent).name_en} ({parent})" if parent else ""
                raise ColumnError(
                    f"admin{level}",
                    f"unknown admin{level} '{name}'{where}: not in the gazetteer or the alias "
                    "table, and the row has no coordinates to place it",
                )
            parent = found
        return parent
