"""The access-control matrix for every route that writes: each caller × each target, on a
fresh database per route (the allowed writes of one row never meet another row's callers)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from humanitarian.extensions import db
from humanitarian.models import Report

from .callers import CALLER
from .checks import assert_row, present, row_id
from .matrix import ROWS

WRITES = [row for row in ROWS if row.method != "GET"]


@pytest.mark.parametrize("row", WRITES, ids=row_id)
def test_write_matrix(fresh_world, app, row):
    present(app, row)
    assert_row(fresh_world, row)


@pytest.mark.parametrize("row", [r for r in WRITES if not r.is_api and r.csrf], ids=row_id)
def test_web_writes_need_the_csrf_token(fresh_world, app, row):
    """A form posted without its CSRF token is refused (400 page) and writes nothing, even
    from the most privileged account."""
    present(app, row)
    admin = CALLER["user admin/restricted"]
    before = db.session.scalar(select(func.count()).select_from(Report))
    for target in row.targets:
        response = row.send(fresh_world, admin, target, csrf=False)
        assert response.status_code == 400, (str(target), response.status_code)
        assert response.headers["Content-Type"].startswith("text/html")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Report)) == before
