"""The access-control matrix for every route that only reads: each caller × each target.

The routes are enumerated from ``app.url_map``: a route without a row in ``matrix.ROWS`` fails
``test_every_route_has_an_expectation``, so a new endpoint cannot slip in unchecked. Rows
written ahead of their route are skipped until it exists.
"""

from __future__ import annotations

import pytest

from .checks import assert_row, present, row_id
from .matrix import ROWS, route_keys

READS = [row for row in ROWS if row.method == "GET"]


def test_every_route_has_an_expectation(_app):
    unchecked = sorted(route_keys(_app) - {row.key for row in ROWS})
    assert not unchecked, "routes without a row in tests/security/matrix.py: " + ", ".join(
        f"{method} {rule}" for method, rule in unchecked
    )


def test_the_matrix_covers_every_kind_of_caller():
    from .callers import CALLERS
    from .data import ROLES, SCOPES, SENSITIVITIES

    tokens = {
        (next(iter(c.scopes)), c.grant) for c in CALLERS if c.kind == "token" and len(c.scopes) == 1
    }
    assert tokens == {(s, g) for s in SCOPES for g in SENSITIVITIES}
    assert {(c.role, c.grant) for c in CALLERS if c.kind == "user"} == {
        (r, g) for r in ROLES for g in SENSITIVITIES
    }
    assert {c.refused for c in CALLERS} == {None, "revoked", "expired"}
    assert len({c.org for c in CALLERS}) == 2 and any(c.kind == "anonymous" for c in CALLERS)


@pytest.mark.parametrize("row", READS, ids=row_id)
def test_read_matrix(world, _app, row):
    present(_app, row)
    assert_row(world, row)
