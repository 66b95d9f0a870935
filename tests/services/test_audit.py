import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DatabaseError

from humanitarian.extensions import db
from humanitarian.models import AuditEvent
from humanitarian.services import record_incident
from tests import factories as f


def test_audit_trail_refuses_update_and_delete_at_database_level(app):
    record_incident(f.actor(), f.incident())
    (event,) = db.session.scalars(select(AuditEvent)).all()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(delete(AuditEvent))
    db.session.rollback()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(update(AuditEvent).values(action="tampered"))
    db.session.rollback()
    assert db.session.scalars(select(AuditEvent.action)).all() == ["incident.create"]
