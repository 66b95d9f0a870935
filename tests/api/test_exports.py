"""CSV, HXL and GeoJSON: formats, negotiation, HXL tags, CSV injection, streaming and audit."""

import csv
import io
from datetime import UTC, date, datetime

import hxl
import pytest
from sqlalchemy import event, select

from humanitarian.api import exports
from humanitarian.extensions import db
from humanitarian.models import AuditEvent
from humanitarian.services import (
    Location,
    create_facility,
    record_incident,
    record_movement,
    set_infrastructure_status,
)
from tests import factories as f

INCIDENT_TAGS = [
    "#meta+id",
    "#date+occurred",
    "#event+type",
    "#event+type+sub",
    "#loc+type",
    "#adm1+code",
    "#adm1+name",
    "#adm1+name+ar",
    "#adm2+code",
    "#adm2+name",
    "#adm2+name+ar",
    "#adm3+code",
    "#adm3+name",
    "#adm3+name+ar",
    "#geo+lat",
    "#geo+lon",
    "#affected+killed",
    "#affected+injured",
    "#affected+killed+children",
    "#group+name+first",
    "#group+name+second",
    "#description",
    "#meta+source",
    "#meta+verification",
]
MOVEMENT_TAGS = [
    "#meta+id",
    "#date+start",
    "#date+end",
    "#adm1+code+origin",
    "#adm2+code+origin",
    "#adm1+code+dest",
    "#adm2+code+dest",
    "#affected+ind",
    "#affected+hh",
    "#description",
    "#meta+source",
    "#meta+verification",
]
FACILITY_TAGS = [
    "#meta+id",
    "#loc+name",
    "#loc+type",
    *INCIDENT_TAGS[5:14],
    "#geo+lat",
    "#geo+lon",
    "#status+functionality",
    "#access",
    "#status+damage",
    "#group+name+control",
    "#meta+verification",
    "#loc+name+ar",
]


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def _tags(dataset) -> list[str]:
    """The hashtags libhxl found, in order; untagged columns (extra fields) are skipped."""
    tags = [c.get_display_tag(sort_attributes=False) for c in dataset.columns]
    return [str(t) for t in tags if t]


def assert_each_column_found_by_its_full_tag(dataset, expected: list[str]) -> None:
    """libhxl finds every tagged column by its full tag (an absolute pattern, ``tag!``), one
    column per tag: no two columns share one, and ``#status`` alone never picks two."""
    assert _tags(dataset) == expected
    for tag in expected:
        pattern = hxl.model.TagPattern.parse(tag + "!")
        assert sum(1 for c in dataset.columns if pattern.match(c)) == 1, tag


def _read_hxl(tmp_path, response):
    path = tmp_path / "export.csv"
    path.write_bytes(response.get_data())
    return hxl.data(str(path), hxl.InputOptions(allow_local=True)).cache()


@pytest.fixture
def idleb(system, source):
    """Two Idleb incidents in the period, one before it, one in Aleppo."""
    inside = [
        record_incident(
            system,
            f.incident(
                title="Strike on petrol station",
                target_type="fuel_station",
                actor1="Government air force",
                source_ids=[source.id],
                occurred_on=date(2024, 12, 2),
            ),
        ),
        record_incident(
            system,
            f.incident(title="Shelling of homes", occurred_on=date(2024, 11, 28), killed=None),
        ),
    ]
    record_incident(system, f.incident(title="Earlier", occurred_on=date(2024, 11, 20)))
    record_incident(system, f.incident(location=Location("SY0200", 36.2, 37.1, 2)))
    return inside


def test_hxl_export_reads_back_with_the_domain_tags(client, tmp_path, idleb):
    response = client.get("/api/v1/incidents?admin_pcode=SY07&since=2024-11-27&format=hxl")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    dataset = _read_hxl(tmp_path, response)
    assert_each_column_found_by_its_full_tag(dataset, INCIDENT_TAGS)
    rows = list(dataset)
    assert [r.get("#meta+id") for r in rows] == [str(i.id) for i in idleb]
    first = rows[0]
    assert first.get("#adm1+code") == "SY07" and first.get("#adm1+name") == "Idleb"
    assert first.get("#adm2+code") == "SY0700" and first.get("#loc+type") == "fuel_station"
    assert first.get("#adm1+name+ar") == "إدلب" and first.get("#adm2+name+ar") == "مركز إدلب"
    assert not first.get("#adm3+code")  # recorded at district level
    assert first.get("#meta+source") == "Syrian Civil Defence"
    assert first.get("#affected+killed") == "3" and not rows[1].get("#affected+killed")
    assert first.get("#date+occurred") == "2024-12-02"
    assert first.get("#group+name+first") == "Government air force"
    assert not [c for c in dataset.columns if c.tag == "#org"]


def test_hxl_names_the_sub_district_and_public_readers_get_the_district(client, tmp_path, system):
    # Coordinates only: the service places the school in the Idleb sub-district (SY070000).
    record_incident(system, f.incident(location=Location(None, 35.931, 36.633, 1)))
    partner = _read_hxl(
        tmp_path, client.get("/api/v1/incidents?format=hxl", headers=_partner(client))
    )
    row = next(iter(partner))
    assert [row.get(f"#adm{n}+code") for n in (1, 2, 3)] == ["SY07", "SY0700", "SY070000"]
    assert row.get("#adm3+name") == "Idleb" and row.get("#adm3+name+ar") == "مركز إدلب"
    public = next(iter(_read_hxl(tmp_path, client.get("/api/v1/incidents?format=hxl"))))
    assert [public.get(f"#adm{n}+code") for n in (1, 2, 3)] == ["SY07", "SY0700", None]
    assert not public.get("#adm3+name") and not public.get("#adm3+name+ar")
    rows = _rows(client.get("/api/v1/incidents?format=csv"))
    assert "SY070000" not in "".join(rows[1])


def test_csv_has_a_header_row_and_no_hashtags(client, idleb):
    rows = _rows(client.get("/api/v1/incidents?admin_pcode=SY07&format=csv"))
    assert rows[0][:3] == ["id", "occurred_on", "event_type"]
    assert "title" in rows[0] and not rows[1][0].startswith("#")
    assert len(rows) == 1 + 3


def test_movement_and_facility_hxl_tags(client, tmp_path, system):
    record_movement(system, f.movement())
    airport = create_facility(system, f.facility())
    set_infrastructure_status(
        system,
        airport.id,
        f.status("closed", datetime(2024, 12, 1, tzinfo=UTC), controlled_by="Syrian government"),
    )
    moves = _read_hxl(tmp_path, client.get("/api/v1/movements?format=hxl"))
    assert_each_column_found_by_its_full_tag(moves, MOVEMENT_TAGS)
    row = next(iter(moves))
    assert (row.get("#date+start"), row.get("#date+end")) == ("2024-11-29", "2024-12-04")
    assert row.get("#affected+hh") is None  # households not given
    assert (row.get("#adm1+code+origin"), row.get("#adm1+code+dest")) == ("SY02", "SY06")
    assert (row.get("#adm2+code+origin"), row.get("#adm2+code+dest")) == ("SY0200", None)
    assert row.get("#affected+ind") == "20000"
    facilities = _read_hxl(tmp_path, client.get("/api/v1/facilities?format=hxl"))
    assert_each_column_found_by_its_full_tag(facilities, FACILITY_TAGS)
    row = next(iter(facilities))
    assert row.get("#loc+name!") == "Aleppo International Airport"
    assert row.get("#loc+name+ar") == "مطار حلب الدولي" and row.get("#loc+type") == "airport"
    assert row.get("#access") == "closed" and row.get("#status+functionality") == "not_functional"
    assert row.get("#status+damage") == "none" and row.get("#meta+verification") == "unverified"
    assert row.get("#group+name+control") == "Syrian government"


def test_formula_cells_are_neutralised_but_numbers_are_not(client, system):
    record_incident(
        system,
        f.incident(
            title='=HYPERLINK("http://evil")',
            actor1="+cmd|' /C calc'!A0",
            actor2="@SUM(1+1)",
            description="-2+3",
            location=Location("SY0700", 35.9, 36.6, 1),
        ),
    )
    rows = _rows(client.get("/api/v1/incidents?format=csv", headers=_partner(client)))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["title"] == '\'=HYPERLINK("http://evil")'
    assert record["actor1"] == "'+cmd|' /C calc'!A0"
    assert record["actor2"] == "'@SUM(1+1)" and record["description"] == "'-2+3"
    assert record["longitude"] == "36.6"
    # Numbers are written as numbers, never quoted, even negative ones (western longitudes).
    from humanitarian.api.exports import cell

    assert cell(-5.5) == "-5.5" and cell(-3) == "-3" and cell("-5.5") == "'-5.5"


def _partner(client):
    from humanitarian.models.enums import Scope, Sensitivity
    from humanitarian.services import Actor, create_token

    _, secret = create_token(Actor.system(), "Partner NGO", [Scope.read], Sensitivity.partner)
    return {"Authorization": f"Bearer {secret}"}


def test_public_exports_are_coarsened(client, system):
    record_incident(system, f.incident(location=Location("SY0700", 35.99, 36.70, 1)))
    record = dict(zip(*_rows(client.get("/api/v1/incidents?format=csv")), strict=True))
    # SY0700 Idleb district's centroid in the shipped gazetteer
    assert (record["latitude"], record["longitude"], record["geo_precision"]) == (
        "35.89077",
        "36.79123",
        "3",
    )
    feature = client.get("/api/v1/incidents?format=geojson").get_json()["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [36.79123, 35.89077]}
    exact = client.get("/api/v1/incidents?format=geojson", headers=_partner(client)).get_json()
    assert exact["features"][0]["geometry"]["coordinates"] == [36.70, 35.99]


def test_geojson_feature_collection(client, system):
    incident = record_incident(system, f.incident())
    record_movement(system, f.movement())
    body = client.get("/api/v1/incidents?format=geojson").get_json()
    assert body["type"] == "FeatureCollection" and body["next_cursor"] is None
    assert body["features"][0]["id"] == str(incident.id)
    assert body["features"][0]["properties"]["title"] == incident.title
    flow = client.get("/api/v1/movements?format=geojson").get_json()["features"][0]
    assert flow["geometry"]["type"] == "LineString"  # Jebel Saman → Lattakia centroids
    assert flow["geometry"]["coordinates"][0] == [37.11381, 35.99938]


@pytest.mark.parametrize(
    "accept, mimetype",
    [
        ("text/csv", "text/csv"),
        ("application/geo+json", "application/geo+json"),
        ("application/json", "application/json"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "application/json"),
        ("text/csv;q=0.5, application/geo+json", "application/geo+json"),
    ],
)
def test_accept_header_is_honoured(client, system, accept, mimetype):
    record_incident(system, f.incident())
    response = client.get("/api/v1/incidents", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == mimetype


def test_format_parameter_wins_over_accept(client, system):
    record_incident(system, f.incident())
    response = client.get("/api/v1/incidents?format=hxl", headers={"Accept": "application/json"})
    assert _rows(response)[1][0] == "#meta+id"


def test_paged_csv_carries_the_next_cursor(client, idleb):
    response = client.get("/api/v1/incidents?format=csv&limit=2")
    assert len(_rows(response)) == 3
    cursor = response.headers["X-Next-Cursor"]
    assert f"cursor={cursor}" in response.headers["Link"]
    following = client.get(f"/api/v1/incidents?format=csv&limit=2&cursor={cursor}")
    assert len(_rows(following)) == 3 and "X-Next-Cursor" not in following.headers


def test_exports_are_audited(client, idleb):
    client.get("/api/v1/incidents?admin_pcode=SY07&format=hxl&limit=all")
    client.get("/api/v1/incidents")  # a JSON page is a read, not an export
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert len(events) == 1
    assert events[0].entity_type == "incidents"
    assert events[0].details["format"] == "hxl" and events[0].details["limit"] == "all"
    assert events[0].details["params"]["admin_pcode"] == ["SY07"]


def test_limit_all_streams_partition_by_partition(client, system, monkeypatch):
    monkeypatch.setattr(exports, "STREAM_PARTITION", 2)
    for n in range(5):
        record_incident(system, f.incident(title=f"Strike {n}", occurred_on=date(2024, 12, 1)))
    streamed = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM incidents" in statement:
            streamed.append(context.execution_options.get("yield_per"))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        response = client.get("/api/v1/incidents?limit=all&format=csv")
        assert response.is_streamed
        chunks = [c for c in response.response if c]
    finally:
        event.remove(engine, "before_cursor_execute", note)
    # header + 2 rows, 2 rows, 1 row, then the writer's empty flush: written as fetched
    assert [chunk.count(b"\r\n") for chunk in chunks] == [3, 2, 1]
    assert 2 in streamed
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode())))
    assert len(rows) == 6 and len({r[0] for r in rows[1:]}) == 5


def test_limit_all_json_streams_a_complete_document(client, system):
    for n in range(3):
        record_incident(system, f.incident(title=f"Strike {n}"))
    response = client.get("/api/v1/incidents?limit=all")
    assert response.is_streamed
    body = response.get_json()
    assert len(body["items"]) == 3 and body["next_cursor"] is None
