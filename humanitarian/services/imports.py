"""Writing imported rows: ACLED exports and HXL-tagged files, for the CLI, the API's import
jobs and the tests alike.

An import reads the whole file first. A row that cannot be read (an unknown event type, a
place not found, a bad date) is reported with its line, column and message; if any row is
refused, **nothing is written** (all or nothing per file): the refused rows are fixed and the
file sent again. A file without refusals is written in one transaction, so a crash half-way
leaves nothing behind either.

Rows that carry an external id (ACLED's ``event_id_cnty``, an HXL ``#meta+id``) are matched to
what earlier imports stored: an unchanged row is left alone, a changed one becomes a new
revision, a new one is created. ACLED's deleted events are retracted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Optional, Union

from sqlalchemy import select

from ..extensions import db
from ..models import Incident, PopulationMovement, Report
from ..models.enums import Scope
from .actors import Actor
from .errors import BusinessRuleError
from .incidents import correct_incident, incident_input_from, record_incident
from .inputs import IncidentInput, MovementInput
from .locate import resolve_location
from .movements import record_movement
from .reports import open_report
from .retraction import retract_record

DELETED_REASON = "Deleted by the source (its list of deleted events)"

# How many rows are written between flushes: memory stays flat on a 100k-row file while the
# transaction stays one.
FLUSH_EVERY = 500
ERRORS_KEPT = 1000

# (rows done, rows in all): called while a file is read and while it is written.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RowError:
    line: int  # in the file, the header being line 1
    column: str  # the column's header (or hashtag), "" for the row as a whole
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass
class Row:
    """One readable row, ready to write."""

    line: int
    data: Union[IncidentInput, MovementInput]
    external_id: Optional[str] = None  # "acled:SYR100001", "hxl:<id>"
    external_updated_at: Optional[datetime] = None


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retracted: int = 0
    refused: int = 0
    errors: list[RowError] = field(default_factory=list)

    def refuse(self, error: RowError) -> None:
        if not self.errors or self.errors[-1].line != error.line:
            self.refused += 1
        if len(self.errors) < ERRORS_KEPT:
            self.errors.append(error)

    @property
    def written(self) -> bool:
        return not self.refused

    def counts(self) -> dict[str, int]:
        names = ("created", "updated", "unchanged", "retracted", "refused")
        return {name: getattr(self, name) for name in names}


def field_errors(line: int, exc: BusinessRuleError, columns: dict[str, str]) -> list[RowError]:
    """A service's refusal as row errors, each field named by its column in the file."""
    if not exc.errors:
        return [RowError(line, "", exc.detail)]
    return [
        RowError(line, columns.get(name, name), " ".join(_flatten(messages)))
        for name, messages in exc.errors.items()
    ]


def _flatten(messages) -> list[str]:
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flatten(value)]
    return [str(m) for m in messages]


def write_rows(
    actor: Actor,
    rows: list[Row],
    result: ImportResult,
    *,
    columns: Optional[dict[str, str]] = None,
    deleted: Iterable[str] = (),
    progress: Optional[Progress] = None,
) -> ImportResult:
    """Write every row in one transaction, or nothing if any row is refused on the way (the
    services' own rules: a point outside its area, a date in the future). ``deleted`` are
    external ids to retract."""
    actor.require(Scope.append)
    deleted = list(deleted)
    _refuse_repeated_ids(rows, result)
    if result.refused:
        return result
    columns = columns or {}
    try:
        with open_report(actor) as report:
            _write_all(actor, report, rows, result, columns, progress)
            if deleted and not result.refused:
                result.retracted = _retract_deleted(actor, deleted, report)
            if result.refused:
                raise _Refused()
    except _Refused:
        result.created = result.updated = result.unchanged = result.retracted = 0
    return result


def _refuse_repeated_ids(rows: list[Row], result: ImportResult) -> None:
    """One event twice in a file cannot be both created and updated: the later row is refused."""
    first: dict[str, int] = {}
    for row in rows:
        if row.external_id is None:
            continue
        if row.external_id in first:
            message = f"The same id as line {first[row.external_id]}."
            column = "event_id_cnty" if row.external_id.startswith("acled:") else "#meta+id"
            result.refuse(RowError(row.line, column, message))
        else:
            first[row.external_id] = row.line


class _Refused(Exception):
    """Rolls the import's transaction back once every row has been checked."""


def _write_all(actor, report, rows, result, columns, progress) -> None:
    for start in range(0, len(rows), FLUSH_EVERY):
        batch = rows[start : start + FLUSH_EVERY]
        existing = _existing(batch)
        # One flush per batch, not one before every query a row makes (loading its sources):
        # the batch's rows go in as multi-row INSERTs (PostgreSQL: about 5x faster).
        with db.session.no_autoflush:
            for row in batch:
                try:
                    _write_row(actor, report, row, existing.get(row.external_id), result)
                except BusinessRuleError as exc:
                    for error in field_errors(row.line, exc, columns):
                        result.refuse(error)
        if result.refused:
            continue  # check the rest, write nothing
        # Written rows are flushed; the session holds clean rows only weakly, so they go.
        db.session.flush()
        if progress:
            progress(min(start + FLUSH_EVERY, len(rows)), len(rows))


def _existing(batch: list[Row]) -> dict:
    """What earlier imports stored under the batch's external ids."""
    ids = [r.external_id for r in batch if r.external_id]
    if not ids:
        return {}
    model = PopulationMovement if isinstance(batch[0].data, MovementInput) else Incident
    stmt = select(model).where(model.external_id.in_(ids))
    return {record.external_id: record for record in db.session.scalars(stmt)}


def _write_movement(actor: Actor, report: Report, row: Row, current, result) -> None:
    """Movements have no revisions: a row already imported is left alone if it says the same,
    and refused if it says something else (record a new flow instead)."""
    if current is None:
        record_movement(actor, row.data, report=report).external_id = row.external_id
        result.created += 1
        return
    stored = {k: getattr(current, k) for k in MOVEMENT_COMPARED}
    given = {k: getattr(row.data, k) for k in MOVEMENT_COMPARED}
    if {k: str(v) if v is not None else None for k, v in stored.items()} != {
        k: str(v) if v is not None else None for k, v in given.items()
    }:
        raise BusinessRuleError(
            "movement changed",
            errors={"id": [f"Already imported as {current.id} with other figures; movements are "
                           "not revised by import."]},
        )  # fmt: skip
    result.unchanged += 1


MOVEMENT_COMPARED = (
    "movement_type", "origin_pcode", "destination_pcode", "period_start", "period_end",
    "individuals", "households",
)  # fmt: skip


def _write_row(actor: Actor, report: Report, row: Row, current, result: ImportResult) -> None:
    if isinstance(row.data, MovementInput):
        _write_movement(actor, report, row, current, result)
        return
    # Placed first, so a row placed by its point compares equal to what it stored last time.
    data = replace(row.data, location=resolve_location(row.data.location))
    if current is None:
        incident = record_incident(actor, data, report=report)
        incident.external_id = row.external_id
        incident.external_updated_at = row.external_updated_at
        result.created += 1
        return
    if current.retracted_at is not None:
        result.unchanged += 1  # retracted here: a newer export does not bring it back
        return
    if _not_newer(row.external_updated_at, current.external_updated_at):
        result.unchanged += 1
        return
    data.verification = current.verification  # verification is ours, not the source's
    if _differs(incident_input_from(current), data):
        reason = "Updated in a newer export of the source"
        correct_incident(actor, current.id, data, reason, report=report)
        result.updated += 1
    else:
        result.unchanged += 1
    current.external_updated_at = row.external_updated_at or current.external_updated_at


def _not_newer(new: Optional[datetime], stored: Optional[datetime]) -> bool:
    """A row whose source timestamp is not after the stored one has not changed there."""
    return new is not None and stored is not None and new <= stored


def _differs(old: IncidentInput, new: IncidentInput) -> bool:
    return vars(old) != vars(new)


def _retract_deleted(actor: Actor, rows: list[str], report: Report) -> int:
    """Retract the incidents imported under the external ids in ``rows`` (ACLED's deleted
    events) in the import's own report; ids never imported, or retracted already, are
    skipped. Returns how many were retracted. Retracting needs the verify scope."""
    stmt = select(Incident.id).where(
        Incident.external_id.in_(rows), Incident.retracted_at.is_(None)
    )
    found = list(db.session.scalars(stmt))
    for incident_id in found:
        retract_record(actor, "incident", incident_id, DELETED_REASON, report=report)
    return len(found)
