"""The real HTTP stack for reliability tests: gunicorn serving ``app:create_app()`` against the
test database, and clients that misbehave the way field connections do (a request sent and the
socket dropped before the answer, a body cut off halfway, a client that stops waiting)."""

from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    """A gunicorn master with its workers; ``url`` is its base address."""

    process: subprocess.Popen
    host: str
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # gunicorn: graceful stop of the master and its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def start_gunicorn(
    database_url: str,
    sitrep_dir: Path,
    log: Path,
    *,
    workers: int = 2,
    threads: int = 1,
    extra_env: dict | None = None,
) -> LiveServer:
    """Start ``gunicorn -w N 'app:create_app()'`` and wait until it answers."""
    port = free_port()
    env = os.environ | {
        "HUMANITARIAN_DATABASE_URL": database_url,
        "HUMANITARIAN_SECRET_KEY": "reliability-secret",
        "HUMANITARIAN_SITREP_DIR": str(sitrep_dir),
        "HUMANITARIAN_SCHEDULER_ENABLED": "false",
        **(extra_env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(ROOT),
        "--graceful-timeout",
        "10",
        "--log-level",
        "warning",
        "--no-control-socket",  # its default path is shared by every gunicorn of this user
        "app:create_app()",
    ]
    handle = log.open("wb")
    process = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT)
    server = LiveServer(process, "127.0.0.1", port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{server.log_text()}")
        try:
            if httpx.get(f"{server.url}/api/v1/admin-areas?level=1", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer within 60 s:\n{server.log_text()}")


def raw_request(method: str, path: str, headers: dict, body: bytes) -> bytes:
    """An HTTP/1.1 request as bytes, exactly as a client would put it on the wire."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def send_and_drop(
    server: LiveServer, request: bytes, *, cut_at: int | None = None, reset: bool = False
) -> None:
    """Write the request (or its first ``cut_at`` bytes) and close the socket at once, without
    reading a byte of the answer: the server sees the client vanish. ``reset`` closes with a
    TCP RST (SO_LINGER 0), the abrupt end of a dropped mobile link, instead of a FIN."""
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.sendall(request if cut_at is None else request[:cut_at])


def json_bytes(payload) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()
