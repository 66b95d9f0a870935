"""The machine, the database server and the code a run measured, for the report."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

import psutil

from . import db
from .harness import have_wrk


def machine_info() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    wrk = ""
    if have_wrk():
        run = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
        wrk = (run.stdout or run.stderr).splitlines()[0] if (run.stdout or run.stderr) else "wrk"
    rev = subprocess.run(
        ["git", "-C", str(Path(__file__).parent), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "commit": rev,
        "cpu": model,
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": db.server_info(),
        "load_driver": wrk or "python threads (wrk not installed)",
    }
