"""Public readers see a record's area no finer than its district: a sub-district p-code is shown
as its district (with the district's names) in every output, and a sub-district filter does
not narrow their results below the district."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest

from humanitarian.models.enums import Scope, Sensitivity
from humanitarian.services import (
    Actor,
    RecordFilter,
    create_token,
    list_incidents,
    record_incident,
    record_movement,
    summarize,
)
from tests import factories as f
from tests.reports.conftest import pdf_text
from tests.web.conftest import Staff

# Abul Thohur sub-district (SY070001) of Idleb district (SY0700), and a point inside it.
SUB, DISTRICT, POINT = "SY070001", "SY0700", (35.73, 37.10)
SUB_NAMES = ("Abul Thohur", "أبو الظهور")


@pytest.fixture
def placed(app):
    system = Actor.system("test")
    airbase = record_incident(
        system, f.incident(title="Airbase taken", location=f.Location(SUB, *POINT, 1))
    )
    city = record_incident(system, f.incident(title="Strike in Idleb city"))  # SY0700
    record_movement(system, f.movement(origin_pcode=SUB, destination_pcode="SY070003"))
    return airbase, city


def _token(grant: Sensitivity) -> dict:
    _, secret = create_token(Actor.system(), "Partner NGO", [Scope.read], grant)
    return {"Authorization": f"Bearer {secret}"}


def test_every_api_output_names_the_district_for_public_readers(client, placed):
    airbase, _ = placed
    for path in (
        f"/api/v1/incidents/{airbase.id}",
        f"/api/v1/incidents/{airbase.id}/revisions",
        "/api/v1/incidents?format=json",
        "/api/v1/incidents?format=csv",
        "/api/v1/incidents?format=hxl",
        "/api/v1/incidents?format=geojson",
        "/api/v1/incidents?format=csv&limit=all",
        "/api/v1/movements?format=json",
        "/api/v1/movements?format=hxl",
    ):
        for headers in ({}, _token(Sensitivity.public)):
            text = client.get(path, headers=headers).get_data(as_text=True)
            assert SUB not in text and "SY070003" not in text, path
            assert not any(name in text for name in SUB_NAMES), path
    item = client.get(f"/api/v1/incidents/{airbase.id}").get_json()
    assert item["admin_pcode"] == DISTRICT and item["geo_precision"] == 3
    moves = client.get("/api/v1/movements").get_json()["items"]
    assert (moves[0]["origin_pcode"], moves[0]["destination_pcode"]) == (DISTRICT, DISTRICT)
    exact = client.get(f"/api/v1/incidents/{airbase.id}", headers=_token(Sensitivity.partner))
    assert exact.get_json()["admin_pcode"] == SUB


def test_a_sub_district_filter_widens_to_the_district_for_public_readers(client, placed):
    airbase, city = placed
    public = client.get(f"/api/v1/incidents?admin_pcode={SUB}").get_json()["items"]
    assert {i["id"] for i in public} == {str(airbase.id), str(city.id)}
    partner = client.get(
        f"/api/v1/incidents?admin_pcode={SUB}", headers=_token(Sensitivity.partner)
    )
    assert [i["id"] for i in partner.get_json()["items"]] == [str(airbase.id)]
    reader = Actor.anonymous()
    assert len(list_incidents(reader, RecordFilter(admin_pcode=SUB)).items) == 2
    assert summarize(reader, SUB, None, None).incidents_total == 2
    assert summarize(f.actor(), SUB, None, None).incidents_total == 1


def _public_viewer(app) -> Staff:
    """A signed-in viewer with a public grant."""
    from humanitarian.models.enums import Role
    from humanitarian.services import create_user

    create_user(
        Actor.system("test"), "public@field.test", "field-office-password", Role.viewer, "Field",
        max_sensitivity=Sensitivity.public,
    )  # fmt: skip
    viewer = Staff(app.test_client())
    assert viewer.login("public@field.test", "field-office-password").status_code == 302
    return viewer


def test_web_pages_show_the_district_to_public_users(app, placed):
    airbase, _ = placed
    viewer = _public_viewer(app)
    for page in (
        f"/incidents/{airbase.id}",
        "/incidents",
        f"/incidents?admin_pcode={SUB}",
        f"/?admin_pcode={SUB}",
        "/movements",
    ):
        # The picker's list of every area (reference data) aside, no trace of the sub-district.
        # (and the filter field echoing what the user typed).
        html = re.sub(r"<datalist.*?</datalist>", "", viewer.page(page), flags=re.S)
        html = html.replace(f'name="admin_pcode" list="area-options" value="{SUB}"', "")
        assert f">{SUB}<" not in html and f'"{SUB}"' not in html, page
        assert not any(name in html for name in SUB_NAMES), page
    dashboard = viewer.page(f"/?admin_pcode={SUB}")
    assert "<h1>Idleb" in dashboard  # the district's name heads the page


def test_a_public_sitrep_of_a_sub_district_covers_its_district(app, placed):
    from humanitarian.services import generate_sitrep, sitrep_pdf_path

    sitrep = generate_sitrep(
        Actor.system("test"), SUB, date(2024, 11, 27), date(2024, 12, 4), "public"
    )
    assert sitrep.admin_pcode == DISTRICT
    text = pdf_text(sitrep_pdf_path(Actor.system("test"), sitrep.id).read_bytes())
    assert "Airbase taken" in text and not any(name in text for name in SUB_NAMES)
    partner = generate_sitrep(
        Actor.system("test"), SUB, date(2024, 11, 27), date(2024, 12, 4), "partner"
    )
    assert partner.admin_pcode == SUB


def test_hxl_public_rows_parse(client, placed):
    rows = list(
        csv.reader(io.StringIO(client.get("/api/v1/incidents?format=hxl").get_data(as_text=True)))
    )
    header, tags = rows[0], rows[1]
    first = dict(zip(tags, rows[2], strict=True))
    assert first["#adm2+code"] == DISTRICT and first["#adm3+code"] == ""
    assert "admin3_pcode" in header
    json.dumps(first)


def _box(lat: float, lon: float, half: float = 0.01) -> str:
    return f"{lon - half},{lat - half},{lon + half},{lat + half}"


def _listed(client, resource: str, bbox: str, headers=None, fmt: str = "json") -> set[str]:
    answer = client.get(f"/api/v1/{resource}?bbox={bbox}&format={fmt}", headers=headers or {})
    assert answer.status_code == 200
    if fmt == "geojson":
        return {f["id"] for f in answer.get_json()["features"]}
    if fmt == "csv":
        return {row["id"] for row in csv.DictReader(io.StringIO(answer.get_data(as_text=True)))}
    return {i["id"] for i in answer.get_json()["items"]}


def test_a_public_readers_bbox_tests_the_district_centroid(client, placed):
    """The true point of a public incident cannot be found by bounding boxes: for public
    readers a box around it is empty, a box around the district's centroid finds it."""
    from humanitarian.services.areas import centroid

    airbase, city = placed
    both = {str(airbase.id), str(city.id)}
    around_point, around_centre = _box(*POINT), _box(*centroid(DISTRICT))
    for fmt in ("json", "csv", "geojson"):
        for headers in ({}, _token(Sensitivity.public)):
            assert _listed(client, "incidents", around_point, headers, fmt) == set(), fmt
            assert _listed(client, "incidents", around_centre, headers, fmt) == both, fmt
        partner = _token(Sensitivity.partner)
        assert _listed(client, "incidents", around_point, partner, fmt) == {str(airbase.id)}
        assert _listed(client, "incidents", around_centre, partner, fmt) == set()


def test_a_public_readers_bbox_places_facilities_and_movements_by_district(client, placed):
    from humanitarian.services import create_facility
    from humanitarian.services.areas import centroid

    depot = create_facility(
        Actor.system("test"), f.facility(name="Depot", location=f.Location(SUB, *POINT, 1))
    )
    around_point, around_centre = _box(*POINT), _box(*centroid(DISTRICT))
    assert _listed(client, "facilities", around_point) == set()
    assert _listed(client, "facilities", around_centre) == {str(depot.id)}
    partner = _token(Sensitivity.partner)
    assert _listed(client, "facilities", around_point, partner) == {str(depot.id)}
    # The movement runs between two sub-districts; public readers are shown the district.
    around_sub = _box(*centroid(SUB))
    assert len(_listed(client, "movements", around_sub, partner)) == 1
    assert _listed(client, "movements", around_sub) == set()
    assert len(_listed(client, "movements", around_centre)) == 1


def test_a_public_users_web_list_filters_by_district_centroid(app, placed):
    from humanitarian.services.areas import centroid

    viewer = _public_viewer(app)
    assert "Airbase taken" not in viewer.page(f"/incidents?bbox={_box(*POINT)}")
    assert "Airbase taken" in viewer.page(f"/incidents?bbox={_box(*centroid(DISTRICT))}")
