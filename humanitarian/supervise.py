"""`flask --app app run-all`: the web app and the sitrep scheduler as two processes, started
and stopped together, for `make run` and a single machine.

Production keeps them apart under a process manager (README: gunicorn for the web, one or more
`flask scheduler run`); this is the small supervisor for everything a user needs at once.
Ctrl-C (SIGINT) or SIGTERM stops both; if either stops on its own, the other is stopped too
and the command exits with the first one's status.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click

STOP_TIMEOUT = 15.0  # seconds a child gets to stop cleanly before it is killed


def _flask() -> list[str]:
    script = Path(sys.executable).with_name("flask")
    return [str(script)] if script.exists() else [sys.executable, "-m", "flask"]


def _commands(app_name: str, host: str, port: int) -> dict[str, list[str]]:
    base = [*_flask(), "--app", app_name]
    return {
        "web": [*base, "run", "--host", host, "--port", str(port)],
        "scheduler": [*base, "scheduler", "run"],
    }


def _stop(children: dict[str, subprocess.Popen]) -> None:
    for process in children.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for name, process in children.items():
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            click.echo(
                f"run-all: {name} did not stop in {STOP_TIMEOUT:.0f} s; killing it", err=True
            )
            process.kill()
            process.wait()


@click.command("run-all")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=5000, show_default=True)
@click.option("--app-name", default="app", show_default=True, help="What `flask --app` loads.")
def run_all_command(host: str, port: int, app_name: str) -> None:
    """Run the web app and the sitrep scheduler together; Ctrl-C stops both."""
    stopping = {"signal": None}

    def _on_signal(signum, _frame):
        stopping["signal"] = signum

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    children = {
        name: subprocess.Popen(command, env=os.environ.copy())
        for name, command in _commands(app_name, host, port).items()
    }
    click.echo(f"run-all: web on http://{host}:{port} and the sitrep scheduler; Ctrl-C stops both")
    status = 0
    try:
        while stopping["signal"] is None:
            ended = {n: p.returncode for n, p in children.items() if p.poll() is not None}
            if ended:
                name, status = next(iter(ended.items()))
                click.echo(
                    f"run-all: {name} stopped (status {status}); stopping the rest", err=True
                )
                break
            time.sleep(0.2)
    finally:
        _stop(children)
    sys.exit(status)
