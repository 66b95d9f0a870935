"""Bearer tokens → the ``Actor`` a request acts as.

No ``Authorization`` header: an anonymous reader of public data. A header with an unknown,
revoked or expired token, or any other scheme: 401, never a silent fall-back to anonymous.
Scopes and sensitivity grants are then checked by the services (403, or 404 as if absent).
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, g, request

from ..models import ApiToken
from ..services import Actor, record_token_use, token_from_secret

# How often a token's use is written down (last_used_at + a 'token.use' audit row).
TOKEN_USE_INTERVAL = timedelta(seconds=60)
_TOKEN_KEY = "humanitarian.api_token"


def _request_context() -> dict:
    return {"request_id": g.get("request_id"), "ip": request.remote_addr}


def _bearer_secret() -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        abort(401, description="use 'Authorization: Bearer <token>'")
    return secret.strip()


def _live_token() -> ApiToken | None:
    """The valid token this request presents, or None. Looked up once per request: the rate
    limiter (which runs first) and authentication both need it. Kept in the request's environ,
    not ``g``, because ``g`` can outlive a request (an app context shared by several)."""
    if _TOKEN_KEY not in request.environ:
        scheme, _, secret = (request.headers.get("Authorization") or "").strip().partition(" ")
        secret = secret.strip()
        live = token_from_secret(secret) if scheme.lower() == "bearer" and secret else None
        request.environ[_TOKEN_KEY] = live
    return request.environ[_TOKEN_KEY]


def rate_limit_key() -> str:
    """Who a request counts against: its token when it presents a valid one, otherwise the
    client address (anonymous readers, and wrong tokens, which are then refused with 401)."""
    token = _live_token()
    if token is not None:
        return f"token:{token.id}"
    return f"ip:{request.remote_addr}"


def authenticate_request() -> None:
    """``before_request`` hook of every API blueprint: resolves ``g.actor``."""
    secret = _bearer_secret()
    if secret is None:
        g.actor = Actor.anonymous(**_request_context())
        return
    token = _live_token()
    if token is None:
        abort(401, description="the token is unknown, revoked or expired")
    actor = Actor.for_token(token, **_request_context())
    record_token_use(
        actor,
        token,
        interval=TOKEN_USE_INTERVAL,
        details={"method": request.method, "path": request.path},
    )
    g.actor = actor


def current_actor() -> Actor:
    actor = g.get("actor")
    if actor is None:  # a view reached without the hook (should not happen): least privilege
        actor = Actor.anonymous(**_request_context())
        g.actor = actor
    return actor
