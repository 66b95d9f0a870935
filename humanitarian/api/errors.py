"""Errors as RFC 9457 problem documents (``application/problem+json``).

Handlers are registered on each API blueprint, so the web pages keep their HTML error pages.
Requests that never reach a blueprint (an unknown URL under ``/api/v1``, a wrong method) are
answered by an app-level fallback that only speaks problem+json under the API prefix.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, g, json, request
from marshmallow import ValidationError
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException, default_exceptions

from ..extensions import db
from ..services import ServiceError
from ..services.errors import DATABASE_UNAVAILABLE
from .problems import type_and_title

PROBLEM_JSON = "application/problem+json"
LOCATIONS = {"json", "query", "querystring", "headers", "form", "files", "cookies", "view_args"}
log = logging.getLogger(__name__)


def problem(
    status: int,
    detail: str = "",
    *,
    kind: str | None = None,
    errors: dict | None = None,
    headers: dict | None = None,
):
    """A problem+json response; ``type`` and ``title`` come from the vocabulary in
    ``problems.py`` (by ``kind`` if given, else by status)."""
    type_uri, title = type_and_title(status, kind)
    body = {"type": type_uri, "title": title, "status": status, "detail": detail or title}
    if errors:
        body["errors"] = errors
    request_id = g.get("request_id")
    if request_id:
        body["request_id"] = request_id
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON, headers=headers or {})


def _unwrap_location(messages) -> dict:
    """webargs nests messages under the location ({"query": {...}}); partners want the fields."""
    if isinstance(messages, dict) and len(messages) == 1:
        (key, inner), *_ = messages.items()
        if key in LOCATIONS and isinstance(inner, dict):
            return inner
    return messages if isinstance(messages, dict) else {"_schema": [str(messages)]}


def handle_service_error(exc: ServiceError):
    headers = {}
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="humanitarian"'
    db.session.rollback()
    return problem(exc.status, exc.detail, kind=exc.problem, errors=exc.errors, headers=headers)


def handle_validation_error(exc: ValidationError):
    return problem(
        422, "the request does not match the schema", errors=_unwrap_location(exc.messages)
    )


def handle_database_error(exc: Exception):
    # The schemas and services should refuse bad data first; the database's own constraints
    # are the last line, and breaking them is still the client's input, not a server fault.
    db.session.rollback()
    log.warning("database refused API input: %s", exc)
    return problem(422, "the data breaks a rule of the database and was not stored")


UNAVAILABLE_DETAIL = (
    "the database could not be reached; try again shortly "
    "(a retry with the same Idempotency-Key never stores twice)"
)
RETRY_AFTER_SECONDS = "2"


def rollback_quietly() -> None:
    """End the failed transaction; on a dead connection the rollback itself may fail too."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is already known to be broken
        log.debug("rollback after a lost connection failed", exc_info=True)


def handle_database_unavailable(exc: Exception):
    # A lost or refused connection (server restart, failover, a lock held too long) is
    # transient: the transaction was rolled back or never began, so the client may retry.
    rollback_quietly()
    log.warning("database unavailable during %s %s: %s", request.method, request.path, exc)
    return problem(503, UNAVAILABLE_DETAIL, headers={"Retry-After": RETRY_AFTER_SECONDS})


def handle_http_exception(exc: HTTPException):
    if exc.code is None:
        return exc
    data = getattr(exc, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    if exc.code == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="humanitarian"')
    if exc.code >= 500:
        log.error("API request failed: %s %s", request.method, request.path)
    detail = data.get("message") or exc.description or ""
    if errors and exc.code == 422:
        detail = "the request does not match the schema"
    return problem(
        exc.code,
        detail,
        errors=_unwrap_location(errors) if errors else None,
        headers=headers,
    )


def register_blueprint_handlers(bp: Blueprint) -> None:
    bp.register_error_handler(ServiceError, handle_service_error)
    bp.register_error_handler(ValidationError, handle_validation_error)
    bp.register_error_handler(IntegrityError, handle_database_error)
    bp.register_error_handler(DataError, handle_database_error)
    for unavailable in DATABASE_UNAVAILABLE:
        bp.register_error_handler(unavailable, handle_database_unavailable)
    bp.register_error_handler(HTTPException, handle_http_exception)
    # Handlers keyed by status code win over class-based ones at any level, so an app-wide
    # HTML 404 page added later would otherwise shadow the API's problem documents.
    for code in default_exceptions:
        bp.register_error_handler(code, handle_http_exception)


def register_fallback(app: Flask, prefix: str) -> None:
    """Routing errors (unknown path, wrong method) happen before any blueprint is chosen."""

    def fallback(exc: HTTPException):
        if request.path == prefix or request.path.startswith(prefix + "/"):
            return handle_http_exception(exc)
        return exc

    app.register_error_handler(HTTPException, fallback)
