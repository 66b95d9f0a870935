"""Every kind of audited action through the web pages leaves a row with the user and their
organisation, the time, and the request id the browser received in ``X-Request-ID``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import AuditEvent, Facility, Incident, PopulationMovement, utcnow
from humanitarian.services import (
    Actor,
    create_facility,
    record_incident,
    record_movement,
    set_infrastructure_status,
)
from tests import factories as f

from .conftest import PASSWORD, Staff, hidden, incident_form


def _events(action: str) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(stmt))


def _check(event: AuditEvent, response, user) -> None:
    assert event.user_id == user.id
    assert event.api_token_id is None
    assert event.organization_id == user.organization_id
    assert event.request_id == response.headers["X-Request-ID"]
    assert event.ip == "127.0.0.1"
    assert utcnow() - timedelta(minutes=1) < event.occurred_at <= utcnow()


def test_sign_in_failure_and_sign_out(app, users):
    person = Staff(app.test_client())
    failed = person.login("reporter@field.test", "not-the-password")
    assert failed.status_code == 401
    (event,) = _events("login.failed")
    # Nobody is signed in yet: the account is the subject of the row, not its actor.
    assert (event.entity_type, event.entity_id) == ("user", str(users["reporter"].id))
    assert event.user_id is None and event.request_id == failed.headers["X-Request-ID"]

    signed_in = person.login("reporter@field.test", PASSWORD)
    assert signed_in.status_code == 302
    _check(_events("login")[0], signed_in, users["reporter"])

    page = person.page("/")
    signed_out = person.client.post("/logout", data={"csrf_token": hidden(page, "csrf_token")})
    assert signed_out.status_code == 302
    _check(_events("logout")[0], signed_out, users["reporter"])


def test_records_entered_and_corrected_through_forms(sign_in, users):
    reporter, user = sign_in("reporter"), users["reporter"]
    created = reporter.submit("/incidents/new", incident_form())
    (event,) = _events("incident.create")
    _check(event, created, user)
    incident = db.session.scalars(select(Incident)).one()
    assert event.entity_id == str(incident.id) and event.report_id == incident.report_id

    url = created.headers["Location"] + "/correct"
    corrected = reporter.submit(url, {**incident_form(killed="5"), "reason": "Hospital figures"})
    assert corrected.status_code == 303
    _check(_events("incident.correct")[0], corrected, user)

    facility_form = {
        "name": "Idleb central bakery",
        "name_ar": "مخبز إدلب المركزي",
        "facility_type": "other",
        "admin_pcode": "SY0700",
        "sensitivity": "public",
    }
    added = reporter.submit("/facilities/new", facility_form)
    _check(_events("facility.create")[0], added, user)
    facility = db.session.scalars(select(Facility)).one()
    status_form = {
        "damage": "partially_damaged",
        "effective_from": "2024-12-02T09:30",
        "sensitivity": "public",
    }
    changed = reporter.submit(f"/facilities/{facility.id}/statuses/new", status_form)
    assert changed.status_code == 303
    _check(_events("status.set")[0], changed, user)

    movement_form = {
        "movement_type": "return",
        "destination_pcode": "SY02",
        "period_start": "2024-12-01",
        "period_end": "2024-12-04",
        "households": "40",
        "estimate_method": "key_informant",
        "sensitivity": "public",
    }
    moved = reporter.submit("/movements/new", movement_form)
    _check(_events("movement.create")[0], moved, user)
    assert _events("movement.create")[0].entity_id == str(
        db.session.scalars(select(PopulationMovement)).one().id
    )


def test_verification_from_the_queue(sign_in, users):
    system = Actor.system("test")
    incident = record_incident(system, f.incident())
    facility = create_facility(system, f.facility())
    status = set_infrastructure_status(system, facility.id, f.status("closed"))
    movement = record_movement(system, f.movement())
    verifier = sign_in("verifier")
    for kind, record, action in (
        ("incidents", incident, "incident.correct"),
        ("statuses", status, "status.verify"),
        ("movements", movement, "movement.verify"),
    ):
        page = verifier.page("/review")
        response = verifier.client.post(
            f"/review/{kind}/{record.id}",
            data={
                "verification": "verified",
                "note": "",
                "next": "/review",
                "csrf_token": hidden(page, "csrf_token"),
            },
        )
        assert response.status_code == 303, kind
        (event,) = _events(action)
        _check(event, response, users["verifier"])


def test_restricted_pages_are_audited_once_per_record_and_request(sign_in, users):
    system = Actor.system("test")
    secret = record_incident(system, f.incident(title="Secret", sensitivity="restricted"))
    depot = create_facility(system, f.facility(name="Depot", sensitivity="restricted"))
    flow = record_movement(system, f.movement(sensitivity="restricted"))
    admin, user = sign_in("admin"), users["admin"]
    for url, action, record in (
        (f"/incidents/{secret.id}", "incident.view_restricted", secret),
        (f"/facilities/{depot.id}", "facility.view_restricted", depot),
        (f"/movements/{flow.id}", "movement.view_restricted", flow),
    ):
        response = admin.get(url)
        assert response.status_code == 200, url
        # The incident page loads the incident twice (record and history): still one row.
        (event,) = _events(action)
        _check(event, response, user)
        assert event.entity_id == str(record.id)
    listing = admin.get("/incidents")
    assert "Secret" in listing.get_data(as_text=True)
    _check(_events("incident.view_restricted")[-1], listing, user)
    # A reporter (partner grant) never sees it, so nothing is recorded for them.
    reporter = sign_in("reporter")
    assert reporter.get(f"/incidents/{secret.id}").status_code == 404
    assert all(e.user_id == user.id for e in _events("incident.view_restricted"))


def test_sitrep_generated_and_downloaded_on_the_web(app, sign_in, users):
    verifier = sign_in("verifier")
    page = verifier.page("/sitreps/")
    form = {
        "admin_pcode": "SY07",
        "period_start": "2024-11-27",
        "period_end": "2024-12-04",
        "audience": "public",
        "csrf_token": hidden(page, "csrf_token"),
    }
    generated = verifier.client.post("/sitreps/generate", data=form)
    assert generated.status_code == 302
    (event,) = _events("sitrep.generate")
    _check(event, generated, users["verifier"])
    download = verifier.get(f"/sitreps/{event.entity_id}.pdf")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    _check(_events("sitrep.download")[0], download, users["verifier"])


@pytest.mark.parametrize("query", ["", "?action=login"])
def test_opening_the_audit_page(sign_in, users, query):
    admin = sign_in("admin")
    response = admin.get("/admin/audit" + query)
    assert response.status_code == 200
    (event,) = _events("audit.read")
    _check(event, response, users["admin"])
