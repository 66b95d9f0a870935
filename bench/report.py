"""Render a run as Markdown into bench/results.md.

Only the part between the ``bench:generated`` markers is rewritten, so the hand-written
analysis around it survives re-runs.
"""

from __future__ import annotations

from pathlib import Path

from .machine import machine_info
from .tables import table as _table
from .targets import verdicts

START, END = "<!-- bench:generated:start -->", "<!-- bench:generated:end -->"


def _load_rows(label: str, runs: list[dict], base: dict[int, dict] | None = None) -> list[list]:
    rows = []
    for r in runs:
        ratio = (
            r["rps"] / base[r["concurrency"]]["rps"]
            if base and base.get(r["concurrency"])
            else None
        )
        rows.append(
            [
                label,
                r["concurrency"],
                r["p50_ms"],
                r["p95_ms"],
                r["p99_ms"],
                r["rps"],
                f"{ratio:.2f}" if ratio else "—",
                r["errors"],
            ]
        )
    return rows


def _query(results: dict) -> list[str]:
    q = results.get("query")
    if not q or "scenarios" not in q:
        return []
    lines = ["## Query: incident list pages", ""]
    header = ["variant", "clients", "p50 ms", "p95 ms", "p99 ms", "req/s", "÷ bare", "errors"]
    lines += _table(
        header[:6] + ["errors"], [r[:6] + [r[7]] for r in _load_rows("hello", q["hello"])]
    )
    for scenario, data in q["scenarios"].items():
        f = data["filters"]
        lines.append(
            f"### {scenario}: `admin_pcode={f['admin_pcode']}`, {f['since']} – {f['until']}, `event_type={f['event_type']}`, 50 rows"
        )
        lines.append("")
        lines.append(
            f"{data['matching_rows']:,} matching rows visible to a partner token; the deep page starts at row {data['deep_offset']:,}."
        )
        lines.append("")
        for page in ("first", "deep"):
            if page not in data:  # no matching rows: no deep page
                continue
            bare = {r["concurrency"]: r for r in data[page]["bare"]}
            rows = _load_rows("API", data[page]["api"], bare) + _load_rows(
                "bare endpoint", data[page]["bare"], bare
            )
            rows += _load_rows(
                f"raw SQL ({data[page]['statements']} statements)", data[page]["raw"], bare
            )
            lines.append(f"**{page} page**")
            lines.append("")
            lines += _table(header, rows)
    return lines


def _summary(results: dict) -> list[str]:
    s = results.get("summary")
    if not s or "error" in s:
        return []
    lines = ["## /summary", ""]
    rows = []
    for scenario, data in s.items():
        if not isinstance(data, dict) or "api" not in data:
            continue
        api, raw = data["api"], data["raw"]
        rows.append(
            [
                scenario,
                api["p50_ms"],
                api["p95_ms"],
                raw["p50_ms"],
                raw["p95_ms"],
                f"{raw['p50_ms'] / api['p50_ms']:.2f}",
                data["statements"],
            ]
        )
    lines += _table(
        [
            "scope",
            "API p50 ms",
            "API p95 ms",
            "raw SQL p50 ms",
            "raw SQL p95 ms",
            "raw ÷ API time",
            "statements",
        ],
        rows,
    )
    for scenario, data in s.items():
        if isinstance(data, dict) and data.get("breakdown"):
            lines.append(f"Statement times (EXPLAIN ANALYZE), {scenario}:")
            lines.append("")
            lines += _table(
                ["#", "statement", "ms"],
                [
                    [b["statement"], f"`{b['first_line'][:80]}…`", b["execution_ms"]]
                    for b in data["breakdown"]
                ],
            )
    return lines


def _ingest(results: dict) -> list[str]:
    i = results.get("ingest")
    if not i or "api" not in i:
        return []
    rows = [
        [
            "API (`POST /api/v1/incidents`, gunicorn)",
            i["api"]["seconds"],
            i["api"]["records_per_s"],
            f"{i['ratio']:.2f}",
        ],
        ["raw psycopg `executemany`", i["raw"]["seconds"], i["raw"]["records_per_s"], "1.00"],
    ]
    return [
        "## Ingest",
        "",
        f"{i['batches']} batches × {i['batch_size']:,} incidents, {i['clients']} clients in parallel.",
        "",
        *_table(["path", "seconds", "records/s", "÷ raw"], rows),
    ]


def _export(results: dict) -> list[str]:
    e = results.get("export")
    if not e or "all" not in e:
        return []
    rows = [
        [
            label,
            d["rows"],
            d["bytes"] / 2**20,
            d["seconds"],
            d["rows_per_s"],
            d["first_byte_s"],
            d["idle_rss_mb"],
            d["peak_rss_mb"],
            d["copy"]["seconds"],
            f"{d['copy']['seconds'] / d['seconds']:.2f}",
        ]
        for label, d in e.items()
        if isinstance(d, dict) and "rows" in d
    ]
    header = [
        "export",
        "rows",
        "MB",
        "seconds",
        "rows/s",
        "first byte s",
        "worker idle RSS MB",
        "worker peak RSS MB",
        "COPY seconds",
        "COPY ÷ API time",
    ]
    return ["## Export (`format=hxl&limit=all`)", "", *_table(header, rows)]


def _sitrep(results: dict) -> list[str]:
    s = results.get("sitrep")
    if not s:
        return []
    if "generate" not in s:
        return ["## Sitrep PDF", "", f"Not measured: {s.get('error', 'unavailable')}", ""]
    labels = {
        "generate": "`generate_sitrep` (content + PDF + archive)",
        "content": "gathering the content",
        "render": "rendering the PDF (WeasyPrint)",
        "summary_baseline": "baseline: `summarize` for the same area and month",
        "hello_pdf_baseline": "baseline: WeasyPrint, one-page document",
    }
    rows = [[labels[k], s[k]["p50_s"], s[k]["max_s"]] for k in labels if k in s]
    lines = [
        "## Sitrep PDF",
        "",
        f"Areas {', '.join(s['areas'])}, {s['period'][0]} – {s['period'][1]}, audience {s['audience']}.",
        "",
        *_table(["step", "p50 s", "max s"], rows),
    ]
    per_area = s.get("per_area", {})
    if per_area:
        header = ["area", "generate s", "content s", "render s", "pages", "incidents"]
        header += ["facilities listed", "status changes", "flows listed"]
        keys = ["generate_s", "content_s", "render_s", "pages", "incidents"]
        keys += ["facilities_listed", "status_changes", "flows_listed"]
        lines += _table(header, [[a] + [v[k] for k in keys] for a, v in per_area.items()])
    return lines


def _changes(results: dict) -> list[str]:
    c = results.get("changes")
    if not c or "error" in c:
        return []
    rows = [
        [name, v["before"], v["after"], f"{v['before'] / v['after']:.0f}×" if v["after"] else "—"]
        for name, v in c.items()
        if isinstance(v, dict) and "before" in v
    ]
    return [
        "## Query changes, before and after (EXPLAIN ANALYZE execution time, this dataset)",
        "",
        *_table(["query", "before ms", "after ms", "speed-up"], rows),
    ]


def _locate(results: dict) -> list[str]:
    c = results.get("locate")
    if not c or "error" in c:
        return []
    rows = [
        ["bare STRtree query (baseline)", c["strtree_query_us"], "1.00×"],
        ["locate: deepest area and its chain", c["locate_us"], f"{c['locate_vs_strtree']}×"],
        ["resolve_location: point against its named district", c["resolve_location_us"], "—"],
        ["brute force: contains() over every polygon", c["brute_force_us"], "—"],
    ]
    return [
        f"## Point in area ({c['lookups']:,} random points, {c['inside_syria']:,} inside Syria; "
        f"{c['leaf_polygons']} sub-district polygons)",
        "",
        *_table(["lookup", "µs per call", "vs baseline"], rows),
        f"Index built from the stored boundaries in {c['index_build_ms']} ms (parsing included; "
        f"the tree alone {c['tree_build_ms']} ms), once per process and per gazetteer load.",
        "",
    ]


def _period(record: dict) -> str:
    times = sorted(v["ran_at"] for v in record.get("cases", {}).values() if v.get("ran_at"))
    if not times:
        return record["started"]
    first, last = times[0].replace("T", " ")[:16], times[-1].replace("T", " ")[:16]
    return first if first == last else f"cases ran from {first} to {last}"


def _machine(record: dict) -> list[str]:
    m, d = record["machine"], record["dataset"]
    pg = m["postgresql"]
    settings = ", ".join(f"{k}={v}" for k, v in sorted(pg["settings"].items()))
    rows = d.get("rows", {})
    counts = ", ".join(f"{k} {v:,}" for k, v in rows.items())
    cases = record.get("cases") or {
        k: {"background_cpu_percent": v}
        for k, v in record.get("background_cpu_percent", {}).items()
    }
    background = "; ".join(
        f"{k} at {(v.get('ran_at') or record['started'])[11:16]}"
        f" ({v.get('background_cpu_percent', 0):.0f} % busy"
        + (f", load average {v['load_average']})" if "load_average" in v else ")")
        for k, v in cases.items()
    )
    s = record["settings"]
    return [
        f"- **Date:** {_period(record)} (UTC); code at `{m.get('commit', '?')}`",
        f"- **Machine:** {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM; {m['os']}; Python {m['python']}",
        f"- **PostgreSQL:** {pg['version']} (server defaults: {settings}); bench database {pg['size']}",
        f"- **Dataset:** seed {d.get('seed')}; {counts}",
        "- **App server:** `gunicorn -w 2` sync workers, `bench.wsgi:create_app()` (the product app plus the baseline routes)",
        f"- **Load generator:** {m['load_driver']} for HTTP, Python threads for raw SQL; {s['seconds']:.0f} s per load run after a 2 s warm-up; clients {', '.join(map(str, s['concurrency']))}",
        f"- **Cases** (UTC start; how busy the machine already was with other work): {background}",
        "",
    ]


def _plans(record: dict) -> list[str]:
    lines = ["## Query plans (EXPLAIN ANALYZE, BUFFERS) captured in this run", ""]
    for name, plan in record.get("plans", {}).items():
        lines += [
            f"<details><summary>{name}</summary>",
            "",
            "```",
            plan,
            "```",
            "",
            "</details>",
            "",
        ]
    return lines


def render(record: dict) -> str:
    lines = [START, "", "## Run", ""]
    lines += _machine(record)
    lines += ["## Targets", ""]
    lines += _table(["what", "target", "measured", "verdict"], verdicts(record["results"]))
    for section in (_ingest, _query, _summary, _export, _sitrep, _changes, _locate):
        lines += section(record["results"])
    failed = {k: v["error"] for k, v in record["results"].items() if "error" in v}
    if failed:
        lines += ["## Cases that failed", ""] + [f"- {k}: `{v}`" for k, v in failed.items()] + [""]
    lines += _plans(record)
    lines.append(END)
    return "\n".join(lines)


def write_results(record: dict, path: Path) -> None:
    record.setdefault("machine", machine_info())
    block = render(record)
    if path.exists() and START in (text := path.read_text()) and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        path.write_text(before + block + after)
        return
    path.write_text("# Benchmark results\n\n" + block + "\n")
