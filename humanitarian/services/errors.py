"""Errors raised by services. Each surface maps them to its own format
(problem+json on the API, a flashed message or an error page on the web)."""

from __future__ import annotations

from sqlalchemy.exc import InterfaceError, OperationalError, PendingRollbackError

# A lost or refused database connection, seen first hand or left behind in the session by
# code that caught the original error (PendingRollbackError): transient, worth a retry (503).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PendingRollbackError)


class ServiceError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str = "", errors: dict | None = None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors or {}


class NotAuthenticated(ServiceError):
    status = 401
    title = "Authentication required"


class PermissionDenied(ServiceError):
    status = 403
    title = "Forbidden"


class NotFound(ServiceError):
    status = 404
    title = "Not found"


class Conflict(ServiceError):
    status = 409
    title = "Conflict"


class BusinessRuleError(ServiceError):
    """Input that is well-formed but breaks a rule of the domain (unknown p-code, bad period)."""

    status = 422
    title = "Unprocessable content"


class InvalidCursor(ServiceError):
    status = 400
    title = "Invalid cursor"


class Gone(ServiceError):
    """It existed and was taken down on purpose (a withdrawn sitrep); the detail says why."""

    status = 410
    title = "Gone"
