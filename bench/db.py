"""The benchmark database: a dedicated PostgreSQL database, created, migrated and described here.

Only databases whose name starts with ``humanitarian_bench`` are ever created or dropped, so the
bench cannot touch the project's test databases or anything else on the server.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager

import psycopg
from psycopg import sql

ADMIN_URL = os.environ.get(
    "HUMANITARIAN_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
DB_NAME = os.environ.get("HUMANITARIAN_BENCH_DB", "humanitarian_bench")


def _guard(name: str) -> str:
    if not name.startswith("humanitarian_bench"):
        raise SystemExit(
            f"refusing to use database {name!r}: bench databases are humanitarian_bench*"
        )
    return name


def conninfo(name: str = DB_NAME) -> str:
    """libpq URL of the bench database (psycopg)."""
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + _guard(name)


def sqlalchemy_url(name: str = DB_NAME) -> str:
    """The same database as the app's HUMANITARIAN_DATABASE_URL."""
    return conninfo(name).replace("postgresql://", "postgresql+psycopg://", 1)


def connect(database: str = DB_NAME, **kw) -> psycopg.Connection:
    return psycopg.connect(conninfo(database), **kw)


@contextmanager
def scratch_copy(suffix: str):
    """A throw-away copy of the bench database, named ``<bench>_<suffix>``, dropped afterwards.

    Cases that write (ingest) work in a copy, so the dataset stays as generated without
    deleting anything: ``audit_events`` is append-only, and so is every log the product
    keeps. ``CREATE DATABASE … TEMPLATE`` needs the source to have no other sessions; the
    bench's own pools are closed by then, and a leftover from a killed run is ended here."""
    name = _guard(f"{DB_NAME}_{suffix}")
    target, source = sql.Identifier(name), sql.Identifier(DB_NAME)
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(target))
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (DB_NAME,),
        )
        # FILE_COPY copies the files after a checkpoint instead of WAL-logging every block.
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(target, source)
        )
    try:
        yield name
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(target))


def recreate() -> None:
    """Drop and create the bench database (closing any connection a killed run left open)."""
    name = sql.Identifier(_guard(DB_NAME))
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def exists() -> bool:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone()
    return row is not None


def make_app(**overrides):
    """The product app bound to the bench database (for migrations and service calls)."""
    from humanitarian import create_app
    from humanitarian.config import Config

    config = Config.from_env(
        {},
        DATABASE_URL=sqlalchemy_url(),
        SECRET_KEY="bench-not-secret",
        **overrides,
    )
    return create_app(config)


def migrate() -> None:
    """Bring the schema to the head revision with the project's own Alembic migrations."""
    from flask_migrate import upgrade

    from humanitarian.extensions import db

    app = make_app()
    with app.app_context():
        upgrade()
        db.engine.dispose()


@contextmanager
def app_context(**overrides):
    from humanitarian.extensions import db

    app = make_app(**overrides)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def describe(meta: dict) -> None:
    """Remember what was generated (sizes, seed) on the database itself."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(DB_NAME), sql.Literal(json.dumps(meta, sort_keys=True))
            )
        )


def description() -> dict | None:
    """The metadata ``describe`` stored, or None if the database is missing or incomplete."""
    if not exists():
        return None
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            (DB_NAME,),
        ).fetchone()
    try:
        meta = json.loads(row[0]) if row and row[0] else None
    except ValueError:
        return None
    return meta if meta and meta.get("complete") else None


def server_info() -> dict:
    with connect() as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        settings = dict(
            conn.execute(
                "SELECT name, setting || COALESCE(unit, '') FROM pg_settings WHERE name = ANY(%s)",
                (
                    [
                        "shared_buffers",
                        "work_mem",
                        "effective_cache_size",
                        "random_page_cost",
                        "max_parallel_workers_per_gather",
                        "synchronous_commit",
                        "jit",
                    ],
                ),
            ).fetchall()
        )
        size = conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()
    return {"version": version, "settings": settings, "size": size[0]}
