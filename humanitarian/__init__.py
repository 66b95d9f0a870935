"""humanitarian: incidents, infrastructure status and population movements in a crisis."""

from __future__ import annotations

import logging
import re
import uuid

from flask import Flask, abort, g, request

from .config import Config


def create_app(config: Config | dict | None = None) -> Flask:
    """Build the Flask app. ``config`` may be a Config, a dict of overrides, or None (environment)."""
    app = Flask(__name__, instance_relative_config=True)
    if config is None:
        config = Config.from_env()
    elif isinstance(config, dict):
        config = Config.from_env(**config)
    config.resolve()
    app.config.from_mapping(config.flask_mapping())
    app.extensions["humanitarian.config"] = config
    if config.TRUSTED_PROXIES:
        _trust_proxies(app, config.TRUSTED_PROXIES)

    from .extensions import babel, csrf, db, limiter, login_manager, migrate

    # First, so every later hook (the rate limiter's too) and every error carries the id.
    _register_request_id(app)
    _refuse_undecodable_query(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=_migrations_dir())
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, default_locale="en", default_timezone="UTC")

    from .security import init_security

    init_security(app)
    _register_blueprints(app)

    from . import cli

    cli.register(app)
    logging.getLogger(__name__).debug("app created with %s", config.DATABASE_URL)
    return app


def _trust_proxies(app: Flask, count: int) -> None:
    """Behind ``count`` reverse proxies, take the client address, scheme and host from their
    X-Forwarded-* headers: per-address rate limits and the audit trail need the real client,
    and HTTPS redirects the real scheme. Without proxies those headers are ignored, since any
    client could forge them."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def _migrations_dir() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parent.parent / "migrations")


# A caller's X-Request-ID is kept only if it is a plain token: it goes into audit rows and
# response headers, and a control character (PostgreSQL refuses NUL in text) must never make
# a valid append fail.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:/+=-]{1,64}")


def _register_request_id(app: Flask) -> None:
    @app.before_request
    def assign_request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex

    @app.after_request
    def echo_request_id(response):
        response.headers.setdefault("X-Request-ID", g.get("request_id", ""))
        return response


def _refuse_undecodable_query(app: Flask) -> None:
    """WSGI servers may pass a query string's raw bytes on (PEP 3333); Werkzeug decodes them
    strictly as UTF-8 when a view first reads ``request.args``, which would raise there."""

    @app.before_request
    def check_query_encoding():
        try:
            request.query_string.decode("utf-8")
        except UnicodeDecodeError:
            abort(400, description="the query string is not valid UTF-8")


def _register_blueprints(app: Flask) -> None:
    from .api import register as register_api
    from .reports import bp as reports_bp
    from .web import bp as web_bp

    app.register_blueprint(web_bp)
    app.register_blueprint(reports_bp)
    register_api(app)
    _register_favicon(app)


def _register_favicon(app: Flask) -> None:
    """Browsers ask for /favicon.ico on every page whatever the page links; served from the
    app's own static files, outside the login wall (it is the same for everyone)."""

    def favicon():
        return app.send_static_file("favicon.ico")

    app.add_url_rule("/favicon.ico", "favicon", favicon)
