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

from flask import Blueprint, Flask, send_from_directory
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from .common import API_PREFIX
from .errors import PROBLEM_JSON, register_fallback

# Every API module exposes ``blp``; the order is the order of the OpenAPI tags.
BLUEPRINT_MODULES = (
    "incidents",
    "facilities",
    "movements",
    "areas",
    "summary",
    "sitreps",
    "schedules",
    "audit",
)

DESCRIPTION = """\
Incidents, infrastructure status and population movements for partner systems.

Authenticate with `Authorization: Bearer <token>`; without a token only public data can be
read. Errors are `application/problem+json`. Appends accept an `Idempotency-Key` header.
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


def _limit_properties(self, field, **_kwargs) -> dict:
    """Document ``limit`` as an integer range or the literal 'all'."""
    from schemas.queries import Limit

    if not isinstance(field, Limit):
        return {}
    return {
        "oneOf": [
            {"type": "integer", "minimum": 1, "maximum": field.maximum},
            {"type": "string", "enum": ["all"]},
        ]
    }


def _docs_assets_blueprint() -> Blueprint:
    """Swagger UI's files from the swagger-ui-bundle package: the docs work offline."""
    from swagger_ui_bundle import swagger_ui_path

    bp = Blueprint("api_docs_assets", __name__, url_prefix=f"{API_PREFIX}/docs/assets")

    @bp.get("/<path:filename>")
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
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": f"{API_PREFIX}/docs/assets/",
        # Swagger UI would otherwise send the spec to an online validator for a badge.
        "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None},
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
    from ..extensions import csrf

    _configure(app)
    api = ProblemApi(app)
    api.ma_plugin.converter.add_attribute_function(_limit_properties)
    for name in BLUEPRINT_MODULES:
        blp = import_module(f"{__name__}.{name}").blp
        csrf.exempt(blp)
        api.register_blueprint(blp)
    app.register_blueprint(_docs_assets_blueprint())
    register_fallback(app, API_PREFIX)
    app.extensions["humanitarian.api"] = api
