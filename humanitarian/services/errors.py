"""Errors raised by services. Each surface maps them to its own format
(problem+json on the API, a flashed message or an error page on the web)."""

from __future__ import annotations

from sqlalchemy.exc import InterfaceError, OperationalError, PendingRollbackError

# A lost or refused database connection, seen first hand or left behind in the session by
# code that caught the original error (PendingRollbackError): transient, worth a retry (503).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PendingRollbackError)


class ServiceError(Exception):
    """``problem`` names the kind of problem (the API's ``type``, see ``api/problems.py``);
    without one, the kind follows from ``status``."""

    status = 400
    title = "Bad request"
    problem: str | None = None

    def __init__(self, detail: str = "", errors: dict | None = None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors or {}


class NotAuthenticated(ServiceError):
    status = 401
    title = "Authentication required"
    problem = "authentication"


class PermissionDenied(ServiceError):
    status = 403
    title = "Forbidden"
    problem = "forbidden"


class NotFound(ServiceError):
    status = 404
    title = "Not found"
    problem = "not-found"


class Conflict(ServiceError):
    status = 409
    title = "Conflict"
    problem = "conflict"


class BusinessRuleError(ServiceError):
    """Input that is well-formed but breaks a rule of the domain (unknown p-code, bad period)."""

    status = 422
    title = "Unprocessable content"
    problem = "business-rule"


class InvalidInput(BusinessRuleError):
    """A value the request schemas refuse too, found by a service: a p-code not in the
    gazetteer (reference data, like an enumeration), or a rule for callers that reach the
    service without a schema (imports, the CLI). The API answers it as a validation problem."""

    problem = "validation"


class InvalidCursor(ServiceError):
    """A ``cursor`` this server did not issue; the problem names the field."""

    status = 400
    title = "Invalid cursor"
    problem = "malformed-request"

    def __init__(self, detail: str = "the cursor is not one this server issued", errors=None):
        super().__init__(detail, errors or {"cursor": [detail[:1].upper() + detail[1:] + "."]})


class Gone(ServiceError):
    """It existed and was taken down on purpose (a withdrawn sitrep); the detail says why."""

    status = 410
    title = "Gone"
