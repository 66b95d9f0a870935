"""/api/v1/sitrep-schedules: create, read, change and stop schedules; who may do what."""

from __future__ import annotations

import uuid
from datetime import UTC

from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import AuditEvent, SitrepSchedule

URL = "/api/v1/sitrep-schedules"
WEEKLY = {
    "name": "Idleb weekly for donors",
    "admin_pcode": "SY07",
    "cadence": "weekly",
    "weekday": "mon",
    "run_time": "06:00",
    "recipients": ["Donor@Example.org", "partner@example.org", "donor@example.org"],
}


def test_an_admin_creates_reads_changes_and_stops_a_schedule(client, make_token):
    admin = make_token("read,admin", "partner").headers
    created = client.post(URL, json=WEEKLY, headers=admin)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert created.headers["Location"] == f"{URL}/{body['id']}"
    assert body["timezone"] == "Asia/Damascus" and body["audience"] == "public"
    assert body["language"] == "en" and body["active"] is True
    # Addresses are kept once, lower-cased.
    assert [r["email"] for r in body["recipients"]] == ["donor@example.org", "partner@example.org"]
    # Mondays 06:00 in Damascus (UTC+3) are 03:00 UTC.
    assert body["next_run_at"].endswith("T03:00:00+00:00")

    listed = client.get(URL, headers=admin).get_json()["items"]
    assert [s["id"] for s in listed] == [body["id"]]

    changed = client.patch(
        f"{URL}/{body['id']}",
        json={"cadence": "monthly", "language": "ar", "recipients": ["new@example.org"]},
        headers=admin,
    )
    assert changed.status_code == 200, changed.get_json()
    after = changed.get_json()
    assert after["cadence"] == "monthly" and after["weekday"] is None and after["language"] == "ar"
    assert [r["email"] for r in after["recipients"]] == ["new@example.org"]
    assert after["next_run_at"][8:] == "01T03:00:00+00:00"  # the 1st, 06:00 in Damascus

    stopped = client.delete(f"{URL}/{body['id']}", headers=admin)
    assert stopped.status_code == 200 and stopped.get_json()["active"] is False
    assert stopped.get_json()["next_run_at"] is None
    assert client.get(f"{URL}/{body['id']}/deliveries", headers=admin).get_json() == {"items": []}
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.entity_type == "sitrep_schedule")
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["sitrep_schedule.create", "sitrep_schedule.update", "sitrep_schedule.stop"]


def test_bad_schedules_are_refused_with_the_field_named(client, make_token):
    admin = make_token("read,admin", "restricted").headers
    cases = {
        "weekday": {**WEEKLY, "weekday": None},
        "timezone": {**WEEKLY, "timezone": "Mars/Olympus"},
        "recipients": {**WEEKLY, "recipients": ["not-an-address"]},
        "admin_pcode": {**WEEKLY, "admin_pcode": "SY9999"},
        "run_time": {**WEEKLY, "run_time": "25:00"},
        "cadence": {**WEEKLY, "cadence": "hourly"},
        "colour": {**WEEKLY, "colour": "blue"},
    }
    for field, body in cases.items():
        answer = client.post(URL, json=body, headers=admin)
        assert answer.status_code == 422, (field, answer.get_json())
        assert answer.content_type == "application/problem+json"
        assert field in answer.get_json()["errors"], (field, answer.get_json())
    assert db.session.scalars(select(SitrepSchedule)).all() == []


def test_only_admins_within_their_grant_manage_schedules(client, make_token):
    restricted_admin = make_token("read,admin", "restricted").headers
    partner_admin = make_token("read,admin", "partner").headers
    reader = make_token("read,append,verify", "restricted").headers
    secret = client.post(URL, json={**WEEKLY, "audience": "restricted"}, headers=restricted_admin)
    assert secret.status_code == 201
    secret_id = secret.get_json()["id"]
    # A partner admin can neither create a restricted schedule nor learn that one exists.
    assert (
        client.post(
            URL, json={**WEEKLY, "audience": "restricted"}, headers=partner_admin
        ).status_code
        == 403
    )
    assert client.get(URL, headers=partner_admin).get_json() == {"items": []}
    for method in ("get", "patch", "delete"):
        answer = getattr(client, method)(f"{URL}/{secret_id}", json={}, headers=partner_admin)
        assert answer.status_code == 404, method
    assert client.get(f"{URL}/{secret_id}/deliveries", headers=partner_admin).status_code == 404
    assert client.get(URL, headers=reader).status_code == 403
    assert client.post(URL, json=WEEKLY, headers=reader).status_code == 403
    assert client.get(URL).status_code == 401
    assert client.post(URL, json=WEEKLY).status_code == 401


def test_a_schedule_keeps_its_time_in_its_own_zone(client, make_token):
    admin = make_token("read,admin", "partner").headers
    body = {**WEEKLY, "cadence": "daily", "weekday": None, "run_time": "23:30", "timezone": "UTC"}
    created = client.post(URL, json=body, headers=admin).get_json()
    stored = db.session.get(SitrepSchedule, uuid.UUID(created["id"]))
    assert stored.next_run_at.astimezone(UTC).strftime("%H:%M") == "23:30"
