"""Sitrep PDF for a governorate-month, generated the way the CLI and the scheduler do it
(``generate_sitrep``: gather content, render with WeasyPrint, archive, record).

Three governorates for November 2024, each generated once (a sitrep is idempotent per area,
period and audience, so repeating one would only fetch the archive). Each run is split into
its two halves, gathering the content and rendering the PDF, and sits beside two baselines
from the same run: ``summarize`` for the same area and period (the figures alone) and
WeasyPrint rendering a one-page document (the renderer's fixed cost).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, date, datetime

from .. import db
from ..context import Bench

AREAS = ("SY02", "SY07", "SY09")
PERIOD = (date(2024, 11, 1), date(2024, 11, 30))
AUDIENCE = "public"


def _forget_previous() -> None:
    """Remove earlier bench runs' sitreps for these keys so they are generated afresh."""
    with db.connect() as conn:
        keys = (list(AREAS), PERIOD[0], PERIOD[1], AUDIENCE)
        where = "admin_pcode = ANY(%s) AND period_start = %s AND period_end = %s AND audience = %s"
        conn.execute(f"DELETE FROM sitrep_runs WHERE {where}", keys)  # noqa: S608 - fixed SQL
        conn.execute(f"DELETE FROM sitreps WHERE {where}", keys)  # noqa: S608 - fixed SQL


def _hello_pdf() -> float:
    import weasyprint

    began = time.perf_counter()
    weasyprint.HTML(string="<h1>Situation report</h1><p>Nothing to report.</p>").write_pdf()
    return time.perf_counter() - began


def _split(area: str) -> dict:
    """Time the content and rendering halves separately (nothing archived)."""
    from humanitarian.reports.render import render_pdf
    from humanitarian.services.sitrep_content import build_content

    began = time.perf_counter()
    content = build_content(area, PERIOD[0], PERIOD[1], AUDIENCE, datetime.now(UTC))
    gathered = time.perf_counter()
    rendered = render_pdf(content)
    done = time.perf_counter()
    return {
        "content_s": round(gathered - began, 3),
        "render_s": round(done - gathered, 3),
        "pages": rendered.page_count,
        # What the PDF lists in full: these tables are what make it long.
        "incidents": len(content.incidents),
        "facilities_listed": len(content.statuses),
        "status_changes": sum(len(row.changes) for row in content.statuses),
        "flows_listed": len(content.flows),
    }


def run(bench: Bench) -> dict:
    try:
        from humanitarian.services import generate_sitrep, summarize
    except ImportError:
        return {"error": "the sitrep service is not on this branch"}
    from humanitarian.services import Actor
    from humanitarian.services.sitrep_content import reader_for

    _forget_previous()
    actor, reader = Actor.system("bench"), reader_for(AUDIENCE)
    full, parts, summaries, hello = [], [], [], []
    pages = sizes = None
    with tempfile.TemporaryDirectory() as archive, db.app_context(SITREP_DIR=archive):
        _hello_pdf()  # import and font set-up once, outside the timings
        for area in AREAS:
            bench.log(f"sitrep: {area} {PERIOD[0]} – {PERIOD[1]}")
            began = time.perf_counter()
            summarize(reader, area, *PERIOD)
            summaries.append(time.perf_counter() - began)
            hello.append(_hello_pdf())
            parts.append(_split(area))
            began = time.perf_counter()
            sitrep = generate_sitrep(actor, area, PERIOD[0], PERIOD[1], AUDIENCE)
            full.append(time.perf_counter() - began)
            pages, sizes = sitrep.page_count, sitrep.size_bytes
    _forget_previous()

    def stats(values: list[float]) -> dict:
        return {"p50_s": round(statistics.median(values), 3), "max_s": round(max(values), 3)}

    return {
        "areas": list(AREAS),
        "period": [d.isoformat() for d in PERIOD],
        "audience": AUDIENCE,
        "generate": {**stats(full), "pages": pages, "bytes": sizes},
        "per_area": {
            area: part | {"generate_s": round(seconds, 3)}
            for area, part, seconds in zip(AREAS, parts, full, strict=True)
        },
        "content": stats([p["content_s"] for p in parts]),
        "render": stats([p["render_s"] for p in parts]),
        "summary_baseline": stats(summaries),
        "hello_pdf_baseline": stats(hello),
    }
