"""/facilities: current status, status history and appends."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from humanitarian.extensions import db
from humanitarian.models import InfrastructureStatus
from humanitarian.services import create_facility, set_infrastructure_status
from tests import factories as f

FACILITY = {
    "name": "Aleppo International Airport",
    "name_ar": "مطار حلب الدولي",
    "facility_type": "airport",
    "admin_pcode": "SY0200",
    "latitude": 36.18,
    "longitude": 37.22,
    "geo_precision": 1,
}


def _airport_and_road(system):
    airport = create_facility(system, f.facility())
    road = create_facility(
        system,
        f.facility(name="M5 highway (Aleppo–Damascus)", facility_type="road_bridge"),
    )
    set_infrastructure_status(
        system, airport.id, f.status("operational", datetime(2024, 11, 20, tzinfo=UTC))
    )
    set_infrastructure_status(
        system,
        airport.id,
        f.status("closed", datetime(2024, 12, 1, 8, tzinfo=UTC), details="all flights cancelled"),
    )
    set_infrastructure_status(
        system, road.id, f.status("restricted", datetime(2024, 11, 29, tzinfo=UTC))
    )
    return airport, road


def test_list_carries_current_status(client, system):
    airport, road = _airport_and_road(system)
    items = client.get("/api/v1/facilities").get_json()["items"]
    assert [i["name"] for i in items] == ["Aleppo International Airport", road.name]
    now = items[0]["current_status"]
    assert (now["functionality"], now["access"], now["damage"]) == (
        "not_functional",
        "closed",
        "none",
    )
    assert now["details"] == "all flights cancelled" and now["impaired"] is True
    assert items[1]["current_status"]["access"] == "restricted"


def test_filters_by_current_status_type_and_period(client, system):
    airport, road = _airport_and_road(system)

    def names(query):
        return [i["name"] for i in client.get(f"/api/v1/facilities?{query}").get_json()["items"]]

    assert names("access=closed") == [airport.name]
    assert names("access=open") == []
    assert names("access=closed&access=restricted") == [airport.name, road.name]
    assert names("functionality=functional") == [road.name]
    assert names("functionality=functional&access=closed") == []
    assert names("damage=none") == [airport.name, road.name]
    assert names("facility_type=road_bridge") == [road.name]
    assert names("since=2024-12-01&until=2024-12-01") == [airport.name]
    assert names("until=2024-11-25") == [airport.name]
    assert names("admin_pcode=SY07") == []


def test_one_facility_and_its_history(client, system):
    airport, _ = _airport_and_road(system)
    one = client.get(f"/api/v1/facilities/{airport.id}").get_json()
    assert one["current_status"]["access"] == "closed"
    history = client.get(f"/api/v1/facilities/{airport.id}/statuses").get_json()["items"]
    assert [h["access"] for h in history] == ["open", "closed"]
    assert history[1]["effective_from"] == "2024-12-01T08:00:00+00:00"


def test_hidden_facility_is_404(client, system, writer):
    hidden = create_facility(system, f.facility(sensitivity="restricted"))
    for url in (f"/api/v1/facilities/{hidden.id}", f"/api/v1/facilities/{hidden.id}/statuses"):
        assert client.get(url, headers=writer).status_code == 404
    response = client.post(
        f"/api/v1/facilities/{hidden.id}/statuses",
        json={"access": "closed", "effective_from": "2024-12-01T08:00:00Z"},
        headers=writer,
    )
    assert response.status_code == 404


def test_create_facility_then_append_statuses(client, writer):
    response = client.post("/api/v1/facilities", json=FACILITY, headers=writer)
    assert response.status_code == 201
    facility = response.get_json()
    assert response.headers["Location"] == f"/api/v1/facilities/{facility['id']}"
    assert facility["current_status"] is None and facility["name_ar"] == "مطار حلب الدولي"
    url = f"/api/v1/facilities/{facility['id']}/statuses"
    closed = client.post(
        url,
        json={
            "access": "closed",
            "effective_from": "2024-12-01T10:00:00+02:00",
            "details": "all flights cancelled",
            "controlled_by": "Syrian government",
        },
        headers=writer | {"Idempotency-Key": "airport-closed"},
    )
    assert closed.status_code == 201
    stored = closed.get_json()
    assert (stored["access"], stored["functionality"], stored["damage"]) == (
        "closed",
        "unknown",
        "unknown",
    )
    assert closed.headers["Location"] == url
    assert closed.get_json()["effective_from"] == "2024-12-01T08:00:00+00:00"
    replay = client.post(
        url,
        json={
            "access": "closed",
            "effective_from": "2024-12-01T10:00:00+02:00",
            "details": "all flights cancelled",
            "controlled_by": "Syrian government",
        },
        headers=writer | {"Idempotency-Key": "airport-closed"},
    )
    assert replay.get_json()["id"] == closed.get_json()["id"]
    assert db.session.scalar(select(func.count()).select_from(InfrastructureStatus)) == 1
    current = client.get(f"/api/v1/facilities/{facility['id']}", headers=writer).get_json()
    assert current["current_status"]["id"] == closed.get_json()["id"]


def test_status_rules(client, writer):
    facility = client.post("/api/v1/facilities", json=FACILITY, headers=writer).get_json()
    url = f"/api/v1/facilities/{facility['id']}/statuses"
    bad = client.post(
        url,
        json={
            "access": "closed",
            "effective_from": "2024-12-02T00:00:00Z",
            "effective_to": "2024-12-01T00:00:00Z",
        },
        headers=writer,
    )
    assert bad.status_code == 422 and "effective_to" in bad.get_json()["errors"]
    unknown = client.post(url, json={"damage": "bombed", "effective_from": "2024-12-01"})
    assert unknown.status_code == 401
    wrong = client.post(
        url, json={"damage": "bombed", "effective_from": "2024-12-01T00:00Z"}, headers=writer
    )
    assert wrong.status_code == 422 and "damage" in wrong.get_json()["errors"]
    old = client.post(
        url, json={"status": "closed", "effective_from": "2024-12-01T00:00Z"}, headers=writer
    )
    assert old.status_code == 422 and "status" in old.get_json()["errors"]
    missing = client.post(
        "/api/v1/facilities", json=FACILITY | {"facility_type": "castle"}, headers=writer
    )
    assert missing.status_code == 422 and "facility_type" in missing.get_json()["errors"]
