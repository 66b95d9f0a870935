"""The access-control matrix for every route that writes: each caller × each target, on a
fresh database per route (the allowed writes of one row never meet another row's callers)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from humanitarian.extensions import db
from humanitarian.models import Report
from humanitarian.models.enums import Channel

from .callers import CALLER
from .checks import assert_row, present, row_id
from .matrix import ROWS, Row
from .world import World, seed_sitreps

WRITES = [row for row in ROWS if row.method != "GET"]


@pytest.mark.parametrize("row", WRITES, ids=row_id)
def test_write_matrix(fresh_world, app, row):
    present(app, row)
    assert_row(_with_sitreps(fresh_world, row), row)


def _with_sitreps(world: World, row: Row) -> World:
    if any(target.kind == "sitrep" for target in row.targets):
        seed_sitreps(world)
        db.session.remove()
    return world


@pytest.mark.parametrize("row", [r for r in WRITES if not r.is_api and r.csrf], ids=row_id)
def test_web_writes_need_the_csrf_token(fresh_world, app, row):
    """A form posted without its CSRF token is refused (400 page) and writes nothing, even
    from the most privileged account."""
    present(app, row)
    admin = CALLER["user admin/restricted"]
    world = _with_sitreps(fresh_world, row)
    # Web writes only: a row may set up a fresh record of its own (a system write) per request.
    web_reports = select(func.count()).select_from(Report).where(Report.channel == Channel.web)
    before = db.session.scalar(web_reports)
    for target in row.targets:
        response = row.send(world, admin, target, csrf=False)
        assert response.status_code == 400, (str(target), response.status_code)
        assert response.headers["Content-Type"].startswith("text/html")
    db.session.expire_all()
    assert db.session.scalar(web_reports) == before
