"""Database-level guards that the ORM cannot express.

``audit_events`` is append-only: triggers refuse UPDATE and DELETE on both databases, so not even
a stray script or a future bug can rewrite the trail. (PostgreSQL's TRUNCATE is a separate
privilege; production roles should not be granted it.)
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$ LANGUAGE plpgsql
"""
_PG_TRIGGER = """
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()
"""
_SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
       BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END""",
    """CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
       BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END""",
]


def create_audit_guard(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(_PG_FUNCTION)
        conn.exec_driver_sql(_PG_TRIGGER)
    else:
        for ddl in _SQLITE_TRIGGERS:
            conn.exec_driver_sql(ddl)


def drop_audit_guard(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS audit_events_append_only()")
    else:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_update")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_delete")
