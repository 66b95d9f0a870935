"""Reading a gazetteer in the shape of OCHA's Common Operational Datasets (COD-AB).

A directory holds one p-code table and one GeoJSON file per admin level:

- the table: ``admin-areas.csv`` (or the directory's only ``.csv``), UTF-8, with the columns
  ``pcode, level, name_en, name_ar, parent_pcode``;
- boundaries: files whose names carry the level (``admin1.geojson``, ``syr_adm2.geojson``…),
  each a FeatureCollection of (Multi)Polygons in WGS84 longitude/latitude whose properties
  name the p-code as ``pcode`` or in HDX's spelling (``ADM1_PCODE``, ``adm1_pcode``).

Levels without a boundary file keep no geometry, except the country (level 0): when no
level-0 file is given its outline is the union of the level-1 polygons. Parsed results are
kept per process, keyed by the files' names, sizes and modification times, so loading the
same files again (every test, every ``seed-demo``) does not parse them again.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import shapely
from shapely.geometry.base import BaseGeometry

from .errors import BusinessRuleError

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "syria"
COLUMNS = ("pcode", "level", "name_en", "name_ar", "parent_pcode")
PCODE = re.compile(r"^[A-Z]{2}[0-9]{0,8}$")
LEVEL_IN_NAME = re.compile(r"adm(?:in)?([0-4])(?![0-9])")
# The derived country outline is rounded to the sources' own precision (4 decimals, ~11 m).
GRID = 1e-4


@dataclass(frozen=True)
class CodArea:
    pcode: str
    level: int
    name_en: str
    name_ar: str
    parent_pcode: Optional[str]
    boundary: Optional[str]  # GeoJSON geometry text
    centroid: Optional[tuple[float, float]]  # (lat, lon), inside the area


_cache: dict[tuple, list[CodArea]] = {}


def read_cod(directory: str | Path) -> list[CodArea]:
    """The areas of a COD-style directory, parents before children. Raises
    ``BusinessRuleError`` naming the file and line (or feature) of every problem."""
    folder = Path(directory)
    if not folder.is_dir():
        raise BusinessRuleError(
            f"no such directory: {folder}", errors={"directory": [f"Not a directory: {folder}"]}
        )
    table, boundaries = _files(folder)
    key = tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in [table, *boundaries])
    if key not in _cache:
        _cache.clear()  # one gazetteer at a time is plenty
        _cache[key] = _parse(table, boundaries)
    return _cache[key]


def _files(folder: Path) -> tuple[Path, list[Path]]:
    csvs = sorted(folder.glob("*.csv"))
    named = folder / "admin-areas.csv"
    table = named if named.exists() else (csvs[0] if len(csvs) == 1 else None)
    if table is None:
        raise BusinessRuleError(
            "no p-code table",
            errors={"directory": ["Expected admin-areas.csv (or a single .csv) in the folder."]},
        )
    boundaries = sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in (".geojson", ".json") and LEVEL_IN_NAME.search(p.stem.lower())
    )
    return table, boundaries


def _parse(table: Path, boundaries: list[Path]) -> list[CodArea]:
    errors: list[str] = []
    rows = _read_table(table, errors)
    shapes: dict[str, BaseGeometry] = {}
    for path in boundaries:
        level = int(LEVEL_IN_NAME.search(path.stem.lower()).group(1))
        _read_boundaries(path, level, rows, shapes, errors)
    if errors:
        raise BusinessRuleError(
            f"{len(errors)} problem(s) in the gazetteer files",
            errors={"files": errors[:100]},
        )
    if any(r["level"] == 0 for r in rows.values()) and not any(
        rows[p]["level"] == 0 for p in shapes
    ):
        _derive_countries(rows, shapes)
    ordered = sorted(rows.values(), key=lambda r: (r["level"], r["pcode"]))
    return [_area(r, shapes.get(r["pcode"])) for r in ordered]


def _read_table(table: Path, errors: list[str]) -> dict[str, dict]:
    with table.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            errors.append(f"{table.name}: missing columns {', '.join(missing)}")
            return {}
        rows: dict[str, dict] = {}
        for line, raw in enumerate(reader, start=2):
            row = _table_row(raw, f"{table.name} line {line}", errors)
            if row is None:
                continue
            if row["pcode"] in rows:
                errors.append(f"{table.name} line {line}: p-code {row['pcode']} repeated")
                continue
            row["line"] = line
            rows[row["pcode"]] = row
    for row in rows.values():
        _check_parent(row, rows, f"{table.name} line {row['line']}", errors)
    return rows


def _table_row(raw: dict, where: str, errors: list[str]) -> Optional[dict]:
    values = {c: (raw.get(c) or "").strip() for c in COLUMNS}
    problems = []
    if not PCODE.match(values["pcode"]):
        problems.append(f"p-code '{values['pcode']}' is not two capital letters and digits")
    if values["level"] not in {"0", "1", "2", "3", "4"}:
        problems.append(f"level '{values['level']}' is not 0 to 4")
    if not values["name_en"] or not values["name_ar"]:
        problems.append("English and Arabic names are both required")
    if len(values["name_en"]) > 200 or len(values["name_ar"]) > 200:
        problems.append("names are limited to 200 characters")
    if problems:
        errors.extend(f"{where}: {p}" for p in problems)
        return None
    return {**values, "level": int(values["level"]), "parent_pcode": values["parent_pcode"] or None}


def _check_parent(row: dict, rows: dict, where: str, errors: list[str]) -> None:
    parent = rows.get(row["parent_pcode"] or "")
    if row["level"] == 0:
        if row["parent_pcode"]:
            errors.append(f"{where}: a country (level 0) has no parent")
    elif parent is None:
        errors.append(f"{where}: parent '{row['parent_pcode'] or ''}' is not in the table")
    elif parent["level"] != row["level"] - 1:
        errors.append(
            f"{where}: parent {parent['pcode']} is level {parent['level']}, not {row['level'] - 1}"
        )


def _read_boundaries(
    path: Path, level: int, rows: dict, shapes: dict[str, BaseGeometry], errors: list[str]
) -> None:
    try:
        collection = json.loads(path.read_text(encoding="utf-8-sig"))
        features = collection["features"]
    except (ValueError, KeyError, TypeError) as exc:
        errors.append(f"{path.name}: not a GeoJSON FeatureCollection ({exc})")
        return
    for number, feature in enumerate(features, start=1):
        where = f"{path.name} feature {number}"
        pcode = _feature_pcode(feature, level)
        row = rows.get(pcode or "")
        if row is None or row["level"] != level:
            errors.append(f"{where}: p-code '{pcode}' is not a level-{level} row of the table")
            continue
        geometry = _geometry(feature, where, errors)
        if geometry is not None:
            # A unit drawn as several features (islands, exclaves) becomes one multipolygon.
            shapes[pcode] = shapes[pcode].union(geometry) if pcode in shapes else geometry


def _feature_pcode(feature: dict, level: int) -> Optional[str]:
    props = {str(k).lower(): v for k, v in (feature.get("properties") or {}).items()}
    for name in ("pcode", f"adm{level}_pcode", f"admin{level}pcode", f"admin{level}_pcode"):
        if props.get(name):
            return str(props[name]).strip()
    return None


def _geometry(feature: dict, where: str, errors: list[str]) -> Optional[BaseGeometry]:
    try:
        geometry = shapely.from_geojson(json.dumps(feature.get("geometry")))
    except (shapely.errors.GEOSException, ValueError, TypeError) as exc:
        errors.append(f"{where}: unreadable geometry ({exc})")
        return None
    if geometry is None or geometry.geom_type not in ("Polygon", "MultiPolygon"):
        errors.append(f"{where}: a boundary must be a Polygon or MultiPolygon")
        return None
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    minx, miny, maxx, maxy = geometry.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        errors.append(f"{where}: coordinates are not WGS84 longitude/latitude")
        return None
    return geometry


def _derive_countries(rows: dict, shapes: dict[str, BaseGeometry]) -> None:
    for country in [r for r in rows.values() if r["level"] == 0]:
        parts = [g for p, g in shapes.items() if rows[p]["parent_pcode"] == country["pcode"]]
        if parts:
            shapes[country["pcode"]] = shapely.set_precision(shapely.union_all(parts), GRID)


def _area(row: dict, geometry: Optional[BaseGeometry]) -> CodArea:
    boundary = centroid = None
    if geometry is not None and not geometry.is_empty:
        boundary = shapely.to_geojson(geometry)
        point = geometry.centroid
        if not geometry.contains(point):  # a crescent or a coastline: use a point inside
            point = geometry.point_on_surface()
        centroid = (round(point.y, 5), round(point.x, 5))
    return CodArea(
        pcode=row["pcode"],
        level=row["level"],
        name_en=row["name_en"],
        name_ar=row["name_ar"],
        parent_pcode=row["parent_pcode"],
        boundary=boundary,
        centroid=centroid,
    )
