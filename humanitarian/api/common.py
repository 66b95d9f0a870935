"""Pieces every API module uses: the blueprint class, request bodies and idempotent appends."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Response, abort, current_app, request
from flask import json as flask_json
from flask_smorest import Blueprint
from marshmallow import Schema
from webargs.flaskparser import FlaskParser

from ..models import Report
from ..models.enums import Scope
from ..services import Actor, Replay, ServiceError, open_report, request_fingerprint

API_PREFIX = "/api/v1"


class _Parser(FlaskParser):
    # webargs drops unknown query parameters by default; the schemas reject them instead,
    # so a misspelt filter is a 422 naming it rather than a silently wider result.
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": None,
        "querystring": None,
    }


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose query schemas decide about unknown parameters."""

    ARGUMENTS_PARSER = _Parser()


def make_blueprint(name: str, import_name: str, description: str) -> ApiBlueprint:
    """A blueprint under ``/api/v1`` with token authentication and problem+json errors.

    Hooks go on at creation: Flask refuses changes to a blueprint once an app has it, and
    ``create_app`` may run more than once in a process (tests, CLI)."""
    from ..extensions import limiter
    from .auth import authenticate_request, rate_limit_key
    from .errors import register_blueprint_handlers

    bp = ApiBlueprint(name, import_name, url_prefix=API_PREFIX, description=description)
    # One budget per token (or address) across the whole API, not one per endpoint.
    limiter.shared_limit(
        _api_limit, scope="api", key_func=rate_limit_key, error_message=_limit_message
    )(bp)
    bp.before_request(authenticate_request)
    register_blueprint_handlers(bp)
    return bp


def _api_limit() -> str:
    return current_app.config["RATELIMIT_API"]


def _limit_message() -> str:
    return (
        f"too many requests: the limit is {_api_limit()} per token (per address without one); "
        "retry after the number of seconds in Retry-After"
    )


ERRORS = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    410: "GONE",
    413: "REQUEST_ENTITY_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "TOO_MANY_REQUESTS",
}


def errors_doc(*codes: int) -> dict:
    """References to the shared problem+json responses. Every operation is rate limited, so
    each may answer 429."""
    return {str(code): ERRORS[code] for code in (*codes, 429)}


def ok_doc(schema, *codes: int) -> dict:
    """A JSON 200 response plus the given error responses."""
    return {
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
            **errors_doc(*codes),
        }
    }


def created_doc(*schemas: type[Schema]) -> dict:
    """The 201 of an append: the stored record(s), with a Location header."""
    schema: Any = schemas[0] if len(schemas) == 1 else {"oneOf": list(schemas)}
    return {
        "responses": {
            "201": {
                "description": "stored; a replay of an Idempotency-Key returns the original "
                "response with 'Idempotent-Replayed: true'",
                "headers": {
                    "Location": {"schema": {"type": "string"}, "description": "the record"}
                },
                "content": {"application/json": {"schema": schema}},
            },
            **errors_doc(400, 401, 403, 404, 409, 413, 415),
        }
    }


def list_doc(page_schema: type[Schema]) -> dict:
    """The 200 response of a list endpoint in each format it can take."""
    return {
        "responses": {
            "200": {
                "description": "a page (or with limit=all, every row, streamed)",
                "content": {
                    "application/json": {"schema": page_schema},
                    "application/geo+json": {"schema": {"type": "object"}},
                    "text/csv": {
                        "schema": {"type": "string"},
                        "example": "id,occurred_on,...\r\n#meta+id,#date+occurred,...",
                    },
                },
            },
            **errors_doc(400, 401, 403),
        }
    }


def body_doc(*schemas: type[Schema], description: str = "") -> dict:
    """An OpenAPI requestBody for one schema, or any of several (single record or batch)."""
    schema: Any = schemas[0] if len(schemas) == 1 else {"oneOf": list(schemas)}
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": schema}},
        }
    }


def rules_doc(*schemas: type[Schema]) -> dict:
    """The operation's description: the rules of its schemas that JSON Schema cannot state
    (``RULES`` on the schema classes, printed by ``schemas.fields.rules_text``)."""
    from schemas.fields import rules_text

    text = rules_text(*schemas)
    return {"description": text} if text else {}


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def json_body() -> Any:
    """The parsed JSON body. Anything unparseable is the client's error (400/413/415)."""
    if not request.is_json:
        abort(415, description="send the body as JSON with 'Content-Type: application/json'")
    raw = request.get_data(cache=True)  # over MAX_CONTENT_LENGTH → 413 from Werkzeug
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        abort(400, description="the body is not valid UTF-8")
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        abort(400, description=f"the body is not valid JSON: {exc}")


def item_error(index: int, exc: ServiceError) -> ServiceError:
    """Re-raise a service error from batch item ``index`` keyed by its position."""
    errors = exc.errors or {"_schema": [exc.detail]}
    return type(exc)(f"item {index}: {exc.detail}", errors={"items": {str(index): errors}})


def each_item(items: list, work: Callable[[Any], Any]) -> list:
    results = []
    for index, item in enumerate(items):
        try:
            results.append(work(item))
        except ServiceError as exc:
            raise item_error(index, exc) from exc
    return results


def append(
    actor: Actor,
    headers: dict,
    payload: Any,
    work: Callable[[Report], dict],
    location: Callable[[dict], str],
) -> Response:
    """Run ``work`` inside one report: all of it commits or none does. The response is stored
    on the report before the commit, so a retry with the same Idempotency-Key gets it back."""
    key = headers.get("idempotency_key")
    fingerprint = request_fingerprint(
        {"method": request.method, "path": request.path, "body": payload}
    )
    try:
        with open_report(actor, idempotency_key=key, fingerprint=fingerprint) as report:
            body = work(report)
            report.response_status = 201
            report.response_body = body
    except Replay as replay:
        response = created(replay.body, location(replay.body), status=replay.status)
        response.headers["Idempotent-Replayed"] = "true"
        return response
    return created(body, location(body))


def append_one(
    actor: Actor,
    headers: dict,
    schema: Schema,
    write: Callable[[Any, Report], dict],
    location: Callable[[dict], str],
) -> Response:
    """POST body of one record: loaded by ``schema``, stored by ``write(data, report)``, which
    returns the response body."""
    actor.require(Scope.append)
    payload = json_body()
    data = schema.load(payload)
    return append(actor, headers, payload, lambda report: write(data, report), location)


def created(body: dict, location: str, status: int = 201) -> Response:
    response = Response(flask_json.dumps(body), status=status, mimetype="application/json")
    response.headers["Location"] = location
    return response


def json_response(body: Any, status: int = 200) -> Response:
    return Response(flask_json.dumps(body), status=status, mimetype="application/json")
