"""Streamed HXL export (``format=hxl&limit=all``): wall time and the worker's peak memory.

Each export runs on a freshly started gunicorn so the worker's high-water mark (``VmHWM``)
belongs to that export alone. It is measured for about a tenth of the rows and for all of
them: if memory is constant in the row count, the two peaks match. The baseline is
PostgreSQL writing an equivalent CSV itself (``COPY (SELECT ...) TO STDOUT``, with the same
admin names and source lists joined in), read over psycopg.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

import httpx

from .. import db
from ..context import Bench, Statement, explain

VISIBLE = "('public', 'partner')"
COPY_SQL = f"""
COPY (
  SELECT i.id, i.occurred_on, i.event_type, i.sub_event_type, i.target_type,
         a1.pcode, a1.name_en, a2.pcode, a2.name_en, i.latitude, i.longitude, i.killed,
         i.injured, i.actor1,
         (SELECT string_agg(s.name, '; ' ORDER BY s.id) FROM incident_sources l
            JOIN sources s ON s.id = l.source_id WHERE l.incident_id = i.id),
         i.verification, i.revision, i.title, i.admin_pcode, i.geo_precision, i.occurred_at,
         i.date_precision, i.facility_id, i.actor2, i.perpetrator_claimed_by,
         i.civilians_killed, i.children_killed, i.description, i.sensitivity, i.report_id,
         i.created_at, i.updated_at
    FROM incidents i
    JOIN admin_areas a ON a.pcode = i.admin_pcode
    LEFT JOIN admin_areas a1 ON a1.pcode = split_part(a.path, '/', 2)
    LEFT JOIN admin_areas a2 ON a2.pcode = split_part(a.path, '/', 3)
   WHERE i.sensitivity IN {VISIBLE} AND i.occurred_on >= %s
   ORDER BY i.occurred_on DESC, i.id DESC
) TO STDOUT WITH (FORMAT csv, HEADER)
"""  # noqa: S608 - constant SQL, the only parameter is bound


def _since_for(fraction: float) -> tuple[str, int]:
    """The date from which the newest ``fraction`` of visible incidents start."""
    with db.connect() as conn:
        total = conn.execute(
            f"SELECT count(*) FROM incidents WHERE sensitivity IN {VISIBLE}"  # noqa: S608
        ).fetchone()[0]
        if fraction >= 1:
            return "1900-01-01", total
        day = conn.execute(
            f"SELECT occurred_on FROM incidents WHERE sensitivity IN {VISIBLE}"  # noqa: S608
            " ORDER BY occurred_on DESC OFFSET %s LIMIT 1",
            (int(total * fraction),),
        ).fetchone()[0]
        rows = conn.execute(
            f"SELECT count(*) FROM incidents WHERE sensitivity IN {VISIBLE}"  # noqa: S608
            " AND occurred_on >= %s",
            (day,),
        ).fetchone()[0]
    return day.isoformat(), rows


def _export_over_http(bench: Bench, since: str) -> dict:
    headers = bench.auth("read")
    query = {"format": "hxl", "limit": "all"}
    if since > "1900-01-01":
        query["since"] = since
    with bench.server() as srv:
        # One small request per worker first, so "before" includes everything imported.
        for _ in range(4):
            httpx.get(srv.url + "/api/v1/incidents?limit=1", headers=headers, timeout=30)
        before = srv.worker_memory()
        lines = size = 0
        began = time.perf_counter()
        with httpx.stream(
            "GET", f"{srv.url}/api/v1/incidents?{urlencode(query)}", headers=headers, timeout=None
        ) as response:
            response.raise_for_status()
            first_bytes = None
            head = b""
            for chunk in response.iter_bytes():
                if first_bytes is None:
                    first_bytes = time.perf_counter() - began
                if len(head) < 4096:
                    head += chunk[:4096]
                size += len(chunk)
                lines += chunk.count(b"\n")
        seconds = time.perf_counter() - began
        after = srv.worker_memory()
    hashtags = head.split(b"\r\n")[1].decode() if b"\r\n" in head else ""
    peak = max(after.values(), key=lambda m: m["peak"])
    pid = next(p for p, m in after.items() if m is peak)
    return {
        "rows": lines - 2,  # header row and HXL hashtag row
        "bytes": size,
        "seconds": round(seconds, 2),
        "rows_per_s": round((lines - 2) / seconds),
        "first_byte_s": round(first_bytes or 0, 3),
        "peak_rss_mb": round(peak["peak"] / 2**20, 1),
        "idle_rss_mb": round(before.get(pid, peak)["rss"] / 2**20, 1),
        "hxl_row_ok": hashtags.startswith("#meta+id,#date+occurred"),
    }


def _copy_baseline(since: str) -> dict:
    size = 0
    began = time.perf_counter()
    with db.connect() as conn, conn.cursor() as cur:
        with cur.copy(COPY_SQL, (since,)) as copy:
            for chunk in copy:
                size += len(chunk)
    return {"seconds": round(time.perf_counter() - began, 2), "bytes": size}


def _plan(since: str, bench: Bench, label: str) -> None:
    """EXPLAIN ANALYZE of the query the export streams (the API's own statement)."""
    from datetime import date

    from humanitarian.extensions import db as sqla
    from humanitarian.models.enums import Channel, Scope, Sensitivity
    from humanitarian.services import Actor, RecordFilter, incident_export_select

    actor = Actor(Channel.api, frozenset({Scope.read}), Sensitivity.partner)
    filters = RecordFilter(since=date.fromisoformat(since) if since > "1900-01-01" else None)
    with db.app_context():
        compiled = incident_export_select(actor, filters).compile(
            dialect=sqla.engine.dialect, compile_kwargs={"render_postcompile": True}
        )
    bench.plans[f"export {label}"] = explain(Statement(str(compiled), compiled.params))


def run(bench: Bench) -> dict:
    out: dict = {}
    for label, fraction in (("tenth", 0.1), ("all", 1.0)):
        since, expected = _since_for(fraction)
        bench.log(f"export: {label} ({expected:,} rows)")
        _plan(since, bench, label)
        result = _export_over_http(bench, since)
        result["expected_rows"] = expected
        result["copy"] = _copy_baseline(since)
        result["since"] = since
        out[label] = result
    return out
