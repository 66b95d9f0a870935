"""Import ACLED exports (CSV as downloaded from the ACLED data export tool).

Rows become incidents with ``external_id = "acled:<event_id_cnty>"``. Importing the same file
again changes nothing; a row whose content changed becomes a correction (a new revision).
Rows are written in batches, each batch one all-or-nothing report.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import select

from ..extensions import db
from ..models import Incident
from ..models.enums import (
    EVENT_TAXONOMY,
    DatePrecision,
    Scope,
    Sensitivity,
    SourceType,
    Verification,
)
from .accounts import ensure_source
from .actors import Actor
from .errors import BusinessRuleError
from .incidents import correct_incident, incident_input_from, record_incident
from .inputs import IncidentInput, Location
from .locate import resolve_location
from .places import current_places, normalise
from .reports import open_report

REQUIRED = ("event_id_cnty", "event_date", "event_type", "sub_event_type", "country", "admin1")
PRECISION = {"1": DatePrecision.day, "2": DatePrecision.week, "3": DatePrecision.month}


@dataclass
class ImportResult:
    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.strip().lower()).strip("_")


def _date(value: str) -> date:
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(f"unrecognised date '{value}'")


def _count(value: str):
    value = (value or "").strip()
    return int(value) if value else None


class _AreaIndex:
    """Maps ACLED's admin names to p-codes, spelling forgiven (``places.normalise``): admin3
    within admin2 within admin1, as deep as the names match. ACLED's spellings differ from
    OCHA's in places ("Idlib" / "Idleb"): a row whose admin1 is not found but which has
    coordinates gets no p-code, and the services take the deepest area containing its point."""

    def __init__(self):
        places = current_places().by_pcode.values()
        self.admin1 = {normalise(p.name_en): p.pcode for p in places if p.level == 1}
        self.below = {
            (p.parent_pcode, normalise(p.name_en)): p.pcode for p in places if p.level in (2, 3)
        }

    def locate(self, row: dict, located: bool) -> str | None:
        parent = self.admin1.get(normalise(row.get("admin1") or ""))
        if parent is None:
            if located:
                return None
            raise ValueError(f"unknown admin1 '{row.get('admin1')}'")
        for name in ("admin2", "admin3"):
            child = self.below.get((parent, normalise(row.get(name) or "")))
            if child is None:
                break
            parent = child
        return parent


def _to_input(row: dict, areas: _AreaIndex, sources: dict, verification) -> IncidentInput:
    event, sub = _slug(row["event_type"]), _slug(row["sub_event_type"])
    if event not in EVENT_TAXONOMY or sub not in EVENT_TAXONOMY[event]:
        raise ValueError(f"unknown event type '{row['event_type']}' / '{row['sub_event_type']}'")
    lat, lon = (row.get("latitude") or "").strip(), (row.get("longitude") or "").strip()
    names = [n.strip() for n in (row.get("source") or "").split(";") if n.strip()][:10]
    for name in names:
        if name not in sources:
            sources[name] = ensure_source(name[:200], SourceType.media).id
    location = row.get("location", "").strip()
    return IncidentInput(
        title=f"{row['sub_event_type'].strip()} – {location or row['admin1'].strip()}"[:300],
        occurred_on=_date(row["event_date"]),
        date_precision=PRECISION.get((row.get("time_precision") or "1").strip(), DatePrecision.day),
        event_type=event,
        sub_event_type=sub,
        location=Location(
            areas.locate(row, bool(lat and lon)),
            float(lat) if lat else None,
            float(lon) if lon else None,
            int(row.get("geo_precision") or 3) if lat else 3,
        ),
        actor1=(row.get("actor1") or None),
        actor2=(row.get("actor2") or None),
        killed=_count(row.get("fatalities", "")),
        description=(row.get("notes") or "").strip(),
        source_ids=[sources[n] for n in names],
        sensitivity=Sensitivity.public,
        verification=verification,
    )


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in rows:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def import_acled(
    actor: Actor, lines: Iterable[str], *, batch_size: int = 500,
    verification: Verification = Verification.partially_verified, progress=None,
) -> ImportResult:  # fmt: skip
    """Import an ACLED CSV. Bad rows are reported by line number and skipped; good rows in
    the same batch are still written."""
    actor.require(Scope.append)
    reader = csv.DictReader(lines)
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise BusinessRuleError(
            "not an ACLED export", errors={"file": [f"Missing columns: {', '.join(missing)}."]}
        )
    areas, sources, result = _AreaIndex(), {}, ImportResult()
    for batch in _batches(enumerate(reader, start=2), batch_size):
        prepared = []
        for line, row in batch:
            try:
                external_id = f"acled:{row['event_id_cnty'].strip()}"
                prepared.append((line, external_id, _to_input(row, areas, sources, verification)))
            except (ValueError, KeyError, AttributeError) as exc:
                result.rejected.append((line, str(exc)))
        _write_batch(actor, prepared, result)
        if progress:
            progress(len(batch))
    return result


def _write_batch(actor: Actor, prepared: list, result: ImportResult) -> None:
    with open_report(actor) as report:
        ids = [external_id for _, external_id, _ in prepared]
        stmt = select(Incident).where(Incident.external_id.in_(ids))
        existing = {i.external_id: i for i in db.session.scalars(stmt)}
        for line, external_id, data in prepared:
            try:
                # A savepoint per row: a row the services refuse is reported, not fatal.
                with db.session.begin_nested():
                    _write_row(actor, report, existing.get(external_id), external_id, data, result)
            except BusinessRuleError as exc:
                detail = (
                    "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items()) or exc.detail
                )
                result.rejected.append((line, detail))


def _write_row(actor, report, current, external_id, data, result: ImportResult) -> None:
    # Placed first, so a row placed by its point compares equal to what it stored last time.
    data = replace(data, location=resolve_location(data.location))
    if current is None:
        record_incident(actor, data, report=report).external_id = external_id
        result.created += 1
    elif current.retracted:
        result.unchanged += 1  # retracted here: a newer export does not bring it back
    elif _differs(incident_input_from(current), data):
        data.verification = current.verification
        correct_incident(actor, current.id, data, "Updated in ACLED export", report=report)
        result.corrected += 1
    else:
        result.unchanged += 1


def _differs(old: IncidentInput, new: IncidentInput) -> bool:
    keep = dict(vars(new), verification=old.verification)
    return vars(old) != keep
