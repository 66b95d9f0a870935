"""The access-control matrix for every route that only reads: each caller × each target.

The routes are enumerated from ``app.url_map``: a route without a row in ``matrix.ROWS`` fails
``test_every_route_has_an_expectation``, so a new endpoint cannot slip in unchecked; and a row
whose route is gone fails ``test_every_row_has_a_route`` (and its own check), so a renamed or
removed route cannot leave an expectation that checks nothing.
"""

from __future__ import annotations

import pytest

from humanitarian import create_app

from .checks import assert_row, present, row_id
from .matrix import ROWS, Row, route_keys

READS = [row for row in ROWS if row.method == "GET"]


def unchecked(app) -> list[str]:
    return [f"{m} {r}" for m, r in sorted(route_keys(app) - {row.key for row in ROWS})]


def routeless(app, rows=ROWS) -> list[str]:
    return [f"{m} {r}" for m, r in sorted({row.key for row in rows} - route_keys(app))]


def test_every_route_has_an_expectation(_app):
    missing = unchecked(_app)
    assert not missing, "routes without a row in tests/security/matrix.py: " + ", ".join(missing)


def test_every_row_has_a_route(_app):
    missing = routeless(_app)
    assert not missing, "rows in tests/security/matrix.py without a route: " + ", ".join(missing)


def test_a_row_whose_route_is_gone_is_caught(_app):
    gone = Row("GET", "/api/v1/exports/<id>", expect=lambda caller, target: 200)
    assert routeless(_app, (*ROWS, gone)) == ["GET /api/v1/exports/<id>"]
    with pytest.raises(pytest.fail.Exception, match="no route"):
        present(_app, gone)


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
