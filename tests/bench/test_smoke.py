"""The benchmarks keep running: every case of ``python -m bench`` on a tiny dataset.

This checks that each case runs to the end, not its figures (those mean something only at
scale, on an idle machine: ``make bench``). The bench is PostgreSQL only, so this runs in the
PostgreSQL pass of ``make test``; it works in a database of its own, dropped afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from bench import db as bench_db
from bench.cases import CASES
from bench.harness import Gunicorn

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bench_database(backend):
    if backend != "postgresql":
        pytest.skip("the benchmarks measure PostgreSQL only; they run in the PostgreSQL pass")
    name = f"humanitarian_bench_smoke_{uuid.uuid4().hex[:8]}"
    yield name
    with psycopg.connect(bench_db.ADMIN_URL, autocommit=True) as conn:
        for db_name in (name, f"{name}_ingest"):
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db_name))
            )


def test_every_bench_case_runs_on_a_tiny_dataset(bench_database, tmp_path):
    out = tmp_path / "results.md"
    env = {**os.environ, "HUMANITARIAN_BENCH_DB": bench_database}
    args = ["--incidents", "3000", "--movements", "100", "--facilities", "40", "--batches", "2"]
    args += ["--seconds", "0.3", "--warmup", "0", "--concurrency", "1", "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "bench", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    record = json.loads(out.with_suffix(".json").read_text())
    failed = {name: r["error"] for name, r in record["results"].items() if "error" in r}
    assert not failed, failed
    assert set(record["results"]) == set(CASES)
    assert out.read_text().startswith("#")
    # The ingest case wrote into a scratch copy, which is gone; the dataset is as generated.
    with psycopg.connect(bench_db.ADMIN_URL, autocommit=True) as conn:
        names = {r[0] for r in conn.execute("SELECT datname FROM pg_database")}
    assert f"{bench_database}_ingest" not in names
    assert record["results"]["ingest"]["api"]["records_per_s"] > 0


def test_a_server_that_never_answers_is_stopped(backend, monkeypatch):
    """A case whose gunicorn does not come up must not leave it running."""
    if backend != "postgresql":
        pytest.skip("the benchmarks measure PostgreSQL only; they run in the PostgreSQL pass")
    server = Gunicorn(workers=1)
    server.ready_seconds = 3
    server.url = "http://127.0.0.1:9"  # the discard port: nothing answers there
    with pytest.raises(RuntimeError, match="did not answer"):
        server.__enter__()
    assert server.proc is not None and server.proc.poll() is not None
