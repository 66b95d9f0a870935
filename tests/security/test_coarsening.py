"""Public readers see locations at district level only: every response a public-grant caller
gets is searched for the exact coordinates of the records it may see, in every format."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.reports.conftest import pdf_text

from .callers import CALLER
from .data import DISTRICT_CENTROID, FACILITY_AT, INCIDENT_AT, coordinate_forms
from .world import World

EXACT = {
    form
    for lat, lon in (INCIDENT_AT["public"], FACILITY_AT["public"])
    for form in coordinate_forms(lat) | coordinate_forms(lon)
}
LAT, LON = DISTRICT_CENTROID
PUBLIC_API = ("anonymous", "token read/public")


def api_paths(world: World) -> list[str]:
    incident, facility = world.incidents["public"], world.facilities["public"]
    paths = [
        f"/api/v1/{resource}?format={fmt}"
        for resource in ("incidents", "facilities")
        for fmt in ("json", "csv", "hxl", "geojson")
    ]
    return [
        *paths,
        "/api/v1/incidents?format=csv&limit=all",
        "/api/v1/facilities?format=geojson&limit=all",
        f"/api/v1/incidents/{incident}",
        f"/api/v1/incidents/{incident}/revisions",
        f"/api/v1/facilities/{facility}",
        f"/api/v1/facilities/{facility}/statuses",
        "/api/v1/summary",
    ]


# (role, page): pages are formatted with the public incident's and facility's ids.
WEB_PAGES = (
    ("viewer", "/incidents/{incident}"),
    ("viewer", "/facilities/{facility}"),
    ("viewer", "/"),
    ("viewer", "/?admin_pcode=SY07&since=2024-11-27&until=2024-12-04"),
    ("viewer", "/?admin_pcode=SY0700"),
    ("viewer", "/incidents"),
    ("viewer", "/facilities"),
    ("reporter", "/facilities/{facility}/statuses/new"),
    ("verifier", "/review"),
)


def page_path(world: World, page: str) -> str:
    return page.format(incident=world.incidents["public"], facility=world.facilities["public"])


def exact_in(body: str) -> list[str]:
    return sorted(form for form in EXACT if form in body)


@pytest.mark.parametrize("who", PUBLIC_API)
def test_api_outputs_hold_no_exact_coordinates(world, who):
    client = world.client(CALLER[who])
    for path in api_paths(world):
        response = client.request("GET", path)
        assert response.status_code == 200, (path, response.status_code)
        assert not exact_in(response.get_data(as_text=True)), path


@pytest.mark.parametrize("who", PUBLIC_API)
def test_api_outputs_place_records_at_the_district_centroid(world, who):
    client = world.client(CALLER[who])
    incident = client.request("GET", f"/api/v1/incidents/{world.incidents['public']}").get_json()
    assert (incident["latitude"], incident["longitude"], incident["geo_precision"]) == (LAT, LON, 3)
    revisions = client.request(
        "GET", f"/api/v1/incidents/{world.incidents['public']}/revisions"
    ).get_json()["items"]
    assert [r["data"]["location"]["latitude"] for r in revisions] == [LAT]
    features = client.request("GET", "/api/v1/facilities?format=geojson").get_json()["features"]
    assert [f["geometry"]["coordinates"] for f in features] == [[LON, LAT]]
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.request("GET", "/api/v1/incidents?format=csv").get_data(as_text=True)
            )
        )
    )
    assert [(r["latitude"], r["longitude"], r["geo_precision"]) for r in rows] == [
        (str(LAT), str(LON), "3")
    ]


@pytest.mark.parametrize("role, page", WEB_PAGES)
def test_web_pages_hold_no_exact_coordinates(world, role, page):
    response = world.client(CALLER[f"user {role}/public"]).request("GET", page_path(world, page))
    assert response.status_code == 200
    assert not exact_in(response.get_data(as_text=True))


def test_web_detail_pages_show_the_district_centroid(world):
    viewer = world.client(CALLER["user viewer/public"])
    for page in ("/incidents/{incident}", "/facilities/{facility}"):
        html = viewer.request("GET", page_path(world, page)).get_data(as_text=True)
        assert f"{LAT:.4f}, {LON:.4f}" in html, page
    incident = viewer.request("GET", page_path(world, "/incidents/{incident}"))
    assert "(district centroid)" in incident.get_data(as_text=True)


def test_public_sitrep_holds_no_exact_coordinates(world):
    pdf = world.client(CALLER["user viewer/public"]).request(
        "GET", f"/sitreps/{world.sitreps['public']}.pdf"
    )
    assert pdf.status_code == 200
    assert not exact_in(pdf_text(pdf.get_data()))


def test_partner_readers_get_exact_coordinates(world):
    """The control: the same searches find the coordinates when the grant allows them."""
    token = world.client(CALLER["token read/partner"])
    for path in api_paths(world):
        if path.endswith(("/statuses", "/summary")):  # no coordinates in these at all
            continue
        body = token.request("GET", path).get_data(as_text=True)
        assert exact_in(body), path
    viewer = world.client(CALLER["user viewer/partner"])
    for page in ("/incidents/{incident}", "/facilities/{facility}"):
        assert exact_in(viewer.request("GET", page_path(world, page)).get_data(as_text=True))


def _map_positions(html: str, incident) -> tuple[tuple[str, str], tuple[str, str]]:
    """(the incident's point, the district's centre) on the dashboard's SVG map: the district's
    name is set at its centroid."""
    point = re.search(rf'data-incident="{incident}" cx="([^"]+)" cy="([^"]+)"', html)
    centre = re.search(r'<text data-pcode="SY0700" x="([^"]+)" y="([^"]+)"', html)
    assert point and centre, "the map shows the incident and the district"
    return point.groups(), centre.groups()


@pytest.mark.parametrize("grant, at_centroid", [("public", True), ("partner", False)])
def test_dashboard_map_places_public_readers_points_at_the_district_centre(
    world, grant, at_centroid
):
    html = world.client(CALLER[f"user viewer/{grant}"]).request("GET", "/?admin_pcode=SY07")
    point, centre = _map_positions(html.get_data(as_text=True), world.incidents["public"])
    assert (point == centre) is at_centroid
