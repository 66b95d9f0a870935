"""What each caller must get: targets and the expectation functions the matrix rows use.

Expected codes follow API.md and the web interface's rules:

- API: no token on GET of public data 200, on POST 401; an unknown, revoked or expired token
  401; a missing scope 403; a record above the grant (or absent) 404; writing a record above
  one's own grant 403. The API reads bearer tokens only: a signed-in web session is anonymous.
- Web: nobody signed in → redirect to the sign-in page (bearer tokens count for nothing);
  a role without the permission → 403; a record above the grant (or absent) → 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from .callers import Caller
from .data import MISSING, SENSITIVITIES, allows

LOGIN = "login"  # expected: 302 to the sign-in page
Expected = int | str | frozenset[int]


@dataclass(frozen=True)
class Target:
    """What a request is aimed at: a record of some kind and sensitivity (or a missing one),
    a request body at some sensitivity, or nothing in particular."""

    kind: str | None = None  # incident, facility, status, movement, sitrep, body
    sensitivity: str | None = None

    def __str__(self) -> str:
        return f"{self.kind}:{self.sensitivity}" if self.kind else "-"

    @property
    def is_record(self) -> bool:
        return self.kind not in (None, "body")


NOTHING = (Target(),)


def records(kind: str) -> tuple[Target, ...]:
    return tuple(Target(kind, s) for s in (*SENSITIVITIES, MISSING))


def bodies(*levels: str) -> tuple[Target, ...]:
    return tuple(Target("body", s) for s in (levels or SENSITIVITIES))


# --- expectations ----------------------------------------------------------------------------


def _reach(grant: str, target: Target, ok: Expected) -> Expected:
    """``ok`` if the target record is within the grant, else 404 as if it did not exist."""
    if target.is_record and (
        target.sensitivity == MISSING or not allows(grant, target.sensitivity)
    ):
        return 404
    return ok


def api(scope: str, ok: Expected = 200, *, above_grant: Expected = 403):
    """An API route needing ``scope``. Writes need a token; reads of public data do not."""

    def expect(caller: Caller, target: Target) -> Expected:
        who = caller.api
        if who is None or (scope != "read" and not who.authenticated):
            return 401
        if scope not in who.scopes:
            return 403
        if target.kind == "body" and not allows(who.grant, target.sensitivity):
            return above_grant
        return _reach(who.grant, target, ok)

    return expect


def web(scope: str = "read", ok: Expected = 200, *, above_grant: Expected = 422):
    """A page needing ``scope`` from the signed-in user's role. A form asking to write above
    the user's grant is re-drawn with the error beside the field (422), as the README says."""

    def expect(caller: Caller, target: Target) -> Expected:
        scopes = caller.web_scopes
        if scopes is None:
            return LOGIN
        if scope not in scopes:
            return 403
        if target.kind == "body" and not allows(caller.grant, target.sensitivity):
            return above_grant
        return _reach(caller.grant, target, ok)

    return expect


def web_correct(ok: Expected):
    """Correcting needs ``append``; a public grant cannot correct a record whose exact location
    it only sees at district level (403), since saving would move the point."""
    base = web("append", ok)

    def expect(caller: Caller, target: Target) -> Expected:
        outcome = base(caller, target)
        if outcome == ok and caller.grant == "public":
            return 403
        return outcome

    return expect


def everyone(code: Expected):
    return lambda caller, target: code


def login_page(caller: Caller, target: Target) -> Expected:
    """The sign-in page: shown to visitors, signed-in users are sent on to the dashboard."""
    return 302 if caller.web_scopes is not None else 200
