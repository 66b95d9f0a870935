"""``GET /api/v1/summary``: key figures over the whole dataset and over a governorate-month.

Measured one request at a time (a dashboard load, not a flood) through gunicorn, beside the
same SQL statements replayed raw. Every statement's EXPLAIN ANALYZE is kept, so the report
shows where the time goes.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from ..context import Bench, capture, explain, replayer
from ..harness import call_load, http_load

SCENARIOS = {
    "country, two years": {"since": "2023-01-01", "until": "2024-12-31"},
    "governorate, one month": {"admin_pcode": "SY02", "since": "2024-11-01", "until": "2024-11-30"},
}
HEAVY = re.compile(r"\bFROM (incidents|movements|infrastructure_statuses)\b")
EXECUTION = re.compile(r"Execution Time: ([0-9.]+) ms")


def run(bench: Bench) -> dict:
    out: dict = {}
    headers = bench.auth("read")
    with bench.server() as srv:
        for scenario, params in SCENARIOS.items():
            bench.log(f"summary: {scenario}")
            path = "/api/v1/summary?" + urlencode(params)
            capture(path, headers)
            statements = capture(path, headers)
            replay = [s for s in statements if not s.sql.lstrip().upper().startswith("INSERT")]
            breakdown = []
            for i, statement in enumerate(s for s in replay if HEAVY.search(s.sql)):
                plan = explain(statement)
                bench.plans[f"summary {scenario} #{i + 1}"] = plan
                found = EXECUTION.search(plan)
                breakdown.append(
                    {
                        "statement": i + 1,
                        "first_line": statement.sql.split("\n")[0][:120],
                        "execution_ms": float(found.group(1)) if found else None,
                    }
                )
            out[scenario] = {
                "params": params,
                "statements": len(replay),
                "api": http_load(
                    "api", srv.url + path, concurrency=1, seconds=bench.seconds, headers=headers
                ).as_dict(),
                "raw": call_load(
                    "raw", replayer(replay), concurrency=1, seconds=bench.seconds
                ).as_dict(),
                "breakdown": breakdown,
            }
    return out
