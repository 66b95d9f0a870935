"""Benchmarks on PostgreSQL: ``python -m bench`` (or ``make bench BENCH_ARGS=...``).

Generates the synthetic dataset into the ``humanitarian_bench`` database (or reuses it when it
already holds the same sizes and seed), runs the cases, and writes ``bench/results.md`` and
``bench/results.json``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

from . import db, harness
from .cases import CASES
from .context import Bench
from .generate import generate
from .machine import machine_info
from .report import write_results

HERE = Path(__file__).resolve().parent


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--incidents", type=int, default=1_000_000)
    p.add_argument("--movements", type=int, default=50_000)
    p.add_argument("--facilities", type=int, default=5_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--skip-generate", action="store_true", help="use the dataset as it is")
    p.add_argument("--regenerate", action="store_true", help="rebuild even if it matches")
    p.add_argument("--only", default=",".join(CASES), help=f"comma-separated: {','.join(CASES)}")
    p.add_argument("--seconds", type=float, default=10.0, help="length of each load run")
    p.add_argument(
        "--warmup", type=float, default=2.0, help="seconds of load before each measurement"
    )
    p.add_argument("--concurrency", default="1,4", help="client counts for the load runs")
    p.add_argument("--batches", type=int, default=40, help="1,000-record batches to ingest")
    p.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        metavar="MINUTES",
        help="before each case, wait up to this long for the 1-minute load average to drop below 0.5",
    )
    p.add_argument("--out", type=Path, default=HERE / "results.md")
    return p.parse_args(argv)


def _dataset(args: argparse.Namespace) -> dict:
    wanted = {
        "incidents": args.incidents,
        "movements": args.movements,
        "facilities": args.facilities,
        "seed": args.seed,
    }
    current = db.description()
    reuse = current and not args.regenerate and all(current.get(k) == v for k, v in wanted.items())
    if args.skip_generate and current is None:
        sys.exit("no complete bench dataset yet: run without --skip-generate first")
    if args.skip_generate or reuse:
        print(f"reusing the dataset in {db.DB_NAME} ({current['incidents']:,} incidents)")
        db.migrate()  # newer migrations (indexes included) apply to the existing data
        return current
    print(f"generating {args.incidents:,} incidents into {db.DB_NAME} …", flush=True)
    return generate(args.incidents, args.movements, args.facilities, args.seed)


def _wait_quiet(minutes: float) -> None:
    deadline = time.monotonic() + minutes * 60
    while os.getloadavg()[0] >= 0.5 and time.monotonic() < deadline:
        time.sleep(15)


def _background_cpu() -> float:
    """Share of the machine busy in the second before a case (other work skews numbers)."""
    return psutil.cpu_percent(interval=1.0)


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    only = [c.strip() for c in args.only.split(",") if c.strip()]
    unknown = set(only) - set(CASES)
    if unknown:
        sys.exit(f"unknown case(s): {', '.join(sorted(unknown))}; choose from {', '.join(CASES)}")
    started = datetime.now(UTC)
    harness.WARMUP["seconds"] = args.warmup
    bench = Bench(
        dataset=_dataset(args),
        seconds=args.seconds,
        concurrency=[int(c) for c in args.concurrency.split(",")],
        batches=args.batches,
    )
    ran = _run_cases(bench, [c for c in CASES if c in only], args.wait_quiet)
    record = {
        "started": started.isoformat(timespec="seconds"),
        "dataset": bench.dataset,
        "settings": {
            "seconds": args.seconds,
            "warmup": args.warmup,
            "concurrency": bench.concurrency,
            "batches": args.batches,
        },
        "cases": ran,
        "results": bench.results,
        "plans": bench.plans,
        "notes": bench.notes,
        "machine": machine_info(),
    }
    json_path = args.out.with_suffix(".json")
    if json_path.exists():
        record = _merge(json.loads(json_path.read_text()), record)
    json_path.write_text(json.dumps(record, indent=2, default=str) + "\n")
    write_results(record, args.out)
    print(f"wrote {args.out} and {json_path}")


def _run_cases(bench: Bench, names: list[str], wait_minutes: float) -> dict:
    """Run the cases in order; note when each ran and how busy the machine was."""
    ran: dict[str, dict] = {}
    for name in names:
        if wait_minutes:
            _wait_quiet(wait_minutes)
        info = {
            "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "background_cpu_percent": _background_cpu(),
            "load_average": round(os.getloadavg()[0], 2),
        }
        module = importlib.import_module(f"bench.cases.{name}")
        began = time.perf_counter()
        try:
            bench.results[name] = module.run(bench)
        except Exception as exc:  # noqa: BLE001 - one failing case must not lose the others
            bench.log(f"{name} failed: {exc!r}")
            bench.results[name] = {"error": repr(exc)}
        info["seconds"] = round(time.perf_counter() - began, 1)
        ran[name] = info
    return ran


PLAN_PREFIX = {"query": "query ", "summary": "summary ", "export": "export ", "changes": "change: "}


def _merge(previous: dict, record: dict) -> dict:
    """Keep the earlier results of cases not run this time, when the dataset is the same, so
    a noisy case can be re-run on its own. Each case keeps the time it ran."""
    keys = ("seed", "incidents", "movements", "facilities")
    if any(previous.get("dataset", {}).get(k) != record["dataset"].get(k) for k in keys):
        return record
    earlier = previous.get("cases") or {
        name: {"ran_at": previous.get("started"), "background_cpu_percent": cpu}
        for name, cpu in previous.get("background_cpu_percent", {}).items()
    }
    for name, info in earlier.items():
        if name in record["cases"] or name not in previous.get("results", {}):
            continue
        record["results"][name] = previous["results"][name]
        record["cases"][name] = info
        prefix = PLAN_PREFIX.get(name)
        for key, plan in previous.get("plans", {}).items():
            if prefix and key.startswith(prefix):
                record["plans"][key] = plan
    record["cases"] = {n: record["cases"][n] for n in CASES if n in record["cases"]}
    record["results"] = {n: record["results"][n] for n in CASES if n in record["results"]}
    return record


if __name__ == "__main__":
    main()
