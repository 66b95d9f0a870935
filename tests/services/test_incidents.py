from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from humanitarian.extensions import db
from humanitarian.models import AuditEvent, Incident, IncidentRevision, Report
from humanitarian.models.enums import Sensitivity
from humanitarian.services import (
    Actor,
    BusinessRuleError,
    InvalidCursor,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RecordFilter,
    correct_incident,
    ensure_source,
    get_incident,
    list_incidents,
    record_incident,
    set_incident_verification,
)
from tests import factories as f


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_record_incident_writes_report_revision_and_audit(app):
    source = ensure_source("Syrian Civil Defence", "ngo")
    incident = record_incident(f.actor(), f.incident(source_ids=[source.id]))
    assert incident.revision == 1
    assert [s.name for s in incident.sources] == ["Syrian Civil Defence"]
    report = db.session.get(Report, incident.report_id)
    assert report.record_count == 1 and report.channel == "api"
    (rev,) = incident.revisions
    assert rev.data["title"] == "Air strike on a school" and rev.reason is None
    events = db.session.scalars(select(AuditEvent)).all()
    assert [(e.action, e.entity_id) for e in events] == [("incident.create", str(incident.id))]


def test_unknown_pcode_and_taxonomy_mismatch_write_nothing(app):
    with pytest.raises(BusinessRuleError) as err:
        record_incident(f.actor(), f.incident(location=f.Location("SY9999")))
    assert "admin_pcode" in err.value.errors
    with pytest.raises(BusinessRuleError) as err:
        record_incident(f.actor(), f.incident(sub_event_type="armed_clash"))
    assert "sub_event_type" in err.value.errors
    assert count(Incident) == count(Report) == count(AuditEvent) == 0


def test_database_rejects_negative_counts_even_without_services(app):
    record_incident(f.actor(), f.incident())
    with pytest.raises(IntegrityError):
        db.session.execute(Incident.__table__.update().values(killed=-1))
    db.session.rollback()
    with pytest.raises(IntegrityError):
        db.session.execute(Incident.__table__.update().values(sub_event_type="armed_clash"))
    db.session.rollback()


def test_correction_makes_a_new_revision_with_reason(app):
    incident = record_incident(f.actor(), f.incident(killed=3))
    corrected = correct_incident(f.actor(), incident.id, f.incident(killed=5), "Hospital update")
    assert corrected.revision == 2 and corrected.killed == 5
    revisions = db.session.scalars(
        select(IncidentRevision).order_by(IncidentRevision.revision)
    ).all()
    assert [(r.revision, r.data["killed"], r.reason) for r in revisions] == [
        (1, 3, None),
        (2, 5, "Hospital update"),
    ]
    with pytest.raises(BusinessRuleError):
        correct_incident(f.actor(), incident.id, f.incident(), "  ")


def test_verification_needs_verify_scope(app):
    incident = record_incident(f.actor(), f.incident())
    with pytest.raises(PermissionDenied):
        set_incident_verification(f.actor(), incident.id, "verified")
    verifier = f.actor(scopes=("read", "append", "verify"))
    updated = set_incident_verification(verifier, incident.id, "verified", "two sources")
    assert updated.verification == "verified" and updated.revision == 2
    assert "two sources" in updated.revisions[-1].reason


def test_sensitivity_hides_records_as_not_found(app):
    restricted = record_incident(
        f.actor(Sensitivity.restricted), f.incident(sensitivity="restricted")
    )
    record_incident(f.actor(), f.incident(title="public one"))
    public_reader = Actor.anonymous()
    with pytest.raises(NotFound):
        get_incident(public_reader, restricted.id)
    page = list_incidents(f.actor(Sensitivity.partner), RecordFilter())
    assert [i.title for i in page.items] == ["public one"]
    with pytest.raises(PermissionDenied):
        record_incident(f.actor(Sensitivity.partner), f.incident(sensitivity="restricted"))


def test_anonymous_cannot_append(app):
    with pytest.raises(NotAuthenticated):
        record_incident(Actor.anonymous(), f.incident())


def test_pcode_subtree_and_date_filters(app):
    a = f.actor()
    record_incident(a, f.incident(title="idleb district", location=f.Location("SY0700")))
    record_incident(a, f.incident(title="idleb governorate", location=f.Location("SY07")))
    record_incident(a, f.incident(title="aleppo", location=f.Location("SY0200")))
    record_incident(a, f.incident(title="old", occurred_on=date(2024, 1, 1)))
    titles = lambda flt: sorted(i.title for i in list_incidents(a, flt).items)  # noqa: E731
    assert titles(RecordFilter(admin_pcode="SY07", since=date(2024, 11, 27))) == [
        "idleb district",
        "idleb governorate",
    ]
    assert titles(RecordFilter(admin_pcode="SY0700", since=date(2024, 11, 27))) == [
        "idleb district"
    ]
    assert titles(RecordFilter(until=date(2024, 6, 1))) == ["old"]
    with pytest.raises(NotFound):
        list_incidents(a, RecordFilter(admin_pcode="SY99"))


def test_keyset_pagination_visits_every_row_once(app):
    a = f.actor()
    for day in range(1, 8):
        for n in range(3):
            record_incident(a, f.incident(title=f"{day}-{n}", occurred_on=date(2024, 12, day)))
    seen, cursor = [], None
    while True:
        page = list_incidents(a, RecordFilter(), limit=4, cursor=cursor)
        seen += [i.title for i in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == 21
    assert [int(t.split("-")[0]) for t in seen] == sorted(
        (d for d in range(1, 8) for _ in range(3)), reverse=True
    )
    with pytest.raises(InvalidCursor):
        list_incidents(a, RecordFilter(), cursor="not-a-cursor")
