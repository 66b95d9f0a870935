"""Reading HXL-tagged CSV into incidents or movements.

A column is found by its hashtag, whatever its header text or position: the hashtags are the
ones the kind's export writes (DOMAIN.md's table, ``Column.hxl``), so an export reads back in.
A column tagged with extra attributes (``#affected+killed+num``) still matches; each column
goes to the most specific hashtag it carries, so ``#affected+killed+children`` is never taken
for ``#affected+killed``. Fields DOMAIN.md leaves untagged (``title``, ``movement_type``,
``estimate_method``…) are read from a column with the field's name as header, as the exports
write them. Unknown columns are ignored. Each row is loaded with the kind's input schema, the
same contract as the API, and its errors are reported by line and column.

The hashtag row is parsed here rather than with libhxl: an import needs the source line of
each row and streams files of up to 100 MB, and the rule is two lines.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Optional

from marshmallow import Schema, ValidationError, fields

from ..models.enums import Sensitivity, SourceType, Verification
from ..services import ensure_source
from ..services.errors import BusinessRuleError
from ..services.imports import ImportResult, Row, RowError
from .base import Kind

Tag = tuple[str, frozenset[str]]
# Location fields: the exact p-code column of an export if present, else the deepest tagged
# admin code.
AREAS = {
    "incidents": {"admin_pcode": ("admin3_pcode", "admin2_pcode", "admin1_pcode")},
    "movements": {
        "origin_pcode": ("origin_admin2", "origin"),
        "destination_pcode": ("destination_admin2", "destination"),
    },
}
# Set by the import as a whole, never by a row: a file cannot raise its own rows' access.
NOT_FROM_ROWS = {"sensitivity", "source_ids"}


def parse_tag(text: str) -> Optional[Tag]:
    """``"#adm1 +Code+origin"`` -> ("#adm1", {"code", "origin"}); None if not a hashtag."""
    text = "".join(text.split()).lower()
    if not text.startswith("#") or len(text) < 2:
        return None
    base, *attributes = text.split("+")
    return base, frozenset(a for a in attributes if a)


def is_tag_row(cells: list[str]) -> bool:
    filled = [c for c in cells if c.strip()]
    return bool(filled) and all(parse_tag(c) for c in filled)


class ColumnMap:
    """Which column of the file holds each field of the kind."""

    def __init__(self, kind: Kind, header: list[str], tags: list[str]) -> None:
        self.kind = kind
        specs = {c.name: parse_tag(c.hxl) for c in kind.columns if c.hxl}
        found = [parse_tag(t) for t in tags]
        best: dict[str, tuple[int, int]] = {}  # field -> (extra attributes, column index)
        for index, tag in enumerate(found):
            if tag is None:
                continue
            claims = [
                (len(spec[1]), name)
                for name, spec in specs.items()
                if spec[0] == tag[0] and spec[1] <= tag[1]
            ]
            if not claims:
                continue
            size, name = max(claims)
            candidate = (len(tag[1]) - size, index)
            if name not in best or candidate < best[name]:
                best[name] = candidate
        self.index = {name: index for name, (_, index) in best.items()}
        self.labels = {name: tags[i].strip() for name, i in self.index.items()}
        tagged = set(specs)
        schema_fields = kind.in_schema().fields
        for position, name in enumerate(h.strip().lower() for h in header):
            if name in schema_fields and name not in tagged and name not in self.index:
                self.index[name] = position
                self.labels[name] = header[position].strip()

    def value(self, cells: list[str], name: str) -> str:
        index = self.index.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""


def read_hxl(
    kind: Kind,
    lines: Iterable[str],
    result: ImportResult,
    *,
    sensitivity: Sensitivity = Sensitivity.public,
    verification: Verification = Verification.unverified,
) -> tuple[list[Row], dict[str, str]]:
    """Every readable row, and the file's column label per field (for error messages)."""
    reader = csv.reader(lines)
    header = next(reader, [])
    tags = header if is_tag_row(header) else next(reader, [])
    if not is_tag_row(tags):
        raise BusinessRuleError(
            "not an HXL file",
            errors={
                "file": ["No HXL hashtag row (such as #meta+id,#date+occurred) in line 1 or 2."]
            },
        )
    columns = ColumnMap(kind, header, tags)
    _require_columns(kind, columns)
    schema, sources, rows = kind.in_schema(), {}, []
    for line, cells in _data_rows(reader):
        result.rows += 1
        values = _values(kind, columns, cells, sources)
        values.setdefault("verification", verification.value)
        values["sensitivity"] = sensitivity.value
        try:
            data = schema.load(_typed(schema, values))
        except ValidationError as exc:
            for field, messages in _flat(exc.messages).items():
                result.refuse(RowError(line, columns.labels.get(field, field), messages))
            continue
        external = columns.value(cells, "id")
        rows.append(Row(line, data, external_id=f"hxl:{external}"[:100] if external else None))
    return rows, columns.labels


def _require_columns(kind: Kind, columns: ColumnMap) -> None:
    required = {
        "incidents": ("occurred_on", "event_type"),
        "movements": ("movement_type", "period_start", "period_end", "estimate_method"),
    }[kind.name]
    missing = [name for name in required if name not in columns.index]
    if missing:
        spec = {c.name: c.hxl for c in kind.columns}
        named = [
            f"{n} ({spec[n]})" if spec.get(n) else f"{n} (a column headed '{n}')" for n in missing
        ]
        raise BusinessRuleError(
            "columns missing", errors={"file": [f"Missing columns: {', '.join(named)}."]}
        )


def _data_rows(reader) -> Iterator[tuple[int, list[str]]]:
    for cells in reader:
        if any(c.strip() for c in cells):
            yield reader.line_num, cells


def _values(kind: Kind, columns: ColumnMap, cells: list[str], sources: dict) -> dict:
    schema_fields = kind.in_schema().fields
    values = {
        name: columns.value(cells, name)
        for name in columns.index
        if name in schema_fields and name not in NOT_FROM_ROWS
    }
    for field, candidates in AREAS[kind.name].items():
        exact = values.get(field) or ""
        deepest = next((columns.value(cells, c) for c in candidates if columns.value(cells, c)), "")
        values[field] = exact or deepest
    names = [n.strip() for n in columns.value(cells, "sources").split(";") if n.strip()]
    for name in names[:50]:
        if name not in sources:
            sources[name] = ensure_source(name[:200], SourceType.ngo).id
    values["source_ids"] = [sources[n] for n in names[:50]]
    if kind.name == "incidents" and not values.get("title"):
        what = values.get("sub_event_type") or values.get("event_type") or "Incident"
        values["title"] = (
            f"{what.replace('_', ' ').capitalize()} – {values['admin_pcode'] or 'located by point'}"
        )
    return values


def _typed(schema: Schema, values: dict) -> dict:
    """Text cells to what the schema loads: blanks left out (or None where null is allowed),
    integers parsed; anything else goes in as text and the schema says what is wrong."""
    out = {}
    for name, value in values.items():
        declared = schema.fields.get(name)
        if value == "" or value is None:
            if declared is not None and declared.allow_none:
                out[name] = None
            continue
        if isinstance(declared, fields.Integer) and isinstance(value, str):
            try:
                value = int(value)
            except ValueError:
                pass
        out[name] = value
    return out


def _flat(messages: dict) -> dict[str, str]:
    out = {}
    for field, value in messages.items():
        if isinstance(value, dict):
            value = [m for v in value.values() for m in (v if isinstance(v, list) else [v])]
        out[field] = " ".join(str(m) for m in value)
    return out
