"""Bearer tokens, scopes and sensitivity grants: 401, 403 and 404 exactly as the contract says."""

import re

import pytest
from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import ApiToken, AuditEvent
from humanitarian.services import Actor, record_incident, revoke_token
from tests import factories as f
from tests.support import committed

from .conftest import INCIDENT


def _seed(system):
    public = record_incident(system, f.incident(title="Public strike"))
    partner = record_incident(system, f.incident(title="Partner strike", sensitivity="partner"))
    restricted = record_incident(
        system, f.incident(title="Restricted strike", sensitivity="restricted")
    )
    return public, partner, restricted


def _titles(response):
    return sorted(i["title"] for i in response.get_json()["items"])


def test_anonymous_reads_public_data_only(client, system):
    public, partner, _ = _seed(system)
    response = client.get("/api/v1/incidents")
    assert response.status_code == 200
    assert _titles(response) == ["Public strike"]
    assert client.get(f"/api/v1/incidents/{public.id}").status_code == 200
    hidden = client.get(f"/api/v1/incidents/{partner.id}")
    assert hidden.status_code == 404
    assert hidden.content_type == "application/problem+json"


def test_anonymous_cannot_append(client):
    response = client.post("/api/v1/incidents", json=INCIDENT)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["status"] == 401


def test_wrong_malformed_or_revoked_token_is_401_even_for_public_reads(client, make_token):
    for header in ("Bearer hum_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer ", "token"):
        response = client.get("/api/v1/incidents", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.content_type == "application/problem+json"
    token = make_token("read")
    assert client.get("/api/v1/incidents", headers=token.headers).status_code == 200
    revoke_token(Actor.system("test"), token.id)
    assert client.get("/api/v1/incidents", headers=token.headers).status_code == 401


def test_missing_scope_is_403(client, make_token):
    reader = make_token("read")
    response = client.post("/api/v1/incidents", json=INCIDENT, headers=reader.headers)
    assert response.status_code == 403
    assert "append" in response.get_json()["detail"]
    appender = make_token("append")
    assert client.get("/api/v1/incidents", headers=appender.headers).status_code == 403


def test_grant_limits_what_a_token_sees(client, system, make_token):
    _public, partner, restricted = _seed(system)
    partner_token = make_token("read", "partner")
    assert _titles(client.get("/api/v1/incidents", headers=partner_token.headers)) == [
        "Partner strike",
        "Public strike",
    ]
    url = f"/api/v1/incidents/{restricted.id}"
    assert client.get(url, headers=partner_token.headers).status_code == 404
    restricted_token = make_token("read", "restricted")
    assert client.get(url, headers=restricted_token.headers).status_code == 200
    assert client.get(f"/api/v1/incidents/{partner.id}", headers=partner_token.headers).is_json


def test_cannot_write_above_own_grant(client, make_token):
    token = make_token("read,append", "partner")
    body = INCIDENT | {"sensitivity": "restricted"}
    response = client.post("/api/v1/incidents", json=body, headers=token.headers)
    assert response.status_code == 403


def test_token_use_updates_last_used_and_audits_once_per_interval(client, make_token):
    token = make_token("read")
    for _ in range(3):
        assert client.get("/api/v1/incidents", headers=token.headers).status_code == 200
    stored = db.session.get(ApiToken, token.id)
    db.session.refresh(stored)
    assert stored.last_used_at is not None
    uses = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "token.use", AuditEvent.api_token_id == token.id
        )
    ).all()
    assert len(uses) == 1
    assert uses[0].details == {"method": "GET", "path": "/api/v1/incidents"}
    assert uses[0].ip == "127.0.0.1" and uses[0].request_id


def test_writes_are_audited_with_token_request_id_and_ip(client, make_token):
    token = make_token("read,append")
    response = client.post(
        "/api/v1/incidents", json=INCIDENT, headers=token.headers | {"X-Request-ID": "req-42"}
    )
    assert response.status_code == 201
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "incident.create")
    ).one()
    assert event.api_token_id == token.id
    assert event.request_id == "req-42" and event.ip == "127.0.0.1"
    assert event.entity_id == response.get_json()["id"]


@pytest.mark.parametrize(
    "sent, kept",
    [
        ("a" * 64, True),  # the longest id kept
        ("a" * 65, False),  # one character more: replaced, not cut to 64
        ("b" * 64 + "-extra", False),
        ("", False),
    ],
    ids=["64 kept", "65 replaced", "70 replaced", "empty replaced"],
)
def test_x_request_id_is_kept_only_whole(client, make_token, sent, kept):
    """The caller's id goes into the audit row only if the whole of it is acceptable: a
    truncated id would look like theirs and match none of their logs."""
    token = make_token("read,append")
    response = client.post(
        "/api/v1/incidents", json=INCIDENT, headers=token.headers | {"X-Request-ID": sent}
    )
    assert response.status_code == 201
    echoed = response.headers["X-Request-ID"]
    (event,) = committed(select(AuditEvent).where(AuditEvent.action == "incident.create"))
    assert event.request_id == echoed
    if kept:
        assert echoed == sent
    else:
        assert re.fullmatch("[0-9a-f]{32}", echoed) and not sent.startswith(echoed)
