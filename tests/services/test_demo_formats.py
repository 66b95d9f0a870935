"""The demo scenario in the ecosystem's terms: facility condition in four dimensions and the
strikes on civilians flagged as ACLED flags them."""

import csv
import io

from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import Facility, Incident
from humanitarian.services import Actor, current_status


def _now(name_part: str):
    facility = db.session.scalars(select(Facility).where(Facility.name.icontains(name_part))).one()
    return current_status(Actor.system("test"), facility)


def test_seed_condition(demo):
    airport = _now("Airport")
    assert (airport.access, airport.functionality, airport.damage) == (
        "closed",
        "functional",
        "none",
    )
    assert airport.details == "All flights cancelled" and airport.impaired
    for name in ("airbase", "M5"):
        assert "HTS" in _now(name).controlled_by
    for name in ("school", "petrol"):
        entry = _now(name)
        assert entry.damage == "partially_damaged" and entry.functionality == "not_functional"


def test_seed_civilian_targeting(demo):
    flagged = db.session.scalars(select(Incident).where(Incident.civilian_targeting)).all()
    assert sorted(i.target_type for i in flagged) == ["fuel_station", "residential_area", "school"]


def test_civilian_targeting_in_the_api_and_exports(client, demo):
    items = client.get("/api/v1/incidents?civilian_targeting=true&limit=100").get_json()["items"]
    assert len(items) == 3 and all(i["civilian_targeting"] for i in items)
    csv_text = client.get("/api/v1/incidents?format=csv&civilian_targeting=true").get_data(True)
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert len(rows) == 3 and {r["civilian_targeting"] for r in rows} == {"true"}
