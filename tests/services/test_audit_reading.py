"""Reading the audit trail through the service: admins only, and every read is recorded."""

import pytest
from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import AuditEvent
from humanitarian.models.enums import Sensitivity
from humanitarian.services import (
    Actor,
    AuditFilter,
    InvalidCursor,
    NotAuthenticated,
    PermissionDenied,
    list_audit_events,
    record_incident,
)
from tests import factories as f


def _admin() -> Actor:
    return f.actor(Sensitivity.restricted, scopes=("read", "admin"))


def test_only_the_admin_scope_may_read(app):
    record_incident(f.actor(), f.incident())
    with pytest.raises(NotAuthenticated):
        list_audit_events(Actor.anonymous(), AuditFilter())
    with pytest.raises(PermissionDenied):
        list_audit_events(f.actor(scopes=("read", "append", "verify")), AuditFilter())
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions == ["incident.create"]  # refused reads leave the trail untouched


def test_a_read_is_recorded_with_its_filters(app):
    record_incident(f.actor(), f.incident())
    page = list_audit_events(_admin(), AuditFilter(actions=["incident.create"]), limit=10)
    assert [e.action for e in page.items] == ["incident.create"]
    read = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.read")).one()
    assert read.details == {"filters": {"actions": ["incident.create"]}, "export": False}


def test_pages_follow_the_ids_downwards(app):
    for n in range(5):
        record_incident(f.actor(), f.incident(title=f"Strike {n}"))
    first = list_audit_events(_admin(), AuditFilter(actions=["incident.create"]), limit=3)
    second = list_audit_events(
        _admin(), AuditFilter(actions=["incident.create"]), limit=3, cursor=first.next_cursor
    )
    ids = [e.id for e in first.items + second.items]
    assert len(ids) == 5 and ids == sorted(ids, reverse=True)
    assert second.next_cursor is None
    with pytest.raises(InvalidCursor):
        list_audit_events(_admin(), AuditFilter(), cursor="WyLCsiJd")  # ["²"]
