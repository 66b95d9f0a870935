"""Loading a gazetteer (p-codes, names, boundaries) into ``admin_areas``.

A load is idempotent and keyed by p-code: new areas are added, a changed name, parent or
boundary is updated in place, unchanged rows are not touched. Areas of the same country that
the files no longer hold are removed, except those that any record still points at: a p-code in
use is never deleted, and the result names each one kept with how many rows use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import undefer

from ..extensions import db
from ..models import AdminArea, Base, utcnow
from ..models.enums import Scope, Sensitivity
from .actors import Actor
from .audit import audit
from .cod import SHIPPED, CodArea, read_cod
from .places import forget_places
from .reports import open_report


@dataclass
class LoadResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    # (p-code, what refers to it) for areas absent from the files but kept because in use.
    kept_in_use: list[tuple[str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def load_areas(actor: Actor, directory: str | Path) -> LoadResult:
    """Load a COD-style directory (see ``services/cod.py``) in one audited transaction."""
    actor.require(Scope.admin)
    areas = read_cod(directory)  # every file problem is reported before anything is written
    with open_report(actor) as report:
        result = _apply(areas)
        report.record_count = result.added + result.updated + result.removed
        audit(
            actor,
            "admin_areas.load",
            "admin_areas",
            None,
            report=report,
            sensitivity=Sensitivity.public,  # reference data, published as it is
            details={
                "directory": Path(directory).name,
                "added": result.added,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "removed": result.removed,
                "kept_in_use": [p for p, _ in result.kept_in_use],
            },
        )
    forget_places()
    return result


def install_shipped_areas() -> LoadResult:
    """The Syria gazetteer that ships with the package, installed as reference data (as a
    migration would, without a report or audit row): ``seed-demo`` and the test fixtures."""
    try:
        result = _apply(read_cod(SHIPPED))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    forget_places()
    return result


def _apply(areas: list[CodArea]) -> LoadResult:
    result = LoadResult()
    rows = db.session.scalars(select(AdminArea).options(undefer(AdminArea.boundary)))
    existing = {a.pcode: a for a in rows}
    paths = _paths(areas)
    now = utcnow()
    for level in sorted({a.level for a in areas}):
        new = []
        for area in (a for a in areas if a.level == level):
            row = existing.get(area.pcode)
            if row is None:
                new.append(_values(area, paths[area.pcode], now))
            elif _update(row, area, paths[area.pcode], now):
                result.updated += 1
            else:
                result.unchanged += 1
        if new:
            db.session.flush()
            db.session.execute(insert(AdminArea), new)  # parents exist: one level at a time
            result.added += len(new)
    db.session.flush()
    _remove_absent(areas, paths, result)
    return result


def _paths(areas: list[CodArea]) -> dict[str, str]:
    paths: dict[str, str] = {}
    for area in areas:  # parents come first
        parent = area.parent_pcode
        paths[area.pcode] = f"{paths[parent]}/{area.pcode}" if parent else area.pcode
    return paths


def _values(area: CodArea, path: str, now) -> dict:
    lat, lon = area.centroid or (None, None)
    return {
        "pcode": area.pcode,
        "name_en": area.name_en,
        "name_ar": area.name_ar,
        "level": area.level,
        "parent_pcode": area.parent_pcode,
        "path": path,
        "centroid_lat": lat,
        "centroid_lon": lon,
        "boundary": area.boundary,
        "updated_at": now,
    }


def _update(row: AdminArea, area: CodArea, path: str, now) -> bool:
    wanted = _values(area, path, now)
    del wanted["updated_at"]
    if area.boundary is None:
        # A level without a boundary file keeps the geometry and centroid it had.
        for name in ("boundary", "centroid_lat", "centroid_lon"):
            wanted.pop(name)
    changed = {k: v for k, v in wanted.items() if getattr(row, k) != v}
    if not changed:
        return False
    for name, value in changed.items():
        setattr(row, name, value)
    row.updated_at = now
    return True


def _remove_absent(areas: list[CodArea], paths: dict[str, str], result: LoadResult) -> None:
    """Delete this country's areas that the files no longer hold, unless in use."""
    roots = {p.split("/")[0] for p in paths.values()}
    wanted = {a.pcode for a in areas}
    under = or_(*(or_(AdminArea.path == r, AdminArea.path.like(r + "/%")) for r in roots))
    absent = [
        a for a in db.session.scalars(select(AdminArea).where(under)) if a.pcode not in wanted
    ]
    kept: set[str] = set()
    for area in sorted(absent, key=lambda a: -a.level):  # children before parents
        uses = _uses(area.pcode)
        if not uses and any(a.parent_pcode == area.pcode for a in absent if a.pcode in kept):
            uses = "areas kept under it"
        if uses:
            kept.add(area.pcode)
            result.kept_in_use.append((area.pcode, uses))
            continue
        db.session.execute(delete(AdminArea).where(AdminArea.pcode == area.pcode))
        result.removed += 1
    result.kept_in_use.sort()


def _uses(pcode: str) -> Optional[str]:
    """'3 incidents.admin_pcode, 1 movements.origin_pcode' or None: every foreign key to
    ``admin_areas`` in the schema counts, so a new kind of record is covered without a change."""
    found = []
    for table in Base.metadata.sorted_tables:
        if table.name == "admin_areas":
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name != "admin_areas":
                continue
            n = db.session.scalar(select(func.count()).select_from(table).where(fk.parent == pcode))
            if n:
                found.append(f"{n} {table.name}.{fk.parent.name}")
    return ", ".join(found) or None
