"""EXPLAIN ANALYZE before and after each query change the benchmarks led to, on this dataset.

- Keyset pages: ``a < x OR (a = x AND b < y)`` (before) versus the row comparison
  ``(a, b) < (x, y)`` (after) for the deep page of the governorate scenario.
- The ``(event_type, occurred_on, id)`` index: the sparse scenario's first page with the index
  dropped inside a transaction that is rolled back (before), and with it (after).
- ``/summary``: three scans of the incidents (before) versus one grouped scan (after), for the
  whole country over two years.
"""

from __future__ import annotations

import re

import psycopg

from .. import db
from ..context import Bench
from .query import COMMON, SCENARIOS, deep_key

EXECUTION = re.compile(r"Execution Time: ([0-9.]+) ms")
PAGE = """
SELECT i.id, i.occurred_on FROM incidents i
 WHERE i.sensitivity IN ('public', 'partner')
   AND i.admin_pcode IN (SELECT pcode FROM admin_areas WHERE path = %(path)s OR path LIKE %(like)s)
   AND i.occurred_on >= %(since)s AND i.occurred_on <= %(until)s
   AND i.event_type IN (%(event)s) {keyset}
 ORDER BY i.occurred_on DESC, i.id DESC LIMIT 51
"""
KEYSET_BEFORE = "AND (i.occurred_on < %(day)s OR (i.occurred_on = %(day)s AND i.id < %(ident)s))"
KEYSET_AFTER = "AND (i.occurred_on, i.id) < (%(day)s, %(ident)s)"
VISIBLE = (
    "FROM incidents WHERE sensitivity IN ('public', 'partner')"
    " AND occurred_on >= '2023-01-01' AND occurred_on <= '2024-12-31'"
)
SUMMARY_BEFORE = (
    f"SELECT event_type, count(*) {VISIBLE} GROUP BY event_type",
    f"SELECT target_type, count(*) {VISIBLE} AND target_type IS NOT NULL GROUP BY target_type",
    f"SELECT count(*), sum(killed), sum(injured) {VISIBLE}",
)
SUMMARY_AFTER = (
    "SELECT event_type, target_type, count(*), sum(killed), sum(injured)"
    f" {VISIBLE} GROUP BY event_type, target_type",
)
NEW_INDEX = "ix_incidents_event_type_occurred_on_id"


def _explain(cur, sql: str, params: dict | None = None, timing: bool = True) -> tuple[str, float]:
    # Per-node timing costs a lot on million-row scans; the total is what is compared there.
    options = "ANALYZE, BUFFERS" + ("" if timing else ", TIMING OFF")
    cur.execute(f"EXPLAIN ({options}) " + sql, params)
    plan = "\n".join(row[0] for row in cur.fetchall())
    return plan, float(EXECUTION.search(plan).group(1))


def _page_params(scenario: str) -> dict:
    filters = {**COMMON, **SCENARIOS[scenario]}
    with db.connect() as conn:
        path = conn.execute(
            "SELECT path FROM admin_areas WHERE pcode = %s", (filters["admin_pcode"],)
        ).fetchone()[0]
    return {
        "path": path,
        "like": path + "/%",
        "since": filters["since"],
        "until": filters["until"],
        "event": filters["event_type"],
    }


def run(bench: Bench) -> dict:
    out: dict = {}
    with psycopg.connect(db.conninfo()) as conn:
        cur = psycopg.ClientCursor(conn)  # literals inlined, as a DBA would paste them
        (day, ident), _, depth = deep_key({**COMMON, **SCENARIOS["governorate"]})
        params = _page_params("governorate") | {"day": day, "ident": ident}
        for label, keyset in (("before", KEYSET_BEFORE), ("after", KEYSET_AFTER)):
            _explain(cur, PAGE.format(keyset=keyset), params)  # warm the cache alike
            plan, ms = _explain(cur, PAGE.format(keyset=keyset), params)
            bench.plans[f"change: keyset deep page (row {depth:,}), {label}"] = plan
            out.setdefault("keyset deep page", {})[label] = ms

        params = _page_params("sparse")
        for label in ("before", "after"):
            if label == "before":
                cur.execute(f"DROP INDEX {NEW_INDEX}")  # rolled back below
            _explain(cur, PAGE.format(keyset=""), params)
            plan, ms = _explain(cur, PAGE.format(keyset=""), params)
            conn.rollback()
            bench.plans[f"change: sparse first page, {label} the event-type index"] = plan
            out.setdefault("sparse first page", {})[label] = ms

        for label, statements in (("before", SUMMARY_BEFORE), ("after", SUMMARY_AFTER)):
            total = 0.0
            for i, sql in enumerate(statements, 1):
                _explain(cur, sql, timing=False)
                plan, ms = _explain(cur, sql, timing=False)
                bench.plans[f"change: summary scan {i}/{len(statements)}, {label}"] = plan
                total += ms
            out.setdefault("summary incident figures, country", {})[label] = round(total, 1)
        conn.rollback()
    return out
