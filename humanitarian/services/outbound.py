"""Outbound HTTP for webhooks, safe against server-side request forgery.

A partner chooses the URL, so the service must not become a way into the networks it runs
in. The host is resolved once, every address it resolves to is checked (private, loopback,
link-local, multicast, reserved and unspecified addresses are refused unless
``HUMANITARIAN_WEBHOOK_ALLOW_PRIVATE`` is set), and the connection goes to the address that
was checked, with the original name as ``Host`` and for TLS (SNI and certificate): a DNS
answer that changes between the check and the connection (DNS rebinding) cannot redirect it.
Redirects are not followed, timeouts are short and only the first bytes of an answer are read.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from typing import Optional
from urllib.parse import urlsplit

import urllib3

from .errors import BusinessRuleError

MAX_ANSWER_BYTES = 4096


class Refused(BusinessRuleError):
    """A URL this service will not send to."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked address the connection goes to


@dataclass(frozen=True)
class Answer:
    status: Optional[int]
    duration_ms: int
    error: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_url(url: str, *, allow_private: bool) -> Target:
    """Parse, resolve and check ``url``; raise ``Refused`` naming the reason."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("not an http(s) URL", errors={"url": ["Give an http:// or https:// URL."]})
    if parts.username or parts.password:
        raise Refused("credentials in the URL", errors={"url": ["No user or password in it."]})
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:  # urlsplit checks the port only when asked for it
        raise Refused("bad port", errors={"url": ["The port must be 1 to 65535."]}) from exc
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(
            "unknown host", errors={"url": [f"Cannot resolve {parts.hostname}."]}
        ) from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not allow_private and any(_forbidden(a) for a in addresses):
        raise Refused(
            "private address",
            errors={"url": [f"{parts.hostname} is a private, loopback or link-local address."]},
        )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])


def post(
    url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_private: bool
) -> Answer:
    """POST ``body`` to ``url`` through ``check_url``; never raises for network failures."""
    started = time.monotonic()
    try:
        target = check_url(url, allow_private=allow_private)
    except Refused as exc:
        return Answer(None, 0, f"refused: {exc.detail}")
    host_header = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
    options = {"timeout": urllib3.Timeout(connect=timeout, read=timeout), "retries": False}
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            **options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(target.address, target.port, **options)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            preload_content=False,
        )
        response.read(MAX_ANSWER_BYTES)
        response.release_conn()
        return Answer(response.status, _ms(started))
    except urllib3.exceptions.HTTPError as exc:
        return Answer(None, _ms(started), f"{type(exc).__name__}: {exc}"[:500])
    finally:
        pool.close()


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
