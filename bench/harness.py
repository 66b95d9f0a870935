"""Run the app under gunicorn and drive load at it.

``Gunicorn`` starts ``gunicorn -w 2 'bench.wsgi:create_app()'`` (the product app plus the bench's
baseline routes) against the bench database and stops it again. ``http_load`` measures an HTTP
endpoint with ``wrk`` when it is installed (a single-threaded C client, light enough to share a
2-core machine with the server) and otherwise with a threaded Python client. ``call_load``
drives any Python callable (raw SQL baselines) the same way. Both report p50/p95/p99 latency,
requests per second and how much CPU the load generator itself used.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
import psutil

from . import db

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"
# Seconds of load before each measurement counts (``--warmup``; the smoke run uses 0).
WARMUP = {"seconds": 2.0}


@dataclass
class LoadResult:
    name: str
    concurrency: int
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    driver: str
    driver_cpu: float  # share of one core the load generator used
    extra: dict = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return asdict(self) | {"rps": round(self.rps, 1)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """A gunicorn master with ``workers`` sync workers serving the bench WSGI app."""

    ready_seconds = 60  # how long the baseline route may take to answer after the start

    def __init__(self, workers: int = 2, timeout: int = 900, env: dict | None = None):
        self.workers = workers
        self.timeout = timeout
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.sitrep_dir = tempfile.mkdtemp(prefix="humanitarian-bench-sitreps-")
        self.env = {
            **os.environ,
            "HUMANITARIAN_DATABASE_URL": db.sqlalchemy_url(),
            "HUMANITARIAN_SECRET_KEY": "bench-not-secret",
            "HUMANITARIAN_SITREP_DIR": self.sitrep_dir,
            # The limiter guards production from abuse; a load test would only measure its 429s.
            "HUMANITARIAN_RATELIMIT_API": "100000000 per minute",
            **(env or {}),
        }
        self.proc: subprocess.Popen | None = None
        self.log_path = Path(tempfile.gettempdir()) / "humanitarian-bench-gunicorn.log"

    @property
    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "gunicorn", "-w", str(self.workers),
            "-b", f"127.0.0.1:{self.port}", "--timeout", str(self.timeout),
            "--log-level", "warning", "bench.wsgi:create_app()",
        ]  # fmt: skip

    def __enter__(self) -> Gunicorn:
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in __exit__
        self.proc = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        try:
            self._wait_ready()
        except BaseException:
            # ``with`` calls __exit__ only after __enter__ returned: a server that never
            # answered must be stopped here, or it outlives the case.
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.proc.returncode}; see {self.log_path}"
                )
            try:
                status = httpx.get(self.url + "/_bench/hello", timeout=2).status_code
            except httpx.TransportError:
                status = None
            if status == 200:
                break
            if status is not None:  # up, but the baseline route is not reachable
                raise RuntimeError(f"gunicorn answered /_bench/hello with {status}, not 200")
            time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn did not answer within {self.ready_seconds} s")
        # Touch every worker so each has imported everything before measurements start.
        for _ in range(self.workers * 4):
            httpx.get(self.url + "/_bench/hello", timeout=5)

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.sitrep_dir, ignore_errors=True)

    def worker_pids(self) -> list[int]:
        return [p.pid for p in psutil.Process(self.proc.pid).children()]

    def worker_memory(self) -> dict[int, dict[str, int]]:
        """Current and peak (high-water mark) resident memory per worker, in bytes."""
        out = {}
        for pid in self.worker_pids():
            out[pid] = {"rss": _proc_status_kb(pid, "VmRSS") * 1024}
            out[pid]["peak"] = _proc_status_kb(pid, "VmHWM") * 1024
        return out


def _proc_status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def http_load(
    name: str,
    url: str,
    *,
    concurrency: int,
    seconds: float,
    headers: dict | None = None,
    warmup: float | None = None,
) -> LoadResult:
    """Closed-loop GET load on one URL for ``seconds`` after ``warmup`` (default ``WARMUP``)."""
    warmup = WARMUP["seconds"] if warmup is None else warmup
    # gunicorn's sync workers close every connection after one response; saying so up front
    # keeps wrk from holding sockets open until the server's close arrives.
    headers = {"Connection": "close", **(headers or {})}
    if have_wrk():
        if warmup:
            _wrk(url, concurrency, warmup, headers)
        return _wrk(url, concurrency, seconds, headers, name)
    client_headers = headers

    def factory():
        client = httpx.Client(headers=client_headers, timeout=60)

        def call():
            response = client.get(url)
            return response.status_code < 400

        return call

    return call_load(name, factory, concurrency=concurrency, seconds=seconds, warmup=warmup)


def _wrk(url, concurrency, seconds, headers, name="warmup") -> LoadResult:
    cmd = ["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "-s", str(WRK_SCRIPT)]
    cmd += ["--timeout", "60s"]
    for key, value in (headers or {}).items():
        cmd += ["-H", f"{key}: {value}"]
    cpu_before = _children_cpu()
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    cpu = _children_cpu() - cpu_before
    line = next(x for x in out.splitlines() if x.startswith("WRK_JSON "))
    data = json.loads(line[len("WRK_JSON ") :])
    elapsed = data["duration_us"] / 1e6
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return LoadResult(
        name=name,
        concurrency=concurrency,
        requests=data["requests"],
        seconds=elapsed,
        errors=errors,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        driver="wrk -t1",
        driver_cpu=round(cpu / elapsed, 3) if elapsed else 0.0,
        extra={k: data[k] for k in ("connect", "read", "write", "status", "timeout")},
    )


def call_load(
    name: str,
    factory: Callable[[], Callable[[], bool]],
    *,
    concurrency: int,
    seconds: float,
    warmup: float | None = None,
) -> LoadResult:
    """Run ``concurrency`` threads, each calling its own ``factory()`` callable in a loop.

    The callable returns True on success. Latencies recorded after ``warmup`` (default
    ``WARMUP``) count.
    """
    warmup = WARMUP["seconds"] if warmup is None else warmup
    calls = [factory() for _ in range(concurrency)]
    latencies: list[list[float]] = [[] for _ in calls]
    errors = [0] * concurrency
    start_at = time.perf_counter() + warmup
    stop_at = start_at + seconds

    def worker(i: int) -> None:
        call, mine = calls[i], latencies[i]
        while True:
            began = time.perf_counter()
            if began >= stop_at:
                return
            ok = call()
            ended = time.perf_counter()
            if began >= start_at:
                mine.append(ended - began)
                if not ok:
                    errors[i] += 1

    cpu_before = time.process_time()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cpu = time.process_time() - cpu_before
    flat = sorted(x for per in latencies for x in per)
    return LoadResult(
        name=name,
        concurrency=concurrency,
        requests=len(flat),
        seconds=seconds,
        errors=sum(errors),
        p50_ms=_pct(flat, 50),
        p95_ms=_pct(flat, 95),
        p99_ms=_pct(flat, 99),
        driver="python threads",
        driver_cpu=round(cpu / (seconds + warmup), 3),
    )


def _pct(sorted_seconds: list[float], p: float) -> float:
    if not sorted_seconds:
        return float("nan")
    if len(sorted_seconds) == 1:
        return sorted_seconds[0] * 1000
    cuts = statistics.quantiles(sorted_seconds, n=100, method="inclusive")
    return cuts[int(p) - 1] * 1000


def timed(fn: Callable, repeat: int = 5) -> dict:
    """Wall-clock timings of ``fn()`` run ``repeat`` times after one warm-up call."""
    fn()
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - began)
    samples.sort()
    return {
        "runs": repeat,
        "p50_ms": statistics.median(samples) * 1000,
        "min_ms": samples[0] * 1000,
        "max_ms": samples[-1] * 1000,
    }
