"""Fixtures for the access-control tests.

``world`` is seeded once per module for tests that only read (a clean database, every record
and caller, one sitrep per edition); such modules must not use the per-test ``app`` fixture,
which empties the tables. ``fresh_world`` seeds the same records and callers (without sitreps)
on the per-test clean database, for tests that write.
"""

from __future__ import annotations

import pytest

from humanitarian.extensions import db
from tests.conftest import reset_database

from .world import World, seed_world


@pytest.fixture(scope="module")
def world(_app) -> World:
    with _app.app_context():
        reset_database()
        seeded = seed_world(_app)
        db.session.remove()
        yield seeded
        db.session.remove()


@pytest.fixture
def fresh_world(app) -> World:
    seeded = seed_world(app, sitreps=False)
    db.session.remove()
    return seeded
