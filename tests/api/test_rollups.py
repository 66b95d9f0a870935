"""HDX HAPI rollups: HAPI's columns and event types; totals equal the lists' for the same filters."""

import csv
import io

import hxl
import pytest

from humanitarian.services import record_incident, record_movement
from tests import factories as f

FILTERS = [
    "",
    "admin_pcode=SY07",
    "admin_pcode=SY02&since=2024-11-27&until=2024-12-04",
    "since=2024-12-02&until=2024-12-02",
]


def _list(client, kind, query, headers=None) -> list[dict]:
    url = f"/api/v1/{kind}?limit=1000&{query}"
    return client.get(url, headers=headers or {}).get_json()["items"]


@pytest.mark.parametrize("query", FILTERS)
@pytest.mark.parametrize("grant", ["public", "restricted"])
def test_conflict_event_totals_equal_the_incident_list(client, demo, make_token, query, grant):
    headers = make_token("read", grant).headers if grant != "public" else {}
    rows = client.get(f"/api/v1/rollups/conflict-events?{query}", headers=headers).get_json()
    incidents = _list(client, "incidents", query, headers)
    counted = [i for i in incidents if i["event_type"] != "strategic_developments"]
    by_type = {}
    for row in rows["items"]:
        total = by_type.setdefault(row["event_type"], [0, 0])
        total[0] += row["events"]
        total[1] += row["fatalities"]
    assert sum(v[0] for k, v in by_type.items() if k != "civilian_targeting") == len(counted)
    assert sum(v[1] for k, v in by_type.items() if k != "civilian_targeting") == sum(
        i["killed"] or 0 for i in counted
    )
    flagged = [i for i in incidents if i["civilian_targeting"]]
    assert by_type.get("civilian_targeting", [0, 0])[0] == len(flagged)
    assert not query or incidents, "the filter must select something"


def test_conflict_events_have_hapis_columns(client, demo):
    body = client.get("/api/v1/rollups/conflict-events?admin_pcode=SY07").get_json()
    strikes = [
        r
        for r in body["items"]
        if r["admin2_code"] == "SY0700" and r["event_type"] == "civilian_targeting"
    ]
    assert strikes == [
        {
            "location_code": "SYR",
            "admin1_code": "SY07",
            "admin1_name": "Idleb",
            "admin2_code": "SY0700",
            "admin2_name": "Idleb",
            "event_type": "civilian_targeting",
            "events": 3,  # homes, the school and the petrol station
            "fatalities": 8 + 2 + 3,
            "reference_period_start": "2024-12-01",
            "reference_period_end": "2024-12-31",
        }
    ]
    assert {r["event_type"] for r in body["items"]} <= {
        "political_violence",
        "civilian_targeting",
        "demonstration",
    }


def test_demonstrations_and_mob_violence(client, system):
    record_incident(system, f.incident(event_type="protests", sub_event_type="peaceful_protest"))
    record_incident(system, f.incident(event_type="riots", sub_event_type="mob_violence"))
    record_incident(
        system, f.incident(event_type="strategic_developments", sub_event_type="arrests")
    )
    rows = client.get("/api/v1/rollups/conflict-events").get_json()["items"]
    assert sorted((r["event_type"], r["events"]) for r in rows) == [
        ("demonstration", 1),
        ("political_violence", 1),
    ]


def test_displacement_totals_equal_the_movement_list_and_say_they_are_flows(client, demo):
    for query in FILTERS:
        body = client.get(f"/api/v1/rollups/displacement?{query}").get_json()
        assert "not IOM DTM stock" in body["note"]
        moves = _list(client, "movements", query)
        assert sum(r["flows"] for r in body["items"]) == len(moves)
        assert sum(r["population"] for r in body["items"]) == sum(
            m["individuals"] or 0 for m in moves
        )


def test_displacement_counts_a_return_where_people_arrived(client, system):
    record_movement(
        system,
        f.movement(movement_type="return", origin_pcode="SY0703", destination_pcode="SY0200"),
    )
    (row,) = client.get("/api/v1/rollups/displacement").get_json()["items"]
    assert (row["admin2_code"], row["movement_type"], row["population"]) == (
        "SY0200",
        "return",
        20000,
    )
    assert (row["reference_period_start"], row["reference_period_end"]) == (
        "2024-11-01",
        "2024-11-30",
    )


def test_csv_and_hxl_read_back(client, demo, tmp_path):
    text = client.get("/api/v1/rollups/conflict-events?format=csv").get_data(as_text=True)
    header = next(csv.reader(io.StringIO(text)))
    assert header == [
        "location_code", "admin1_code", "admin1_name", "admin2_code", "admin2_name",
        "event_type", "events", "fatalities", "reference_period_start", "reference_period_end",
    ]  # fmt: skip
    for name in ("conflict-events", "displacement"):
        response = client.get(f"/api/v1/rollups/{name}?format=hxl")
        assert response.status_code == 200
        path = tmp_path / f"{name}.csv"
        path.write_bytes(response.get_data())
        data = hxl.data(str(path), hxl.InputOptions(allow_local=True)).cache()
        tags = [c.get_display_tag(sort_attributes=True) for c in data.columns if c.tag]
        assert len(tags) == len(set(tags)) and "#adm2+code" in tags
        assert sum(int(r.get("#affected+ind!") or r.get("#affected+killed") or 0) for r in data) > 0


def test_bad_filters_are_422(client):
    assert client.get("/api/v1/rollups/conflict-events?admin_pcode=SY99").status_code == 422
    assert client.get("/api/v1/rollups/displacement?event_type=battles").status_code == 422
    assert client.get("/api/v1/rollups/displacement?format=geojson").status_code == 422


def test_a_record_above_the_grant_is_in_no_rollup_total(client, system, make_token):
    record_incident(system, f.incident(killed=7, sensitivity="restricted"))
    record_incident(system, f.incident(killed=2, sensitivity="public"))
    public = client.get("/api/v1/rollups/conflict-events").get_json()["items"]
    assert sum(r["fatalities"] for r in public if r["event_type"] == "political_violence") == 2
    staff = make_token("read", "restricted").headers
    everything = client.get("/api/v1/rollups/conflict-events", headers=staff).get_json()["items"]
    assert sum(r["events"] for r in everything if r["event_type"] == "political_violence") == 2
    record_movement(system, f.movement(individuals=999, sensitivity="partner"))
    assert client.get("/api/v1/rollups/displacement").get_json()["items"] == []
