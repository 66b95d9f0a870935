"""REST API v1 for partner systems (`/api/v1`).

- ``records``: the operations every record kind has (list and export, append one or a batch,
  read one), made from the kind's description in ``humanitarian.kinds``;
  ``exports``: JSON, CSV, HXL and GeoJSON, paged or streamed.
- ``incidents``, ``facilities``, ``movements``: one blueprint per kind, with what is particular
  to it (revisions, status history); ``areas``, ``summary``, ``sitreps``, ``audit``: the rest.
- ``common``: the blueprint factory, request bodies, idempotent appends, OpenAPI helpers;
  ``auth``: tokens → ``Actor``; ``errors``: problem+json.

Adding a resource (for example ``sitreps``):

1. Create ``humanitarian/api/sitreps.py`` with
   ``blp = make_blueprint("sitreps", __name__, "Situation reports.")`` (from ``.common``) and
   flask-smorest views on it (``@blp.route``, ``@blp.arguments`` with a schema from
   ``schemas/``, one-line docstrings: they become the OpenAPI summaries). For a new record kind,
   describe it in ``humanitarian/kinds/`` and call ``add_collection(blp, KIND)`` instead of
   writing its list, append and item views.
2. Add ``"sitreps"`` to ``BLUEPRINT_MODULES`` below.

``make_blueprint`` gives the blueprint the ``/api/v1`` prefix, token authentication
(``current_actor()`` in views), the API's shared per-token rate limit and problem+json errors;
``register`` exempts it from CSRF and puts it in the OpenAPI document. Records are dumped with
``reader=actor`` (``XOutSchema(reader=actor)``): what the reader sees of them is decided by
``humanitarian.services.visibility``.
"""

from __future__ import annotations

import http
from importlib import import_module

from flask import Blueprint, Flask, Response, send_from_directory, url_for
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from .common import API_PREFIX
from .errors import PROBLEM_JSON, register_fallback
from .problems import docs_blueprint as problem_types_blueprint

# Every API module exposes ``blp``; the order is the order of the OpenAPI tags.
BLUEPRINT_MODULES = (
    "incidents",
    "facilities",
    "movements",
    "areas",
    "summary",
    "rollups",
    "sitreps",
    "changes",
    "webhooks",
    "imports",
    "schedules",
    "audit",
)

DESCRIPTION = """\
Incidents, infrastructure status and population movements for partner systems.

Authenticate with `Authorization: Bearer <token>`; without a token only public data can be
read. Errors are `application/problem+json`; branch on their `type` (one URI per kind of
problem, described at that URI: validation, business-rule, not-found, conflict, rate-limit,
unavailable…). Appends accept an `Idempotency-Key` header.
List endpoints take `format=json|csv|hxl|geojson` (or an Accept header), keyset pagination
with `cursor`, and `limit=all` for a streamed export.
"""


class ProblemApi(Api):
    """flask-smorest's Api with RFC 9457 errors, scoped to the API's own blueprints."""

    def _register_error_handlers(self):
        # flask-smorest would answer every HTTP error of the whole app in JSON; the API's
        # handlers live on its blueprints (see errors.py) so web pages keep HTML errors.
        pass

    def _register_responses(self):
        from schemas.api import ProblemSchema

        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = ProblemSchema
                prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Default error response", "schema": ProblemSchema}
        prepare_response(default, self.spec, PROBLEM_JSON)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, default, lazy=True)


def _two_form_properties(self, field, ret=None, **_kwargs) -> dict:
    """Fields with two forms, as ``oneOf``: ``limit`` (an integer range or 'all') and the
    audit trail's ``actor`` (a user id or a token UUID)."""
    from schemas.audit import ACCOUNT_DOC, AccountField
    from schemas.queries import Limit

    if isinstance(field, AccountField):
        if ret is not None:
            ret.pop("type", None)  # the forms carry their own types
        return dict(ACCOUNT_DOC)
    if not isinstance(field, Limit):
        return {}
    return {
        "oneOf": [
            {"type": "integer", "minimum": 1, "maximum": field.maximum},
            {"type": "string", "enum": ["all"]},
        ]
    }


# Neither database stores a NUL character, so no text field takes one (``unstorable_text``).
STORABLE_TEXT = "^[^\\x00]*$"


def _storable_text_properties(self, field, ret=None, **_kwargs) -> dict:
    """Plain text fields without a pattern of their own: no NUL characters."""
    from marshmallow import fields

    if type(field) is fields.String and ret is not None and "pattern" not in ret:
        return {"pattern": STORABLE_TEXT}
    return {}


# flask-smorest's own docs page starts Swagger UI with an inline script, which the site's
# content security policy blocks (the page stayed blank); this one loads a script file.
DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>humanitarian API v1</title>
  <link rel="icon" href="/favicon.ico">
  <link rel="stylesheet" href="{assets}swagger-ui.css">
</head>
<body>
  <div id="swagger-ui-container" data-spec-url="{spec}"></div>
  <script src="{assets}swagger-ui-bundle.js"></script>
  <script src="{init}"></script>
</body>
</html>
"""


def _docs_blueprint() -> Blueprint:
    """The docs page and Swagger UI's files from the swagger-ui-bundle package: the docs
    work offline, under the site's content security policy."""
    from swagger_ui_bundle import swagger_ui_path

    bp = Blueprint("api_docs", __name__, url_prefix=f"{API_PREFIX}/docs")

    @bp.get("")
    def docs():
        """Human-readable docs of the API (Swagger UI)."""
        page = DOCS_PAGE.format(
            assets=f"{API_PREFIX}/docs/assets/",
            spec=f"{API_PREFIX}/openapi.json",
            init=url_for("static", filename="js/api-docs.js"),
        )
        return Response(page, mimetype="text/html")

    @bp.get("/assets/<path:filename>")
    def asset(filename: str):
        """A Swagger UI asset."""
        return send_from_directory(swagger_ui_path, filename, max_age=86400)

    return bp


def _configure(app: Flask) -> None:
    defaults = {
        "API_TITLE": "humanitarian",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": API_PREFIX,
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "info": {"description": DESCRIPTION},
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            # Anonymous access is allowed for public reads, so the token is optional.
            "security": [{}, {"bearerAuth": []}],
        },
    }
    for key, value in defaults.items():
        app.config.setdefault(key, value)


def register(app: Flask) -> None:
    """Attach the API to the app. Token-authenticated, so exempt from form CSRF."""
    from schemas.fields import UTCDateTime

    from ..extensions import csrf

    _configure(app)
    api = ProblemApi(app)
    api.ma_plugin.converter.add_attribute_function(_two_form_properties)
    api.ma_plugin.converter.add_attribute_function(_storable_text_properties)
    # Timestamps may be naive (taken as UTC), which format: date-time would rule out; their
    # pattern states exactly what is accepted.
    api.ma_plugin.map_to_openapi_type(UTCDateTime, "string", None)
    for name in BLUEPRINT_MODULES:
        blp = import_module(f"{__name__}.{name}").blp
        csrf.exempt(blp)
        api.register_blueprint(blp)
    app.register_blueprint(_docs_blueprint())
    app.register_blueprint(problem_types_blueprint())
    register_fallback(app, API_PREFIX)
    app.extensions["humanitarian.api"] = api
