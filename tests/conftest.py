"""Fixtures shared by every test.

The suite runs once per database: ``pytest`` uses SQLite, ``pytest --db=postgresql`` creates a
throw-away PostgreSQL database (never ``test``), migrates it, and drops it at the end. Each
test starts from empty tables plus the shipped gazetteer (``reset_database``).

Every test-client request and CLI command runs in its own app context and database session,
as in production (``tests/support.py``); the test's own ``db.session`` is a separate session,
so what a test reads back is what a request committed.
"""

from __future__ import annotations

import os
import uuid

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, delete, func, select, text

from humanitarian import create_app
from humanitarian.config import Config
from humanitarian.extensions import db
from humanitarian.models import AdminArea, Base
from humanitarian.models.guards import create_audit_guard, drop_audit_guard
from humanitarian.services.gazetteer import install_shipped_areas

from .support import FreshContextClient, FreshContextCliRunner, in_ci

PG_ADMIN_URL = os.environ.get(
    "HUMANITARIAN_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def pytest_addoption(parser):
    parser.addoption(
        "--db",
        choices=["sqlite", "postgresql"],
        default="sqlite",
        help="database backend for the whole run",
    )


# Property tests: in CI every run draws the same examples (derandomized, no example database),
# so a failure there fails the same way on a developer's machine (`CI=1 pytest ...`); and every
# failure prints the blob for @reproduce_failure (see tests/README.md).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if in_ci() else "dev")


def pytest_report_header(config):
    profile = "ci: derandomized" if in_ci() else "dev: random"
    return f"database backend: {config.getoption('--db')}; hypothesis profile {profile}"


def _pg_database(request) -> str:
    """Create a uniquely named database and register its removal."""
    name = f"humanitarian_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server
        if in_ci():
            pytest.exit(f"PostgreSQL is required in CI and is not reachable: {exc}", returncode=3)
        pytest.skip(f"PostgreSQL not reachable: {exc}")

    def drop():
        # FORCE closes connections a failed test may have left behind.
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    request.addfinalizer(drop)
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def backend(request) -> str:
    return request.config.getoption("--db")


@pytest.fixture(scope="session")
def database_url(request, backend, tmp_path_factory) -> str:
    if backend == "postgresql":
        return _pg_database(request)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    config = Config.from_env(
        {},
        DATABASE_URL=database_url,
        SECRET_KEY="test-secret",
        SITREP_DIR=str(tmp_path_factory.mktemp("sitreps")),
        TESTING=True,
    )
    app = create_app(config)
    app.test_client_class = FreshContextClient
    app.test_cli_runner_class = FreshContextCliRunner
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


# The shipped gazetteer's version (count, last change) as the reset last left it.
_gazetteer: dict[str, tuple] = {}


def reset_database() -> None:
    """Every table emptied except ``admin_areas``, which holds the shipped gazetteer.

    Rows are deleted, not truncated: on PostgreSQL a TRUNCATE of every table took about 150 ms
    per test, deleting the few rows a test wrote about 2 ms. The append-only guard on
    ``audit_events`` is lifted for the reset only, and sequences restart as ``TRUNCATE ...
    RESTART IDENTITY`` would. The 349 areas stay from test to test (with the gazetteer's
    in-memory snapshot and point-in-area index); a test that changed them leaves another
    version, and the shipped gazetteer is installed afresh."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name != "admin_areas"]
    with db.engine.begin() as conn:
        drop_audit_guard(conn)
        for name in tables:
            conn.exec_driver_sql(f"DELETE FROM {name}")  # noqa: S608 - names from metadata
        create_audit_guard(conn)
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(
                "SELECT setval(quote_ident(sequencename)::regclass, start_value, false) "
                "FROM pg_sequences WHERE schemaname = current_schema()"
            )
    if _gazetteer_version() != _gazetteer.get("shipped"):
        db.session.execute(delete(AdminArea))
        install_shipped_areas()
        _gazetteer["shipped"] = _gazetteer_version()
    db.session.commit()


def _gazetteer_version() -> tuple:
    """What ``services.places.current_places`` checks: every load that changes an area
    stamps ``updated_at``."""
    return tuple(db.session.execute(select(func.count(), func.max(AdminArea.updated_at))).one())


@pytest.fixture
def app(_app):
    """The app with empty tables, the shipped gazetteer, and an app context pushed."""
    with _app.app_context():
        reset_database()
        yield _app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app):
    """The full demo scenario loaded; returns the seed's counts."""
    from humanitarian.services.demo import seed_demo

    return seed_demo("demo-password")
