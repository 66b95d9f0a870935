"""/incidents: filters, keyset pagination, appends, batches, idempotency and revisions."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from humanitarian.extensions import db
from humanitarian.models import Incident, IncidentRevision, Report, utcnow
from humanitarian.services import Location, record_incident
from tests import factories as f
from tests.support import committed

from .conftest import INCIDENT


def _ids(response):
    assert response.status_code == 200, response.get_json()
    return [i["id"] for i in response.get_json()["items"]]


@pytest.fixture
def spread(system):
    """Incidents across areas, days and types."""
    made = {
        "idleb_school": f.incident(title="Idleb school", occurred_on=date(2024, 12, 2)),
        "idleb_clash": f.incident(
            title="Idleb clash",
            occurred_on=date(2024, 11, 27),
            event_type="battles",
            sub_event_type="armed_clash",
            target_type="military",
            location=Location("SY0703", 36.21, 36.52, 2),
        ),
        "aleppo": f.incident(
            title="Aleppo airport",
            occurred_on=date(2024, 11, 30),
            target_type="airport",
            location=Location("SY0200", 36.18, 37.22, 1),
        ),
        "old": f.incident(title="Older Idleb", occurred_on=date(2024, 11, 1)),
    }
    return {k: str(record_incident(system, v).id) for k, v in made.items()}


def test_admin_pcode_matches_the_area_and_everything_under_it(client, spread):
    ids = _ids(client.get("/api/v1/incidents?admin_pcode=SY07"))
    assert set(ids) == {spread["idleb_school"], spread["idleb_clash"], spread["old"]}
    assert _ids(client.get("/api/v1/incidents?admin_pcode=SY0703")) == [spread["idleb_clash"]]


def test_since_until_are_inclusive_and_order_is_newest_first(client, spread):
    ids = _ids(client.get("/api/v1/incidents?since=2024-11-27&until=2024-12-02"))
    assert ids == [spread["idleb_school"], spread["aleppo"], spread["idleb_clash"]]


def test_enum_filters_repeat(client, spread):
    ids = _ids(client.get("/api/v1/incidents?target_type=airport&target_type=military"))
    assert set(ids) == {spread["aleppo"], spread["idleb_clash"]}
    assert _ids(client.get("/api/v1/incidents?event_type=battles")) == [spread["idleb_clash"]]
    assert _ids(client.get("/api/v1/incidents?verification=verified")) == []


def test_bbox_and_updated_since(client, spread):
    # Anonymous readers are shown the district's centroid (Jebel Saman: 35.999, 37.114), and
    # their bbox tests what they are shown; this box holds both it and the airport's point.
    ids = _ids(client.get("/api/v1/incidents?bbox=37.0,35.9,37.5,36.5"))
    assert ids == [spread["aleppo"]]
    assert len(_ids(client.get("/api/v1/incidents?updated_since=2000-01-01T00:00:00Z"))) == 4
    assert _ids(client.get("/api/v1/incidents?updated_since=2099-01-01T00:00:00Z")) == []


def test_keyset_pagination_walks_every_record_once(client, spread):
    seen, url = [], "/api/v1/incidents?limit=1"
    while url:
        body = client.get(url).get_json()
        seen += [i["id"] for i in body["items"]]
        cursor = body["next_cursor"]
        url = f"/api/v1/incidents?limit=1&cursor={cursor}" if cursor else None
    assert seen == _ids(client.get("/api/v1/incidents?limit=1000"))
    assert len(seen) == 4 and len(set(seen)) == 4


@pytest.mark.parametrize(
    "query, field",
    [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("page=2", "page"),
        ("event_type=earthquake", "event_type"),
        ("since=2024-12-04&until=2024-11-27", "until"),
        ("admin_pcode=SY99", "admin_pcode"),
        ("bbox=1,2,3", "bbox"),
        ("since=0001-01-01", "since"),
        ("updated_since=0001-01-01T00:00:00%2B14:00", "updated_since"),
        ("limit=all&cursor=abc", "cursor"),
    ],
)
def test_bad_query_parameters_are_422_naming_them(client, writer, query, field):
    response = client.get(f"/api/v1/incidents?{query}", headers=writer)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert field in response.get_json()["errors"]


@pytest.mark.parametrize("cursor", ["abc", "W10", "WyIyMDI0LTEyLTAxIiwgIngiXQ"])
def test_bad_cursor_is_400(client, writer, cursor):
    response = client.get(f"/api/v1/incidents?cursor={cursor}", headers=writer)
    assert response.status_code == 400
    problem = response.get_json()
    assert problem["type"] == "/api/v1/problems/malformed-request"
    assert problem["errors"] == {"cursor": ["The cursor is not one this server issued."]}


def test_append_returns_201_location_and_server_fields(client, writer):
    response = client.post("/api/v1/incidents", json=INCIDENT, headers=writer)
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/incidents/{body['id']}"
    assert body["revision"] == 1 and body["report_id"] and body["created_at"].endswith("+00:00")
    assert body["killed"] == 4 and body["civilians_killed"] is None
    fetched = client.get(response.headers["Location"], headers=writer).get_json()
    assert fetched == body


def test_unknown_field_is_rejected_by_name_and_nothing_is_written(client, writer):
    response = client.post("/api/v1/incidents", json=INCIDENT | {"colour": "red"}, headers=writer)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"colour": ["Unknown field."]}
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0


def test_idempotent_retry_returns_the_original_response(client, writer):
    headers = writer | {"Idempotency-Key": "partner-batch-0001"}
    first = client.post("/api/v1/incidents", json=INCIDENT, headers=headers)
    again = client.post("/api/v1/incidents", json=dict(reversed(INCIDENT.items())), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 1
    changed = client.post("/api/v1/incidents", json=INCIDENT | {"killed": 5}, headers=headers)
    assert changed.status_code == 409
    assert "Idempotency-Key" in changed.get_json()["detail"]


def _received(key: str, at: datetime) -> None:
    """Move a stored report's arrival time, through a connection of its own."""
    with db.engine.begin() as other:
        other.execute(update(Report).where(Report.idempotency_key == key).values(received_at=at))


def test_an_idempotency_key_is_honoured_for_its_time_to_live_only(app, client, writer):
    ttl = timedelta(hours=app.config["IDEMPOTENCY_TTL_HOURS"])
    headers = writer | {"Idempotency-Key": "partner-batch-0002"}
    first = client.post("/api/v1/incidents", json=INCIDENT, headers=headers)
    assert first.status_code == 201

    _received("partner-batch-0002", utcnow() - ttl + timedelta(minutes=1))
    inside = client.post("/api/v1/incidents", json=INCIDENT, headers=headers)
    assert inside.status_code == 201 and inside.headers["Idempotent-Replayed"] == "true"
    assert inside.get_json() == first.get_json()

    _received("partner-batch-0002", utcnow() - ttl - timedelta(minutes=1))
    expired = client.post("/api/v1/incidents", json=INCIDENT, headers=headers)
    assert expired.status_code == 409 and "Idempotent-Replayed" not in expired.headers
    assert "expired" in expired.get_json()["detail"]
    assert committed(select(func.count()).select_from(Incident)) == [1]
    assert committed(select(func.count()).select_from(Report)) == [1]


def test_idempotency_keys_belong_to_one_token(client, make_token):
    a, b = make_token().headers, make_token(org="Other NGO").headers
    key = {"Idempotency-Key": "same-key"}
    first = client.post("/api/v1/incidents", json=INCIDENT, headers=a | key)
    other = client.post("/api/v1/incidents", json=INCIDENT, headers=b | key)
    assert first.status_code == other.status_code == 201
    assert first.get_json()["id"] != other.get_json()["id"]


def test_batch_is_all_or_nothing_and_names_the_failing_item(client, writer):
    items = [INCIDENT, INCIDENT | {"title": "Second"}, INCIDENT, INCIDENT | {"killed": -2}]
    response = client.post("/api/v1/incidents", json={"items": items}, headers=writer)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]["items"]) == ["3"]
    assert "killed" in response.get_json()["errors"]["items"]["3"]
    # A rule only the service can check (a p-code that does not exist), in the middle.
    items = [INCIDENT, INCIDENT | {"admin_pcode": "SY9999"}, INCIDENT]
    response = client.post("/api/v1/incidents", json={"items": items}, headers=writer)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "items": {"1": {"admin_pcode": ["Unknown p-code 'SY9999'."]}}
    }
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 0
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0


def test_batch_appends_in_one_report(client, writer):
    items = [INCIDENT | {"title": f"Strike {n}"} for n in range(3)]
    response = client.post(
        "/api/v1/incidents", json={"items": items}, headers=writer | {"Idempotency-Key": "b1"}
    )
    assert response.status_code == 201
    body = response.get_json()
    assert [i["title"] for i in body["items"]] == ["Strike 0", "Strike 1", "Strike 2"]
    assert {i["report_id"] for i in body["items"]} == {body["report_id"]}
    assert response.headers["Location"] == f"/api/v1/incidents/{body['items'][0]['id']}"
    replay = client.post(
        "/api/v1/incidents", json={"items": items}, headers=writer | {"Idempotency-Key": "b1"}
    )
    assert replay.get_json() == body
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 3


def test_batch_size_limit(app, client, writer):
    app.config["BATCH_MAX"] = 2
    try:
        response = client.post("/api/v1/incidents", json={"items": [INCIDENT] * 3}, headers=writer)
    finally:
        app.config["BATCH_MAX"] = 1000
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"items": ["At most 2 items per batch."]}
    empty = client.post("/api/v1/incidents", json={"items": []}, headers=writer)
    assert empty.status_code == 422


def test_correction_appends_a_revision_with_reason(client, writer):
    created = client.post("/api/v1/incidents", json=INCIDENT, headers=writer).get_json()
    url = f"/api/v1/incidents/{created['id']}/revisions"
    missing_reason = client.post(url, json=INCIDENT | {"killed": 6}, headers=writer)
    assert missing_reason.status_code == 422 and "reason" in missing_reason.get_json()["errors"]
    response = client.post(
        url, json=INCIDENT | {"killed": 6, "reason": "Civil Defence updated toll"}, headers=writer
    )
    assert response.status_code == 201
    assert response.headers["Location"] == f"/api/v1/incidents/{created['id']}"
    assert response.get_json()["revision"] == 2 and response.get_json()["killed"] == 6
    history = client.get(url, headers=writer).get_json()["items"]
    assert [(r["revision"], r["reason"]) for r in history] == [
        (1, None),
        (2, "Civil Defence updated toll"),
    ]
    assert history[0]["data"]["killed"] == 4 and history[1]["data"]["killed"] == 6
    assert db.session.scalar(select(func.count()).select_from(IncidentRevision)) == 2


def test_correction_of_unknown_or_hidden_incident_is_404(client, writer, system):
    hidden = record_incident(system, f.incident(sensitivity="restricted"))
    body = INCIDENT | {"reason": "fix"}
    for ident in (hidden.id, "00000000-0000-0000-0000-000000000000"):
        response = client.post(f"/api/v1/incidents/{ident}/revisions", json=body, headers=writer)
        assert response.status_code == 404


def test_public_readers_get_coarsened_coordinates(client, writer):
    created = client.post("/api/v1/incidents", json=INCIDENT, headers=writer).get_json()
    assert (created["latitude"], created["longitude"]) == (35.93, 36.63)
    client.post(
        f"/api/v1/incidents/{created['id']}/revisions",
        json=INCIDENT | {"latitude": 35.95, "longitude": 36.64, "reason": "exact spot"},
        headers=writer,
    )
    public = client.get(f"/api/v1/incidents/{created['id']}").get_json()
    # SY0700's district centroid in the shipped gazetteer
    assert (public["latitude"], public["longitude"], public["geo_precision"]) == (
        35.89077,
        36.79123,
        3,
    )
    revisions = client.get(f"/api/v1/incidents/{created['id']}/revisions").get_json()["items"]
    assert {(r["data"]["location"]["latitude"]) for r in revisions} == {35.89077}
    exact = client.get(f"/api/v1/incidents/{created['id']}", headers=writer).get_json()
    assert (exact["latitude"], exact["geo_precision"]) == (35.95, 1)
