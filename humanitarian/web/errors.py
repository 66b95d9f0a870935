"""HTML error pages for everything outside /api/.

The API answers its own errors in problem+json from its blueprint. Errors under /api/ that no
API view saw (an unknown URL, a body too large before routing) reach these app-wide handlers;
they hand those to the API's own problem+json builder, so an API client never gets an HTML page."""

from __future__ import annotations

import logging

from flask import render_template, request
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from ..api.errors import (
    RETRY_AFTER_SECONDS,
    handle_database_unavailable,
    handle_http_exception,
    rollback_quietly,
)
from ..services import ServiceError
from ..services.errors import DATABASE_UNAVAILABLE
from .blueprint import bp

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Not allowed", "Your account cannot open this page."),
    404: ("Not found", "There is nothing here, or you do not have access to it."),
    405: ("Method not allowed", "This page cannot be used that way."),
    413: ("Too large", "What you sent is larger than this server accepts."),
    429: ("Too many attempts", "Please wait a minute and try again."),
    500: ("Something went wrong", "The error has been logged. Nothing was saved."),
    503: (
        "Database unavailable",
        "The database could not be reached. Try again in a moment: sending the same form "
        "again never saves it twice.",
    ),
}


def render_error(status: int, detail: str | None = None):
    title, default = MESSAGES.get(status, (f"Error {status}", ""))
    return render_template("error.html", status=status, title=title, detail=detail or default), (
        status
    )


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _http_error(exc: HTTPException):
    if _is_api():
        return handle_http_exception(exc)
    detail = exc.description if exc.description != type(exc).description else None
    return render_error(exc.code or 500, detail)


def _csrf_error(exc: CSRFError):
    if _is_api():
        return handle_http_exception(exc)
    return render_error(
        400, "The form had expired or was sent from elsewhere. Go back, reload it, and try again."
    )


def _server_error(exc: InternalServerError):
    original = getattr(exc, "original_exception", None)
    if original is not None:
        log.error("unhandled error on %s", request.path, exc_info=original)
    if _is_api():
        return handle_http_exception(InternalServerError())
    return render_error(500)


def _database_unavailable(exc: Exception):
    if _is_api():
        return handle_database_unavailable(exc)
    rollback_quietly()
    log.warning("database unavailable on %s: %s", request.path, exc)
    try:
        body, status = render_error(503)
    except DATABASE_UNAVAILABLE:
        # The page layout reads the signed-in user from the database, which is still down.
        title, detail = MESSAGES[503]
        body, status = (
            f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{escape(detail)}",
            503,
        )
    return body, status, {"Retry-After": RETRY_AFTER_SECONDS}


def _service_error(exc: ServiceError):
    # Services raise NotFound/PermissionDenied/...; a view that does not catch them gets a page.
    return render_error(exc.status if exc.status in MESSAGES else 400, exc.detail)


for _code in (400, 403, 404, 405, 413, 429):
    # Blueprint handlers win for our own views; the app-wide ones cover unknown URLs.
    bp.register_error_handler(_code, _http_error)
    bp.app_errorhandler(_code)(_http_error)
bp.register_error_handler(CSRFError, _csrf_error)
bp.app_errorhandler(CSRFError)(_csrf_error)
bp.register_error_handler(InternalServerError, _server_error)
bp.app_errorhandler(InternalServerError)(_server_error)
bp.register_error_handler(ServiceError, _service_error)
for _db_error in DATABASE_UNAVAILABLE:
    bp.register_error_handler(_db_error, _database_unavailable)
    bp.app_errorhandler(_db_error)(_database_unavailable)
