"""GET /api/v1/audit: the trail for tokens with the admin scope, filtered, paged, JSON or CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from humanitarian.extensions import db
from humanitarian.models import AuditEvent
from humanitarian.models.enums import Role, Scope
from humanitarian.services import Actor, create_token, create_user

from .conftest import INCIDENT

T0 = datetime(2024, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def admin(make_token):
    return make_token("read,admin", "restricted", org="Coordination Hub")


@pytest.fixture
def trail(app):
    """Six known events, one hour apart, oldest first: two staff users, one partner token."""
    staff = [
        create_user(Actor.system("t"), f"staff{n}@field.test", "long-password", Role.viewer, "Org")
        for n in (1, 2)
    ]
    first, second = (user.id for user in staff)
    token, _ = create_token(Actor.system("t"), "Partner NGO", [Scope.read])
    rows = [
        ("incident.create", "incident", "a1", first, None),
        ("login.failed", "user", None, None, None),
        ("incident.correct", "incident", "a1", second, None),
        ("export", "incidents", None, None, token.id),
        ("facility.create", "facility", "f1", first, None),
        ("login", "user", str(second), second, None),
    ]
    for i, (action, entity_type, entity_id, user_id, token_id) in enumerate(rows):
        db.session.execute(
            insert(AuditEvent).values(
                occurred_at=T0 + timedelta(hours=i),
                action=action,
                entity_type=entity_type,
                entity_id=entity_id,
                user_id=user_id,
                api_token_id=token_id,
                request_id=f"req-{i}",
            )
        )
    db.session.commit()
    return {"token_id": str(token.id), "second_user": str(second)}


def _actions(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    # The reader's own 'audit.read' (and its token use) are on the record too; leave them out.
    return [
        e["action"]
        for e in response.get_json()["items"]
        if e["action"] not in {"audit.read", "token.use", "user.create", "token.create"}
    ]


def test_only_the_admin_scope_reads_the_trail(client, make_token, trail):
    assert client.get("/api/v1/audit").status_code == 401
    reader = make_token("read,append,verify", "restricted")
    refused = client.get("/api/v1/audit", headers=reader.headers)
    assert refused.status_code == 403 and "admin" in refused.get_json()["detail"]
    assert refused.content_type == "application/problem+json"
    assert (
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.read")).all() == []
    )


def test_newest_first_and_reading_is_itself_audited(client, admin, trail):
    response = client.get("/api/v1/audit?limit=100", headers=admin.headers)
    items = response.get_json()["items"]
    assert items[0]["action"] == "audit.read"  # recorded before the rows were read
    assert items[0]["api_token_id"] == str(admin.id)
    assert items[0]["request_id"] == response.headers["X-Request-ID"]
    assert _actions(response) == [
        "login",
        "facility.create",
        "export",
        "incident.correct",
        "login.failed",
        "incident.create",
    ]
    ids = [item["id"] for item in items]
    assert ids == sorted(ids, reverse=True)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("action=login", ["login"]),
        ("action=login&action=login.failed", ["login", "login.failed"]),
        ("entity_type=incident", ["incident.correct", "incident.create"]),
        ("entity_type=incident&entity_id=a1&action=incident.create", ["incident.create"]),
        ("actor={second_user}", ["login", "incident.correct"]),
        (
            "since=2024-12-01T10:00:00Z&until=2024-12-01T12:00:00Z",
            ["facility.create", "export", "incident.correct"],
        ),
        ("since=2024-12-01T11:00:00%2B01:00&until=2024-12-01T10:30:00", ["incident.correct"]),
    ],
)
def test_filters(client, admin, trail, query, expected):
    query = query.format(**trail)
    assert _actions(client.get(f"/api/v1/audit?{query}", headers=admin.headers)) == expected


def test_filter_by_token(client, admin, trail):
    response = client.get(f"/api/v1/audit?actor={trail['token_id']}", headers=admin.headers)
    assert _actions(response) == ["export"]


def test_keyset_pages_cover_the_trail_once(client, admin, trail):
    seen, url = [], "/api/v1/audit?limit=2&since=2024-12-01T00:00:00Z&until=2024-12-02T00:00:00Z"
    while url:
        page = client.get(url, headers=admin.headers).get_json()
        assert len(page["items"]) <= 2
        seen += [e["id"] for e in page["items"]]
        url = page["next_cursor"] and (
            f"/api/v1/audit?limit=2&since=2024-12-01T00:00:00Z&until=2024-12-02T00:00:00Z"
            f"&cursor={page['next_cursor']}"
        )
    assert len(seen) == len(set(seen)) == 6
    # Each page read is on the record.
    reads = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.read")).all()
    assert len(reads) == 3
    assert reads[0].details["filters"]["since"].startswith("2024-12-01 00:00:00")


def test_csv_export(client, admin, trail):
    response = client.get("/api/v1/audit?format=csv&action=login.failed", headers=admin.headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="audit.csv"'
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["action"], r["request_id"], r["occurred_at"][:19]) for r in rows] == [
        ("login.failed", "req-1", "2024-12-01T09:00:00")
    ]
    assert (
        client.get(
            "/api/v1/audit?action=login", headers={**admin.headers, "Accept": "text/csv"}
        ).mimetype
        == "text/csv"
    )
    streamed = client.get("/api/v1/audit?format=csv&limit=all", headers=admin.headers)
    assert len(list(csv.DictReader(io.StringIO(streamed.get_data(as_text=True))))) >= 6
    exports = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export", AuditEvent.entity_type == "audit")
    ).all()
    assert len(exports) == 3 and all(e.api_token_id == admin.id for e in exports)


@pytest.mark.parametrize(
    "query, field",
    [
        ("actor=someone", "actor"),
        ("actor=99999999999", "actor"),
        ("since=2024-12-02T00:00:00Z&until=2024-12-01T00:00:00Z", "until"),
        ("since=yesterday", "since"),
        ("format=geojson", "format"),
        ("action=" + "x" * 61, "action"),
        ("limit=all&cursor=abc", "cursor"),
        ("user=1", "user"),
    ],
)
def test_bad_queries_are_422(client, admin, query, field):
    response = client.get(f"/api/v1/audit?{query}", headers=admin.headers)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_a_foreign_cursor_is_400(client, admin):
    response = client.get("/api/v1/audit?cursor=WyJ4Il0", headers=admin.headers)
    assert response.status_code == 400


def test_the_trail_cannot_be_changed_through_the_api(client, admin, trail):
    before = db.session.scalars(select(AuditEvent.id)).all()
    for method in ("delete", "put", "patch", "post"):
        response = getattr(client, method)("/api/v1/audit", headers=admin.headers, json={})
        assert response.status_code == 405, method
    after = db.session.scalars(select(AuditEvent.id)).all()
    assert set(before) <= set(after)


def test_writes_through_the_api_are_found_by_entity(client, admin, writer):
    created = client.post("/api/v1/incidents", json=INCIDENT, headers=writer)
    incident_id = created.get_json()["id"]
    response = client.get(
        f"/api/v1/audit?entity_type=incident&entity_id={incident_id}", headers=admin.headers
    )
    (event,) = response.get_json()["items"]  # the read itself is not an incident event
    assert event["action"] == "incident.create"
    assert event["request_id"] == created.headers["X-Request-ID"]
    assert event["report_id"] == created.get_json()["report_id"]
