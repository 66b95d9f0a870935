"""Batch appends: ``POST /api/v1/incidents`` with 1,000-record batches through gunicorn, beside
raw psycopg ``executemany`` of the same records into the same tables.

Both sides run as many clients in parallel as gunicorn has workers. The API side sends an
``Idempotency-Key`` with each batch, as a partner's retrying client would. The raw side writes
what the service writes for a batch, minus everything that is not an INSERT: one ``reports``
row, then ``incidents``, ``incident_revisions`` snapshots, ``incident_sources`` links and
``audit_events`` rows, one transaction per batch. Both sides write into a scratch copy of
the bench database (``db.scratch_copy``), dropped afterwards: later runs see the dataset as
generated, and nothing is ever deleted from the append-only tables.
"""

from __future__ import annotations

import json
import queue
import random
import threading
import time
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import httpx

from .. import db
from ..context import Bench
from ..generate import BATCH, incident_rows, insert_sql, report_row
from ..synthetic import api_body, build_universe, make_incident

CLIENTS = 2  # one per gunicorn worker
RAW_KEY = "bench-raw-"
TABLES = ("reports", "incidents", "incident_revisions", "incident_sources", "audit_events")


def _batches(bench: Bench, count: int) -> list[list[dict]]:
    uni = build_universe()
    with db.connect() as conn:
        uni.source_ids = [r[0] for r in conn.execute("SELECT id FROM sources ORDER BY id")]
    rng = random.Random(f"{bench.dataset.get('seed', 1)}-ingest")
    start = date(2024, 12, 1)
    return [
        [make_incident(rng, uni, start + timedelta(days=rng.randrange(31))) for _ in range(BATCH)]
        for _ in range(count)
    ]


def _parallel(jobs: list, work) -> tuple[float, list]:
    """Run ``work(job, state)`` over ``jobs`` on CLIENTS threads; wall seconds and errors."""
    todo: queue.Queue = queue.Queue()
    for job in jobs:
        todo.put(job)
    errors: list = []

    def client() -> None:
        state: dict = {}
        while True:
            try:
                job = todo.get_nowait()
            except queue.Empty:
                break
            try:
                work(job, state)
            except Exception as exc:  # noqa: BLE001 - reported, and the case fails
                errors.append(repr(exc))
        if "close" in state:
            state["close"]()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - began, errors


def _api(bench: Bench, url: str, batches: list[list[dict]]) -> tuple[float, list]:
    headers = {**bench.auth("write"), "Content-Type": "application/json"}
    # Bodies are encoded up front: the client's JSON encoding is not the server's cost.
    bodies = [json.dumps({"items": [api_body(i) for i in b]}).encode() for b in batches]

    def post(body: bytes, state: dict) -> None:
        if "client" not in state:
            state["client"] = httpx.Client(timeout=300)
            state["close"] = state["client"].close
        key = {"Idempotency-Key": f"bench-{uuid.uuid4()}"}
        response = state["client"].post(url, content=body, headers={**headers, **key})
        if response.status_code != 201:
            raise RuntimeError(f"{response.status_code}: {response.text[:300]}")

    return _parallel(bodies, post)


def _raw(batches: list[list[dict]], org_id: int, database: str) -> tuple[float, list]:
    statements = {table: insert_sql(table) for table in TABLES}

    def insert(batch: list[dict], state: dict) -> None:
        if "conn" not in state:
            state["conn"] = db.connect(database)
            state["close"] = state["conn"].close
        conn = state["conn"]
        report_id, now = uuid.uuid4(), datetime.now(UTC)
        rows: dict[str, list] = defaultdict(list)
        rows["reports"].append(
            report_row(report_id, org_id, len(batch), now, "api", RAW_KEY + str(report_id))
        )
        for incident in batch:
            incident_rows(incident, uuid.uuid4(), report_id, org_id, now, rows)
        with conn.transaction(), conn.cursor() as cur:
            for table in TABLES:
                cur.executemany(statements[table], rows[table])

    return _parallel(batches, insert)


def run(bench: Bench) -> dict:
    count = bench.batches
    batches = _batches(bench, count + 2 * CLIENTS)
    warm, measured = batches[: 2 * CLIENTS], batches[2 * CLIENTS :]
    records = count * BATCH
    with db.connect() as conn:
        org_id = conn.execute("SELECT id FROM organizations ORDER BY id LIMIT 1").fetchone()[0]
    bench.auth("write")  # the token is made in the dataset, so the copy holds it too
    with db.scratch_copy("ingest") as copy:
        url_env = {"HUMANITARIAN_DATABASE_URL": db.sqlalchemy_url(copy)}
        with bench.server(env=url_env) as srv:
            url = srv.url + "/api/v1/incidents"
            bench.log(f"ingest: API, {count} batches of {BATCH} (into {copy})")
            _api(bench, url, warm)
            api_seconds, api_errors = _api(bench, url, measured)
        bench.log(f"ingest: raw executemany, {count} batches of {BATCH}")
        _raw(warm, org_id, copy)
        raw_seconds, raw_errors = _raw(measured, org_id, copy)
    if api_errors or raw_errors:
        raise RuntimeError(f"ingest failed: {(api_errors + raw_errors)[:2]}")
    api_rate, raw_rate = records / api_seconds, records / raw_seconds
    return {
        "batches": count,
        "batch_size": BATCH,
        "clients": CLIENTS,
        "api": {"seconds": round(api_seconds, 2), "records_per_s": round(api_rate)},
        "raw": {"seconds": round(raw_seconds, 2), "records_per_s": round(raw_rate)},
        "ratio": round(api_rate / raw_rate, 3),
    }
