"""`flask --app app run-all` (what `make run` starts): the web app and the scheduler as two
processes, both up, both stopped by one Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import psutil

from humanitarian.extensions import db
from tests.reliability.schedulers import lease_holder
from tests.support import wait_until

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _up(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_run_all_serves_the_web_runs_the_scheduler_and_stops_both(app, database_url, tmp_path):
    db.session.remove()
    port = _free_port()
    env = os.environ | {
        "HUMANITARIAN_DATABASE_URL": database_url,
        "HUMANITARIAN_SITREP_DIR": str(tmp_path / "sitreps"),
        "HUMANITARIAN_SCHEDULER_LEASE_SECONDS": "6",
        "PYTHONUNBUFFERED": "1",
    }
    flask = Path(sys.executable).with_name("flask")
    log = (tmp_path / "run-all.log").open("wb")
    supervisor = subprocess.Popen(
        [str(flask), "--app", "app", "run-all", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(lambda: _up(f"http://127.0.0.1:{port}/login"), 60, "the web app")
        holder = wait_until(lease_holder, 60, "the scheduler to take the lease")
        children = psutil.Process(supervisor.pid).children()
        assert len(children) == 2
        supervisor.send_signal(signal.SIGINT)  # Ctrl-C
        assert supervisor.wait(30) == 0, (tmp_path / "run-all.log").read_text()
        gone, alive = psutil.wait_procs(children, timeout=10)
        assert alive == []
        assert not _up(f"http://127.0.0.1:{port}/login")
        assert lease_holder() is None, f"{holder} kept its lease"  # released on the way out
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
