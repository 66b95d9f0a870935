"""Every kind of audited action through the API leaves a row with the actor (token and its
organisation), the time, and the request id the client saw in ``X-Request-ID``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import ApiToken, AuditEvent, utcnow
from humanitarian.services import create_facility, record_incident, record_movement
from tests import factories as f

from .conftest import INCIDENT, MOVEMENT
from .test_facilities import FACILITY


def _events(action: str) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(stmt))


def _check(event: AuditEvent, response, token) -> None:
    """The row names the token and its organisation, the time, and the response's request id."""
    assert event.api_token_id == token.id
    assert event.user_id is None
    assert event.organization_id == db.session.get(ApiToken, token.id).organization_id
    assert event.request_id == response.headers["X-Request-ID"]
    assert event.ip == "127.0.0.1"
    assert utcnow() - timedelta(minutes=1) < event.occurred_at <= utcnow()


@pytest.fixture
def partner(make_token):
    return make_token("read,append", "partner")


@pytest.mark.parametrize(
    "path, body, action",
    [
        ("/api/v1/incidents", INCIDENT, "incident.create"),
        ("/api/v1/movements", MOVEMENT, "movement.create"),
        ("/api/v1/facilities", FACILITY, "facility.create"),
    ],
)
def test_appends(client, partner, path, body, action):
    response = client.post(path, json=body, headers=partner.headers)
    assert response.status_code == 201
    (event,) = _events(action)
    _check(event, response, partner)
    assert event.entity_id == response.get_json()["id"]
    assert str(event.report_id) == response.get_json()["report_id"]


def test_batch_append_audits_every_item(client, partner):
    batch = {"items": [INCIDENT, {**INCIDENT, "title": "Second strike"}]}
    response = client.post("/api/v1/incidents", json=batch, headers=partner.headers)
    events = _events("incident.create")
    assert [e.entity_id for e in events] == [i["id"] for i in response.get_json()["items"]]
    for event in events:
        _check(event, response, partner)


def test_correction_and_status_change(client, partner, system):
    incident = record_incident(system, f.incident(sensitivity="partner"))
    correction = {**INCIDENT, "killed": 5, "reason": "hospital figures"}
    response = client.post(
        f"/api/v1/incidents/{incident.id}/revisions", json=correction, headers=partner.headers
    )
    assert response.status_code == 201
    (event,) = _events("incident.correct")
    _check(event, response, partner)
    assert event.entity_id == str(incident.id)

    airport = create_facility(system, f.facility())
    status = {"access": "closed", "effective_from": "2024-12-01T08:00:00Z"}
    response = client.post(
        f"/api/v1/facilities/{airport.id}/statuses", json=status, headers=partner.headers
    )
    assert response.status_code == 201
    (event,) = _events("status.set")
    _check(event, response, partner)


def test_restricted_reads_one_row_per_record_shown(client, make_token, system):
    reader = make_token("read", "restricted")
    secret = record_incident(system, f.incident(title="Secret", sensitivity="restricted"))
    record_incident(system, f.incident(title="Open", sensitivity="partner"))
    depot = create_facility(system, f.facility(name="Depot", sensitivity="restricted"))
    flow = record_movement(system, f.movement(sensitivity="restricted"))
    for path, action, entity_id in (
        (f"/api/v1/incidents/{secret.id}", "incident.view_restricted", secret.id),
        (f"/api/v1/facilities/{depot.id}", "facility.view_restricted", depot.id),
        (f"/api/v1/movements/{flow.id}", "movement.view_restricted", flow.id),
    ):
        response = client.get(path, headers=reader.headers)
        assert response.status_code == 200
        (event,) = _events(action)
        _check(event, response, reader)
        assert event.entity_id == str(entity_id)
    # A list page showing the restricted incident: one more row for it, none for the other.
    listing = client.get("/api/v1/incidents", headers=reader.headers)
    assert len(listing.get_json()["items"]) == 2
    *_, listed = _events("incident.view_restricted")
    _check(listed, listing, reader)
    assert listed.entity_id == str(secret.id)
    # Partner data is not "restricted": reading it adds nothing.
    assert len(_events("incident.view_restricted")) == 2


def test_partner_reads_are_not_restricted_views(client, partner, system):
    record_incident(system, f.incident(sensitivity="partner"))
    assert client.get("/api/v1/incidents", headers=partner.headers).status_code == 200
    restricted_views = select(AuditEvent).where(AuditEvent.action.like("%.view_restricted"))
    assert db.session.scalars(restricted_views).all() == []


@pytest.mark.parametrize("query", ["format=csv", "format=hxl", "format=geojson", "limit=all"])
def test_exports(client, partner, system, query):
    record_incident(system, f.incident())
    response = client.get(f"/api/v1/incidents?{query}", headers=partner.headers)
    assert response.status_code == 200
    response.get_data()  # a streamed export runs to the end
    (event,) = _events("export")
    _check(event, response, partner)
    assert event.entity_type == "incidents"


def test_token_use_is_recorded_with_the_first_request(client, partner):
    first = client.get("/api/v1/summary", headers=partner.headers)
    client.get("/api/v1/summary", headers=partner.headers)
    (event,) = _events("token.use")  # then at most once a minute
    _check(event, first, partner)
    assert event.details == {"method": "GET", "path": "/api/v1/summary"}


def test_sitrep_download(client, partner, app):
    from .test_sitreps import _archived

    sitrep = _archived(app, "SY02", "2024-11-27", "2024-12-03", "partner")
    response = client.get(f"/api/v1/sitreps/{sitrep.id}.pdf", headers=partner.headers)
    assert response.status_code == 200
    (event,) = _events("sitrep.download")
    _check(event, response, partner)


def test_reading_the_trail(client, make_token):
    admin = make_token("read,admin", "restricted")
    since = datetime(2024, 1, 1, tzinfo=UTC).isoformat()
    response = client.get("/api/v1/audit", query_string={"since": since}, headers=admin.headers)
    (event,) = _events("audit.read")
    _check(event, response, admin)
