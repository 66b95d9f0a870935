"""Every kind of caller, and a client per caller that signs in and holds a CSRF token as a
browser would."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from flask import Flask
from werkzeug.security import generate_password_hash

from humanitarian.extensions import limiter
from humanitarian.models.enums import ROLE_SCOPES, Role

from .data import HOME_ORG, OTHER_ORG, ROLES, SCOPES, SENSITIVITIES

PASSWORD = "access-matrix-password"


@dataclass(frozen=True)
class ApiIdentity:
    scopes: frozenset[str]
    grant: str
    authenticated: bool


@dataclass(frozen=True)
class Caller:
    """Someone sending requests: nobody, a bearer token, or a signed-in staff member."""

    name: str
    kind: str  # "anonymous" | "token" | "user"
    scopes: frozenset[str] = frozenset()
    grant: str = "public"
    role: str | None = None
    refused: str | None = None  # "revoked" | "expired": a token the API must turn away
    org: str = HOME_ORG

    @property
    def api(self) -> ApiIdentity | None:
        """Who the API sees. It reads tokens only, so a web session is an anonymous reader;
        None when the token must be refused."""
        if self.kind != "token":
            return ApiIdentity(frozenset({"read"}), "public", False)
        if self.refused:
            return None
        return ApiIdentity(self.scopes, self.grant, True)

    @property
    def web_scopes(self) -> frozenset[str] | None:
        """The scopes a web page sees: the role's, or None when nobody is signed in (web pages
        ignore bearer tokens)."""
        if self.kind != "user":
            return None
        return frozenset(str(s) for s in ROLE_SCOPES[Role(self.role)])

    def __str__(self) -> str:
        return self.name


CALLERS: tuple[Caller, ...] = (
    Caller("anonymous", "anonymous"),
    *(
        Caller(f"token {scope}/{grant}", "token", frozenset({scope}), grant)
        for scope in SCOPES
        for grant in SENSITIVITIES
    ),
    Caller("token revoked", "token", frozenset(SCOPES), "restricted", refused="revoked"),
    Caller("token expired", "token", frozenset(SCOPES), "restricted", refused="expired"),
    Caller("token other-org", "token", frozenset({"read", "append"}), "partner", org=OTHER_ORG),
    *(
        Caller(f"user {role}/{grant}", "user", grant=grant, role=role)
        for role in ROLES
        for grant in SENSITIVITIES
    ),
)
CALLER = {c.name: c for c in CALLERS}


def email_of(caller: Caller) -> str:
    return f"{caller.role}.{caller.grant}@access.test"


@cache
def password_hash() -> str:
    # A light hash keeps twelve sign-ins per test cheap; the check is the real one.
    return generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


class CallerClient:
    """A caller's own test client (its own cookie jar; each request in its own app context,
    see ``tests/support.py``)."""

    def __init__(self, app: Flask, caller: Caller, secret: str | None = None) -> None:
        self.app = app
        self.caller = caller
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        self.csrf = ""

    def request(
        self, method: str, path: str, *, json=None, form=None, csrf: bool = True, headers=None
    ):
        kw: dict = {"headers": {**self.headers, **(headers or {})}}
        if json is not None:
            kw["json"] = json
        if form is not None:
            kw["data"] = {**form, **({"csrf_token": self.csrf} if csrf else {})}
        # The matrix signs in, posts and reads far more often from one address than the
        # limits allow; rate limiting is not what it tests.
        limiter.reset()
        return self.client.open(path, method=method, **kw)

    def start(self) -> None:
        """Sign in (staff) and keep a CSRF token for forms, as a browser would hold one."""
        if self.caller.kind == "user":
            self.csrf = _csrf(self.request("GET", "/login"))
            answer = self.request(
                "POST", "/login", form={"email": email_of(self.caller), "password": PASSWORD}
            )
            assert answer.status_code == 302, (self.caller, answer.status_code)
            # Signing in renews the session (and its CSRF secret): take a fresh token.
            self.csrf = _csrf(self.request("GET", "/incidents?limit=1"))
        else:
            self.csrf = _csrf(self.request("GET", "/login"))


def _csrf(response) -> str:
    match = CSRF_FIELD.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {response.request.path}"
    return match.group(1)
