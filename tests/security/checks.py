"""Running one row of the matrix: every caller × every target, with the invariants every
refusal must keep (problem+json and a Bearer challenge on the API, HTML pages on the web)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from .callers import CALLERS, Caller
from .data import MISSING, MISSING_ID
from .expectations import LOGIN, Expected, Target
from .leaks import comparable
from .matrix import Row
from .world import World

PROBLEM_JSON = "application/problem+json"


def mismatch(row: Row, expected: Expected, response) -> str | None:
    """Why the response is not what the matrix expects, or None."""
    status = response.status_code
    if expected == LOGIN:
        where = urlsplit(response.headers.get("Location", "")).path
        if status != 302 or where != "/login":
            return f"expected a redirect to /login, got {status} {where or ''}".strip()
    elif isinstance(expected, frozenset):
        if status not in expected:
            return f"expected one of {sorted(expected)}, got {status}"
    elif status != expected:
        return f"expected {expected}, got {status}"
    if status < 400:
        return None
    content_type = response.headers.get("Content-Type", "")
    if row.is_api:
        if not content_type.startswith(PROBLEM_JSON):
            return f"{status} answered as {content_type}, not {PROBLEM_JSON}"
        if status == 401 and not response.headers.get("WWW-Authenticate", "").startswith("Bearer"):
            return "401 without a Bearer challenge"
    elif not content_type.startswith("text/html"):
        return f"{status} answered as {content_type}, not an HTML page"
    return None


def run_row(world: World, row: Row, callers: tuple[Caller, ...] = CALLERS) -> list[str]:
    """Send the row's request for every caller and target; list each disagreement. A record
    the caller may not reach must also answer exactly as a record that does not exist."""
    failures = []
    for caller in callers:
        answers = {}
        for target in row.targets:
            expected = row.expect(caller, target)
            answers[target] = response = row.send(world, caller, target)
            problem = mismatch(row, expected, response)
            if problem:
                failures.append(f"{caller} on {target}: {problem}")
        failures += [f"{caller} on {t}: {p}" for t, p in _telltales(world, row, caller, answers)]
    return failures


def _telltales(world: World, row: Row, caller: Caller, answers: dict):
    """Differences between the answer for an existing record and for a missing one, where
    the caller must not be able to tell them apart (the same status is expected for both)."""
    for target, response in answers.items():
        missing = Target(target.kind, MISSING)
        if target == missing or missing not in answers:
            continue
        if row.expect(caller, target) != row.expect(caller, missing):
            continue
        seen = comparable(response, _record_id(world, target, response))
        absent = comparable(answers[missing], str(MISSING_ID))
        if seen != absent:
            yield target, "answers unlike a missing record: " + _first_difference(seen, absent)


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _record_id(world: World, target: Target, response) -> str:
    """The id of the record the request named: the last id in its path (a row may make a
    fresh record per request, e.g. to retract), else the world's record of the target."""
    found = UUID.findall(response.request.path)
    return found[-1] if found else str(world.id_of(target.kind, target.sensitivity))


def _first_difference(one: tuple, other: tuple) -> str:
    if one[:2] != other[:2]:
        return f"{one[:2]} vs {other[:2]}"
    pairs = zip(one[2].splitlines(), other[2].splitlines(), strict=False)
    return next((f"{a.strip()!r} vs {b.strip()!r}" for a, b in pairs if a != b), "body length")


def assert_row(world: World, row: Row, callers: tuple[Caller, ...] = CALLERS) -> None:
    failures = run_row(world, row, callers)
    assert not failures, f"{row.method} {row.rule}:\n  " + "\n  ".join(failures)


def present(app, row: Row) -> None:
    """A row whose route is gone fails: the expectation would otherwise check nothing while
    looking green (a renamed route must take its row along)."""
    from .matrix import route_keys

    if row.key not in route_keys(app):
        pytest.fail(f"{row.method} {row.rule} has a row in the matrix but no route in the app")


def row_id(row: Row) -> str:
    return f"{row.method} {row.rule}"


def target_id(target: Target) -> str:
    return str(target)
