"""The performance targets, and each measured figure's verdict against them."""

from __future__ import annotations

from .tables import fmt as _fmt

TARGETS = {
    "ingest_rate": 10_000,
    "ingest_ratio": 0.3,
    "query_p95_ms": 30.0,
    "query_ratio": 0.5,
    "summary_ms": 200.0,
    "export_rss_mb": 150.0,
    "sitrep_s": 5.0,
}


def _verdict(ok: bool, measured: float, target: float, higher_is_better: bool) -> str:
    if ok:
        return "met"
    if higher_is_better:
        short = target / measured if measured else float("inf")
        return (
            f"**missed** ({(1 - measured / target) * 100:.0f} % short)"
            if short < 2
            else f"**missed** ({short:.1f}× short)"
        )
    over = measured / target
    return (
        f"**missed** ({(over - 1) * 100:.0f} % over)"
        if over < 2
        else f"**missed** ({over:.1f}× over)"
    )


def verdicts(results: dict) -> list[list]:
    rows: list[list] = []
    ingest = results.get("ingest", {})
    if "api" in ingest:
        rate, ratio = ingest["api"]["records_per_s"], ingest["ratio"]
        rows.append(
            [
                "ingest, records/s",
                "≥ 10,000",
                _fmt(rate),
                _verdict(rate >= TARGETS["ingest_rate"], rate, TARGETS["ingest_rate"], True),
            ]
        )
        rows.append(
            [
                "ingest, API ÷ raw",
                "≥ 0.3",
                f"{ratio:.2f}",
                _verdict(ratio >= TARGETS["ingest_ratio"], ratio, TARGETS["ingest_ratio"], True),
            ]
        )
    for scenario, data in results.get("query", {}).get("scenarios", {}).items():
        for page in ("first", "deep"):
            if page not in data:  # no matching rows: no deep page
                continue
            api, bare = data[page]["api"][-1], data[page]["bare"][-1]
            c = api["concurrency"]
            p95, ratio = api["p95_ms"], api["rps"] / bare["rps"] if bare["rps"] else 0
            rows.append(
                [
                    f"query {scenario} {page} page, p95 at {c} clients",
                    "< 30 ms",
                    f"{p95:.1f} ms",
                    _verdict(p95 < TARGETS["query_p95_ms"], p95, TARGETS["query_p95_ms"], False),
                ]
            )
            rows.append(
                [
                    f"query {scenario} {page} page, API ÷ bare req/s",
                    "≥ 0.5",
                    f"{ratio:.2f}",
                    _verdict(ratio >= TARGETS["query_ratio"], ratio, TARGETS["query_ratio"], True),
                ]
            )
    for scenario, data in results.get("summary", {}).items():
        if isinstance(data, dict) and "api" in data:
            p95 = data["api"]["p95_ms"]
            rows.append(
                [
                    f"/summary {scenario}, p95",
                    "< 200 ms",
                    f"{p95:.0f} ms",
                    _verdict(p95 < TARGETS["summary_ms"], p95, TARGETS["summary_ms"], False),
                ]
            )
    export = results.get("export", {})
    if "all" in export:
        peak = export["all"]["peak_rss_mb"]
        rows.append(
            [
                f"export {export['all']['rows']:,} rows, worker peak RSS",
                "< 150 MB",
                f"{peak:.0f} MB",
                _verdict(peak < TARGETS["export_rss_mb"], peak, TARGETS["export_rss_mb"], False),
            ]
        )
        if "tenth" in export:
            growth = peak - export["tenth"]["peak_rss_mb"]
            rows.append(
                [
                    "export peak RSS, all rows − a tenth",
                    "≈ 0 (constant)",
                    f"{growth:+.0f} MB",
                    "met" if abs(growth) < 10 else "**missed**",
                ]
            )
    sitrep = results.get("sitrep", {})
    if "generate" in sitrep:
        seconds = sitrep["generate"]["max_s"]
        rows.append(
            [
                "sitrep PDF, governorate-month",
                "< 5 s",
                f"{seconds:.2f} s",
                _verdict(seconds < TARGETS["sitrep_s"], seconds, TARGETS["sitrep_s"], False),
            ]
        )
    elif "sitrep" in results:
        rows.append(
            [
                "sitrep PDF, governorate-month",
                "< 5 s",
                "not measured",
                results["sitrep"].get("error", ""),
            ]
        )
    return rows
