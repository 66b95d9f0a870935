"""Who is asking: the signed-in user as a service-layer Actor, role checks, and the login wall."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, g, request
from flask_login import current_user

from ..extensions import login_manager
from ..models.enums import ROLE_SCOPES, Role, Scope
from ..services import Actor
from .blueprint import bp

# Reachable without signing in. Everything else that is not the JSON API needs a session.
# The links in a sitrep e-mail work without an account: their signed token is the proof.
OPEN_ENDPOINTS = frozenset(
    {"web.login", "reports.unsubscribe_confirm", "reports.unsubscribe_now", "reports.delivered"}
)
WALLED_BLUEPRINTS = frozenset({"web", "reports"})


def current_actor() -> Actor:
    """The signed-in user as the services see them: role scopes plus sensitivity grant."""
    if "actor" not in g:
        g.actor = Actor.for_user(current_user, request_id=g.get("request_id"), ip=_client_ip())
    return g.actor


def _client_ip() -> str | None:
    return (request.remote_addr or "")[:64] or None


def can(scope: str) -> bool:
    if not current_user.is_authenticated:
        return False
    return Scope(scope) in ROLE_SCOPES[Role(current_user.role)]


def requires(scope: Scope):
    """Refuse the view with a 403 page unless the user's role carries ``scope``."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not can(scope):
                abort(403, description=f"Your role ({current_user.role}) cannot do this.")
            return view(*args, **kwargs)

        return wrapped

    return decorator


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths, so a crafted link cannot bounce a user to another site."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


@bp.before_app_request
def _login_wall():
    # The wall guards the pages (this blueprint's and the sitrep archive's). The JSON API
    # authenticates with tokens and answers in problem+json; routes of other blueprints (the
    # API docs' assets, a host application's own) are theirs to guard.
    if request.blueprint not in WALLED_BLUEPRINTS or request.endpoint in OPEN_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@bp.app_context_processor
def _template_helpers():
    return {"can": can}


@bp.after_request
def _security_headers(response):
    # Pages are self-contained (local CSS/JS, inline SVG), so a strict policy costs nothing.
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response
