"""/admin-areas with q and GeoJSON boundaries, /admin-areas/locate, and appends whose point
lies outside the named area."""

from __future__ import annotations

import gzip
import json

import shapely
from sqlalchemy import func, select

from humanitarian.extensions import db
from humanitarian.models import Incident, Report

from .conftest import INCIDENT


def pcodes(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [a["pcode"] for a in response.get_json()["items"]]


def test_q_matches_english_or_arabic_names_forgiving_spelling(client):
    assert pcodes(client.get("/api/v1/admin-areas?q=Jisr ash Shugur"))[0] == "SY0704"
    assert pcodes(client.get("/api/v1/admin-areas?q=حارم"))[:2] == ["SY0703", "SY070300"]
    assert pcodes(client.get("/api/v1/admin-areas?q=ادلب&level=1")) == ["SY07"]
    assert pcodes(client.get("/api/v1/admin-areas?q=atlantis")) == []
    assert pcodes(client.get("/api/v1/admin-areas?level=2&parent=SY07")) == [
        "SY0700",
        "SY0702",
        "SY0703",
        "SY0704",
        "SY0705",
    ]


def test_geojson_gives_boundaries_that_parse_back(client):
    response = client.get("/api/v1/admin-areas?level=1&format=geojson")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    assert "COD-AB" in response.headers["X-Attribution"]
    body = json.loads(response.get_data(as_text=True))
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 14
    shapes = {f["id"]: shapely.geometry.shape(f["geometry"]) for f in body["features"]}
    assert all(s.is_valid and s.geom_type in ("Polygon", "MultiPolygon") for s in shapes.values())
    assert shapes["SY07"].contains(shapely.Point(36.63, 35.93))  # Idleb city
    assert body["features"][0]["properties"]["name_ar"]
    zipped = client.get(
        "/api/v1/admin-areas?level=1&format=geojson", headers={"Accept-Encoding": "gzip"}
    )
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert len(zipped.get_data()) < len(response.get_data()) / 2
    assert json.loads(gzip.decompress(zipped.get_data())) == body
    etag = response.headers["ETag"]
    again = client.get(
        "/api/v1/admin-areas?level=1&format=geojson", headers={"If-None-Match": etag}
    )
    assert again.status_code == 304


def test_simplified_boundaries_are_smaller_and_still_meet(client):
    full = client.get("/api/v1/admin-areas?level=2&format=geojson").get_data()
    small = client.get("/api/v1/admin-areas?level=2&format=geojson&simplify=0.02").get_data()
    assert len(small) < len(full) / 2
    features = json.loads(small)["features"]
    shapes = [shapely.geometry.shape(f["geometry"]) for f in features]
    assert len(shapes) == 62 and all(s.is_valid for s in shapes)
    union = shapely.union_all(shapes)
    assert union.area > 0.98 * sum(s.area for s in shapes)  # no overlaps created
    assert client.get("/api/v1/admin-areas?format=geojson&simplify=5").status_code == 422


def test_locate_returns_the_chain_country_to_sub_district(client):
    body = client.get("/api/v1/admin-areas/locate?lat=36.18&lon=37.22").get_json()
    assert [a["pcode"] for a in body["items"]] == ["SY", "SY02", "SY0200", "SY020000"]
    assert body["items"][2]["name_en"] == "Jebel Saman"
    airbase = client.get("/api/v1/admin-areas/locate?lat=35.73&lon=37.10").get_json()
    assert [a["pcode"] for a in airbase["items"]][:2] == ["SY", "SY07"]
    outside = client.get("/api/v1/admin-areas/locate?lat=48.85&lon=2.35")
    assert outside.status_code == 404 and outside.mimetype == "application/problem+json"
    bad = client.get("/api/v1/admin-areas/locate?lat=95&lon=x")
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"lat", "lon"}


def test_an_append_outside_its_area_is_a_422_naming_both(client, writer):
    body = INCIDENT | {"admin_pcode": "SY0703", "latitude": 36.18, "longitude": 37.22}
    response = client.post("/api/v1/incidents", json=body, headers=writer)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    message = response.get_json()["errors"]["admin_pcode"][0]
    assert "Harim (SY0703)" in message and "Jebel Saman (SY0200)" in message
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0
    batch = {"items": [INCIDENT, body]}
    response = client.post("/api/v1/incidents", json=batch, headers=writer)
    assert response.status_code == 422
    assert "Harim" in response.get_json()["errors"]["items"]["1"]["admin_pcode"][0]
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 0


def test_an_append_with_only_coordinates_gets_the_sub_district(client, writer):
    body = {k: v for k, v in INCIDENT.items() if k != "admin_pcode"}
    created = client.post("/api/v1/incidents", json=body, headers=writer).get_json()
    assert created["admin_pcode"] == "SY070000"
    public = client.get(f"/api/v1/incidents/{created['id']}").get_json()
    assert public["admin_pcode"] == "SY0700"  # public readers: the district, never finer
    neither = {k: v for k, v in body.items() if k not in ("latitude", "longitude")}
    response = client.post("/api/v1/incidents", json=neither, headers=writer)
    assert response.status_code == 422 and "admin_pcode" in response.get_json()["errors"]
