"""A retracted record leaves every output: lists in every format, items, summaries, the
dashboard, maps, the review queue, sitrep content and the feed. Administrators still open it,
marked retracted, with its history; the audit trail says who and why; archived sitreps stay
as published and their listing says a record in them was later retracted."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import AuditEvent, Incident
from humanitarian.models.enums import Scope, Sensitivity
from humanitarian.services import (
    Actor,
    create_facility,
    create_token,
    generate_sitrep,
    record_incident,
    record_movement,
    set_infrastructure_status,
)
from humanitarian.services.retraction import retract_record
from humanitarian.services.sitrep_content import build_content
from humanitarian.services.sitrep_files import archive_root
from tests import factories as f

STAFF = Actor.system("retraction tests")
GONE, KEPT = "Qxgone3318", "Qxkept7702"
GONE_KILLED, GONE_PEOPLE = 9413, 87651
FORMATS = ("json", "csv", "hxl", "geojson")


@pytest.fixture
def world(app):
    kept = record_incident(STAFF, f.incident(title=f"Shelling {KEPT}", sensitivity="public"))
    gone = record_incident(
        STAFF, f.incident(title=f"Strike {GONE}", killed=GONE_KILLED, sensitivity="public")
    )
    facility = create_facility(STAFF, f.facility(sensitivity="public"))
    set_infrastructure_status(
        STAFF, facility.id, f.status("operational", details="open", sensitivity="public")
    )
    later = datetime(2024, 12, 3, 8, tzinfo=UTC)
    entry = set_infrastructure_status(
        STAFF, facility.id, f.status("closed", when=later, details=GONE, sensitivity="public")
    )
    flow = record_movement(
        STAFF,
        f.movement(individuals=GONE_PEOPLE, description=GONE, sensitivity="public"),
    )
    return {"kept": kept, "incident": gone, "facility": facility, "status": entry, "movement": flow}


def token(scopes: str, grant: str = "partner") -> dict:
    _, secret = create_token(
        STAFF, "Partner NGO", [Scope(s) for s in scopes.split(",")], Sensitivity(grant)
    )
    return {"Authorization": f"Bearer {secret}"}


def retract_all(world) -> None:
    verifier = f.actor(Sensitivity.partner, scopes=("read", "verify"))
    retract_record(verifier, "incident", world["incident"].id, "fabricated")
    retract_record(verifier, "status", world["status"].id, "wrong facility")
    retract_record(verifier, "movement", world["movement"].id, "double counted")


def test_retracted_records_leave_every_api_output(client, world):
    reader = token("read")
    retract_all(world)
    for path in ("incidents", "movements", "facilities"):
        for fmt in FORMATS:
            for limit in ("50", "all"):
                url = f"/api/v1/{path}?format={fmt}&limit={limit}"
                body = client.get(url, headers=reader).get_data(as_text=True)
                assert GONE not in body, url
                assert str(world["incident"].id) not in body, url
                assert str(world["movement"].id) not in body, url
    listed = client.get("/api/v1/incidents", headers=reader).get_json()["items"]
    assert [i["id"] for i in listed] == [str(world["kept"].id)]
    summary = client.get(
        "/api/v1/summary?admin_pcode=SY&since=2024-11-01&until=2024-12-31", headers=reader
    ).get_json()
    assert summary["killed"] == world["kept"].killed
    assert summary["displaced_individuals"] == 0
    assert summary["facilities_by_access"] == {"open": 1}
    assert GONE not in str(summary["latest_status_changes"])
    facility = client.get(f"/api/v1/facilities/{world['facility'].id}", headers=reader).json
    assert facility["current_status"]["access"] == "open"
    history = client.get(f"/api/v1/facilities/{world['facility'].id}/statuses", headers=reader)
    assert [s["access"] for s in history.json["items"]] == ["open"]
    for url in (
        f"/api/v1/incidents/{world['incident'].id}",
        f"/api/v1/movements/{world['movement'].id}",
    ):
        assert client.get(url, headers=reader).status_code == 404
        assert client.get(url).status_code == 404
    assert (
        client.get(
            f"/api/v1/incidents/{world['incident'].id}/revisions", headers=reader
        ).status_code
        == 404
    )


def test_administrators_still_see_it_marked_with_its_history(client, world):
    admin = token("read,admin", "restricted")
    retract_all(world)
    incident = client.get(f"/api/v1/incidents/{world['incident'].id}", headers=admin).json
    assert incident["retraction_reason"] == "fabricated" and incident["retracted_at"]
    revisions = client.get(f"/api/v1/incidents/{world['incident'].id}/revisions", headers=admin)
    assert revisions.status_code == 200 and len(revisions.json["items"]) == 1
    history = client.get(f"/api/v1/facilities/{world['facility'].id}/statuses", headers=admin)
    marked = {s["access"]: s["retraction_reason"] for s in history.json["items"]}
    assert marked == {"open": None, "closed": "wrong facility"}
    # Admins' lists and figures leave it out too: retraction is not a filter of the reader.
    listed = client.get("/api/v1/incidents", headers=admin).get_json()["items"]
    assert str(world["incident"].id) not in [i["id"] for i in listed]


def test_the_audit_trail_says_who_and_why(app, world):
    retract_all(world)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("%.retract")).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.entity_id, e.details["reason"]) for e in events] == [
        ("incident.retract", str(world["incident"].id), "fabricated"),
        ("status.retract", str(world["status"].id), "wrong facility"),
        ("movement.retract", str(world["movement"].id), "double counted"),
    ]
    assert all(e.report_id is not None for e in events)


def test_retraction_needs_the_verify_scope_a_reason_and_the_grant(client, world):
    record = world["incident"]
    url = f"/api/v1/incidents/{record.id}/retraction"
    assert client.post(url, json={"reason": "x"}).status_code == 401
    assert client.post(url, json={"reason": "x"}, headers=token("read,append")).status_code == 403
    verifier = token("read,verify")
    missing = client.post(url, json={}, headers=verifier)
    assert missing.status_code == 422 and "reason" in missing.get_json()["errors"]
    blank = client.post(url, json={"reason": "  "}, headers=verifier)
    assert blank.status_code == 422
    secret = record_incident(STAFF, f.incident(sensitivity="restricted"))
    hidden = client.post(
        f"/api/v1/incidents/{secret.id}/retraction", json={"reason": "x"}, headers=verifier
    )
    assert hidden.status_code == 404
    done = client.post(url, json={"reason": "fabricated"}, headers=verifier)
    assert done.status_code == 201 and done.json["retraction_reason"] == "fabricated"
    assert db.session.get(Incident, record.id).retracted_at is not None
    # A retracted record can no longer be corrected or verified.
    assert client.post(url, json={"reason": "again"}, headers=verifier).status_code == 404


def test_retracted_records_leave_the_web_pages_and_maps(sign_in, world):
    retract_all(world)
    viewer = sign_in("viewer")
    for url in (
        "/",
        "/incidents",
        "/movements",
        "/facilities",
        f"/facilities/{world['facility'].id}",
        "/incidents?format=map",
    ):
        response = viewer.get(url)
        if response.status_code == 200:
            assert GONE not in response.get_data(as_text=True), url
            assert str(world["incident"].id) not in response.get_data(as_text=True), url
    assert viewer.get(f"/incidents/{world['incident'].id}").status_code == 404
    assert KEPT in viewer.page("/incidents")
    verifier = sign_in("verifier")
    assert GONE not in verifier.page("/review")


def test_the_web_retracts_after_confirmation(sign_in, world, app):
    verifier = sign_in("verifier")
    page = verifier.page(f"/retract/incidents/{world['incident'].id}")
    assert "This cannot be undone" in page and GONE in page
    refused = verifier.submit(f"/retract/incidents/{world['incident'].id}", {"reason": ""})
    assert refused.status_code == 422
    assert db.session.get(Incident, world["incident"].id).retracted_at is None
    done = verifier.submit(f"/retract/incidents/{world['incident'].id}", {"reason": "made up"})
    assert done.status_code == 303 and done.headers["Location"].endswith("/incidents")
    db.session.expire_all()
    assert db.session.get(Incident, world["incident"].id).retraction_reason == "made up"
    admin = sign_in("admin")
    shown = admin.page(f"/incidents/{world['incident'].id}")
    assert "Retracted" in shown and "made up" in shown
    status = admin.submit(f"/retract/statuses/{world['status'].id}", {"reason": "wrong"})
    assert status.status_code == 303
    assert "retracted" in admin.page(f"/facilities/{world['facility'].id}")


def test_sitreps_leave_it_out_and_archived_editions_say_so(client, sign_in, world):
    period = (date(2024, 11, 27), date(2024, 12, 4))
    before = generate_sitrep(STAFF, "SY07", *period, "public")
    pdf = archive_root() / before.file_path
    checksum = hashlib.sha256(pdf.read_bytes()).hexdigest()
    retract_all(world)
    content = build_content("SY07", *period, Sensitivity.public, datetime.now(UTC))
    shown = {(kind, record.id) for kind, record in content.shown()}
    assert ("incident", world["incident"].id) not in shown
    assert ("incident", world["kept"].id) in shown
    listed = client.get("/api/v1/sitreps").get_json()["items"]
    assert [(s["id"], s["retracted_records"]) for s in listed] == [(str(before.id), 1)]
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == checksum == before.checksum_sha256
    page = sign_in("viewer").page("/sitreps/")
    assert "1 record in this report was later retracted" in page


def test_the_feed_announces_it_without_the_record(client, world):
    reader = token("read")
    retract_all(world)
    items = client.get("/api/v1/changes?limit=100", headers=reader).get_json()["items"]
    retracted = [i for i in items if i["action"] == "retracted"]
    assert {(i["kind"], i["record_id"]) for i in retracted} == {
        ("incident", str(world["incident"].id)),
        ("status", str(world["status"].id)),
        ("movement", str(world["movement"].id)),
    }
    assert all(i["record"] is None for i in retracted)
    assert GONE not in str(items)
