"""Sending e-mail through the SMTP server named by ``SMTP_URL``, with the standard library.

``smtp://[user:password@]host[:port][?starttls=true]`` (port 25 by default; with STARTTLS
the connection is upgraded before the login), or ``smtps://`` for TLS from the first byte
(port 465). User and password are percent-encoded in the URL.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Optional
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app

_TRUE = {"1", "true", "yes", "on"}


class MailNotConfigured(RuntimeError):
    """``SMTP_URL`` is empty: deliveries wait until it is set."""


class PermanentMailError(RuntimeError):
    """The server refused the message for good (a 5xx reply): retrying cannot help."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    implicit_tls: bool = False
    starttls: bool = False
    username: Optional[str] = None
    password: Optional[str] = None


def smtp_settings(url: str) -> SmtpSettings:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("SMTP_URL must look like smtp://host:port or smtps://host:port")
    query = parse_qs(parts.query)
    implicit = parts.scheme == "smtps"
    return SmtpSettings(
        host=parts.hostname,
        port=parts.port or (465 if implicit else 25),
        implicit_tls=implicit,
        starttls=query.get("starttls", ["false"])[0].lower() in _TRUE,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


@contextmanager
def smtp_connection() -> Iterator[smtplib.SMTP]:
    """One connection for a batch of messages (hundreds of recipients, one login)."""
    url = current_app.config["SMTP_URL"]
    if not url:
        raise MailNotConfigured("no SMTP server configured (HUMANITARIAN_SMTP_URL)")
    settings = smtp_settings(url)
    timeout = current_app.config["SMTP_TIMEOUT_SECONDS"]
    context = ssl.create_default_context()
    if settings.implicit_tls:
        client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
    try:
        client.ehlo()
        if settings.starttls:
            client.starttls(context=context)
            client.ehlo()
        if settings.username:
            client.login(settings.username, settings.password or "")
        yield client
    finally:
        try:
            client.quit()
        except smtplib.SMTPException:
            client.close()


def send(client: smtplib.SMTP, message: EmailMessage) -> None:
    """Send one message; a permanent refusal raises ``PermanentMailError``, a temporary one
    (4xx, a dropped connection) the ``smtplib``/``OSError`` exception to retry on."""
    try:
        refused = client.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        if all(code >= 500 for code in codes):
            raise PermanentMailError(_refusal(exc.recipients)) from exc
        raise
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code >= 500:
            raise PermanentMailError(f"{exc.smtp_code} {_text(exc.smtp_error)}") from exc
        raise
    if refused:  # some of several recipients refused; we send one recipient per message
        raise PermanentMailError(_refusal(refused))


def _refusal(recipients: dict) -> str:
    return "; ".join(f"{who}: {code} {_text(text)}" for who, (code, text) in recipients.items())


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
