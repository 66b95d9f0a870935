"""The access-control matrix for every route that only reads: each caller × each target.

The routes are enumerated from ``app.url_map``: a route without a row in ``matrix.ROWS`` fails
``test_every_route_has_an_expectation``, so a new endpoint cannot slip in unchecked. Rows
written ahead of their route are skipped until it exists.
"""

from __future__ import annotations

import pytest

from humanitarian import create_app

from .checks import assert_row, present, row_id
from .matrix import ROWS, route_keys

READS = [row for row in ROWS if row.method == "GET"]


def unchecked(app) -> list[str]:
    return [f"{m} {r}" for m, r in sorted(route_keys(app) - {row.key for row in ROWS})]


def test_every_route_has_an_expectation(_app):
    missing = unchecked(_app)
    assert not missing, "routes without a row in tests/security/matrix.py: " + ", ".join(missing)


def test_a_route_added_without_a_row_is_caught(tmp_path):
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}", "SECRET_KEY": "x", "TESTING": True}
    )
    app.add_url_rule("/api/v1/exports/<uuid:export_id>", "export", lambda export_id: "")
    app.add_url_rule(
        "/incidents/<incident_id>", "delete", lambda incident_id: "", methods=["DELETE"]
    )
    assert unchecked(app) == ["DELETE /incidents/<id>", "GET /api/v1/exports/<id>"]


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
