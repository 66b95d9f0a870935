"""The API's problem vocabulary (RFC 9457): one title per status, one ``type`` per kind of
problem, so clients can branch on ``type`` rather than parse ``detail``.

Every problem document the API sends takes its ``type`` and ``title`` from here. Service
errors name their kind (``ServiceError.problem``); HTTP errors raised by the framework are
mapped by status. A status without a kind of its own (405, 500…) is ``about:blank`` with the
status's title, as RFC 9457 prescribes. Each type URI is served at its own path
(``GET /api/v1/problems/<kind>``) as a short JSON description, so it can be looked up.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from flask import Blueprint, abort

from .common import API_PREFIX, json_response

PROBLEMS_PATH = f"{API_PREFIX}/problems"

# RFC 9110's reason phrases (Python's own differ between versions: 422 "Unprocessable
# Entity" until 3.13), so the same status always carries the same title.
TITLES: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass(frozen=True)
class ProblemType:
    kind: str
    status: int
    description: str

    @property
    def uri(self) -> str:
        return f"{PROBLEMS_PATH}/{self.kind}"

    @property
    def title(self) -> str:
        return title_of(self.status)


TYPES: dict[str, ProblemType] = {
    t.kind: t
    for t in (
        ProblemType(
            "malformed-request",
            400,
            "The request cannot be read: the body is not JSON or not UTF-8, the query string "
            "is not UTF-8, or a cursor is not one this server issued (errors.cursor).",
        ),
        ProblemType(
            "authentication",
            401,
            "No valid token: unknown, revoked or expired, or another scheme than Bearer.",
        ),
        ProblemType(
            "forbidden",
            403,
            "The token lacks the scope this operation needs, or the record would be above "
            "the token's own sensitivity grant.",
        ),
        ProblemType(
            "not-found",
            404,
            "No such resource, or one above the caller's grant (the two are answered alike).",
        ),
        ProblemType(
            "conflict",
            409,
            "The Idempotency-Key was used before with another body, or has expired.",
        ),
        ProblemType("too-large", 413, "The body is larger than the server accepts."),
        ProblemType("unsupported-media-type", 415, "Send the body as application/json."),
        ProblemType(
            "validation",
            422,
            "The request does not match the schema of the operation: unknown or missing "
            "fields, wrong types, values out of range or of the wrong form, rules between "
            "fields, p-codes that do not exist. errors names each field (batch items by "
            "position).",
        ),
        ProblemType(
            "business-rule",
            422,
            "The request is well-formed but breaks a rule of the domain that depends on the "
            "stored data: a point outside the named area, an unknown source or facility, a "
            "sitrep period that has not ended. errors names the field.",
        ),
        ProblemType(
            "rate-limit",
            429,
            "The token's (or address's) request budget is used up; wait Retry-After seconds.",
        ),
        ProblemType(
            "unavailable",
            503,
            "The database could not be reached; retry after Retry-After seconds (with the "
            "same Idempotency-Key, a retry never stores twice).",
        ),
    )
}

# The kind of an error that does not name its own (framework errors, by status).
BY_STATUS = {
    400: "malformed-request",
    401: "authentication",
    403: "forbidden",
    404: "not-found",
    409: "conflict",
    413: "too-large",
    415: "unsupported-media-type",
    422: "validation",
    429: "rate-limit",
    503: "unavailable",
}


def title_of(status: int) -> str:
    if status in TITLES:
        return TITLES[status]
    return HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"


def type_and_title(status: int, kind: str | None = None) -> tuple[str, str]:
    """The ``type`` URI and ``title`` of a problem with this status (and kind, if named)."""
    chosen = TYPES.get(kind or BY_STATUS.get(status, ""))
    if chosen is None or chosen.status != status:
        return "about:blank", title_of(status)
    return chosen.uri, chosen.title


def docs_blueprint() -> Blueprint:
    """``GET /api/v1/problems/<kind>``: what a problem type means (public reference)."""
    bp = Blueprint("api_problems", __name__, url_prefix=PROBLEMS_PATH)

    @bp.get("/<kind>")
    def problem_type(kind: str):
        """What a problem type means."""
        found = TYPES.get(kind)
        if found is None:
            abort(404)
        return json_response(
            {
                "type": found.uri,
                "title": found.title,
                "status": found.status,
                "description": found.description,
            }
        )

    return bp
