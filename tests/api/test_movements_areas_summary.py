"""/movements, /admin-areas and /summary."""

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from humanitarian.extensions import db
from humanitarian.models import PopulationMovement
from humanitarian.services import (
    create_facility,
    record_incident,
    record_movement,
    set_infrastructure_status,
)
from tests import factories as f

from .conftest import MOVEMENT


def test_append_one_movement_and_read_it(client, writer):
    response = client.post("/api/v1/movements", json=MOVEMENT, headers=writer)
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/movements/{body['id']}"
    assert client.get(response.headers["Location"]).get_json() == body


def test_movement_needs_origin_or_destination_and_a_positive_count(client, writer):
    no_place = MOVEMENT | {"origin_pcode": None, "destination_pcode": None}
    response = client.post("/api/v1/movements", json=no_place, headers=writer)
    assert response.status_code == 422 and "origin_pcode" in response.get_json()["errors"]
    response = client.post("/api/v1/movements", json=MOVEMENT | {"individuals": 0}, headers=writer)
    assert response.status_code == 422 and "individuals" in response.get_json()["errors"]


def test_movement_batch_is_all_or_nothing(client, writer):
    items = [MOVEMENT, MOVEMENT | {"destination_pcode": "SY9999"}]
    response = client.post("/api/v1/movements", json={"items": items}, headers=writer)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "items": {"1": {"destination_pcode": ["Unknown p-code 'SY9999'."]}}
    }
    assert db.session.scalar(select(func.count()).select_from(PopulationMovement)) == 0
    ok = client.post("/api/v1/movements", json={"items": [MOVEMENT] * 2}, headers=writer)
    assert ok.status_code == 201 and len(ok.get_json()["items"]) == 2


def test_movement_filters(client, system):
    out_of_aleppo = record_movement(system, f.movement())
    returns = record_movement(
        system,
        f.movement(
            movement_type="return",
            origin_pcode="SY0703",
            destination_pcode="SY0200",
            period_start=date(2024, 12, 3),
            period_end=date(2024, 12, 4),
            individuals=2000,
        ),
    )

    def ids(query):
        response = client.get(f"/api/v1/movements?{query}")
        assert response.status_code == 200, response.get_json()
        return [i["id"] for i in response.get_json()["items"]]

    assert ids("") == [str(returns.id), str(out_of_aleppo.id)]
    assert ids("movement_type=return") == [str(returns.id)]
    assert ids("admin_pcode=SY07") == [str(returns.id)]
    assert ids("since=2024-12-04&until=2024-12-10") == [str(returns.id), str(out_of_aleppo.id)]
    assert ids("until=2024-12-01") == [str(out_of_aleppo.id)]
    # Harim's centroid (36.21, 36.52) lies in the box; Jebel Saman and Lattakia do not.
    assert ids("bbox=36.4,36.1,36.6,36.3") == [str(returns.id)]


def test_admin_areas_filter_by_level_and_parent(client, writer):
    governorates = client.get("/api/v1/admin-areas?level=1").get_json()["items"]
    assert len(governorates) == 14
    assert governorates[6]["pcode"] == "SY07"
    districts = client.get("/api/v1/admin-areas?parent=SY07").get_json()["items"]
    assert {d["parent_pcode"] for d in districts} == {"SY07"}
    assert "SY0700" in {d["pcode"] for d in districts}
    unknown = client.get("/api/v1/admin-areas?parent=SY99", headers=writer)
    assert unknown.status_code == 422 and "parent" in unknown.get_json()["errors"]
    named = client.get("/api/v1/admin-areas?q=Idleb").get_json()["items"]
    assert {a["pcode"] for a in named} >= {"SY07", "SY0700"}


def test_summary_for_aleppo(client, system):
    airport = create_facility(system, f.facility())
    set_infrastructure_status(
        system, airport.id, f.status("closed", datetime(2024, 12, 1, 8, tzinfo=UTC))
    )
    record_incident(
        system,
        f.incident(location=f.Location("SY0200"), killed=2, injured=5, target_type="airport"),
    )
    record_incident(system, f.incident(killed=7))  # Idleb: outside SY02
    record_incident(
        system,
        f.incident(location=f.Location("SY0200"), killed=50, sensitivity="restricted"),
    )
    record_movement(system, f.movement(individuals=20000))
    record_movement(
        system,
        f.movement(
            movement_type="return",
            origin_pcode="SY0703",
            destination_pcode="SY0200",
            individuals=300,
        ),
    )
    response = client.get("/api/v1/summary?admin_pcode=SY02&since=2024-11-27&until=2024-12-04")
    assert response.status_code == 200
    body = response.get_json()
    assert body["incidents_by_event_type"] == {"explosions_remote_violence": 1}
    assert (body["killed"], body["injured"]) == (2, 5)
    assert body["facilities_by_access"] == {"closed": 1}
    assert body["facilities_impaired"] == 1
    assert (body["displaced_individuals"], body["returned_individuals"]) == (20000, 300)
    change = body["latest_status_changes"][0]
    assert change["facility_name"] == "Aleppo International Airport"
    assert change["access"] == "closed"


def test_summary_rejects_unknown_area_and_reversed_period(client, writer):
    unknown = client.get("/api/v1/summary?admin_pcode=SY99", headers=writer)
    assert unknown.status_code == 422 and "admin_pcode" in unknown.get_json()["errors"]
    response = client.get("/api/v1/summary?since=2024-12-04&until=2024-11-27", headers=writer)
    assert response.status_code == 422 and "until" in response.get_json()["errors"]
