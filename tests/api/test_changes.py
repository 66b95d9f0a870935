"""GET /changes: every committed change in one order, resumable, within the reader's grant."""

from __future__ import annotations

from dataclasses import replace

from humanitarian.extensions import db
from humanitarian.models import ChangeEntry
from humanitarian.models.enums import Sensitivity
from humanitarian.services import (
    correct_incident,
    create_facility,
    record_incident,
    record_movement,
    set_infrastructure_status,
    set_movement_verification,
)
from humanitarian.services.incidents import incident_input_from
from humanitarian.services.inputs import Location
from humanitarian.services.retraction import retract_record
from tests import factories as f

STAFF = f.actor(Sensitivity.restricted, scopes=("read", "append", "verify", "admin"))


def collect(client, headers=None, cursor=None, **params) -> tuple[list[dict], str]:
    """Every item after ``cursor``, following next_cursor; and the last next_cursor."""
    items = []
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/changes", query_string=query, headers=headers or {}).get_json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return items, cursor


def test_every_kind_of_change_in_commit_order(client, make_token):
    token = make_token("read", "restricted")
    incident = record_incident(STAFF, f.incident(sensitivity="public"))
    facility = create_facility(STAFF, f.facility(sensitivity="public"))
    entry = set_infrastructure_status(STAFF, facility.id, f.status(sensitivity="public"))
    movement = record_movement(STAFF, f.movement(sensitivity="public"))
    data = incident_input_from(incident)
    correct_incident(STAFF, incident.id, replace(data, killed=5), "new figures")
    set_movement_verification(STAFF, movement.id, "verified")
    retract_record(STAFF, "incident", incident.id, "fabricated")

    items, _ = collect(client, token.headers, limit=2)
    got = [(i["kind"], i["action"], i["record_id"]) for i in items]
    assert got == [
        ("incident", "created", str(incident.id)),
        ("facility", "created", str(facility.id)),
        ("status", "status_added", str(entry.id)),
        ("movement", "created", str(movement.id)),
        ("incident", "revised", str(incident.id)),
        ("movement", "verified", str(movement.id)),
        ("incident", "retracted", str(incident.id)),
    ]
    assert [i["revision"] for i in items if i["kind"] == "incident"] == [1, 2, 2]
    # The record is as it is now: the retracted incident is null in all its entries.
    assert all(i["record"] is None for i in items if i["kind"] == "incident")
    assert items[3]["record"]["verification"] == "verified"
    assert items[2]["record"]["access"] == "closed"
    assert [row.position for row in db.session.query(ChangeEntry).order_by(ChangeEntry.id)] == [
        1,
        2,
        3,
        4,
        5,
        6,
        7,
    ]


def test_resuming_from_a_cursor_never_repeats_or_skips(client, make_token):
    token = make_token("read", "partner")
    first = [record_incident(STAFF, f.incident(title=f"first {i}")) for i in range(3)]
    seen, cursor = collect(client, token.headers)
    assert [i["record_id"] for i in seen] == [str(r.id) for r in first]
    again, same = collect(client, token.headers, cursor=cursor)
    assert again == [] and same == cursor
    later = [record_incident(STAFF, f.incident(title=f"later {i}")) for i in range(2)]
    more, _ = collect(client, token.headers, cursor=cursor)
    assert [i["record_id"] for i in more] == [str(r.id) for r in later]
    # Resuming from an item's own cursor starts right after it.
    tail, _ = collect(client, token.headers, cursor=seen[1]["cursor"])
    assert [i["record_id"] for i in tail] == [str(r.id) for r in (first[2], *later)]


def test_a_forged_cursor_is_refused_naming_it(client, make_token):
    token = make_token("read", "partner")
    record_incident(STAFF, f.incident())
    _, cursor = collect(client, token.headers)
    for forged in ("MQ", cursor[:-2] + "xx", "1", "eyJwb3NpdGlvbiI6MX0"):
        response = client.get(f"/api/v1/changes?cursor={forged}", headers=token.headers)
        assert response.status_code == 400, forged
        assert response.mimetype == "application/problem+json"
        assert "cursor" in response.get_json()["errors"]


def test_nobody_learns_of_an_entry_above_their_grant(client, make_token):
    restricted = record_incident(STAFF, f.incident(sensitivity="restricted", title="Qxsecret"))
    partner = record_incident(STAFF, f.incident(sensitivity="partner"))
    public = record_incident(STAFF, f.incident(sensitivity="public"))
    for grant, expected in (
        ("public", [public]),
        ("partner", [partner, public]),
        ("restricted", [restricted, partner, public]),
    ):
        items, _ = collect(client, make_token("read", grant).headers)
        assert [i["record_id"] for i in items] == [str(r.id) for r in expected], grant
    anonymous = client.get("/api/v1/changes")
    assert anonymous.status_code == 200
    assert str(restricted.id) not in anonymous.get_data(as_text=True)
    assert "Qxsecret" not in anonymous.get_data(as_text=True)


def test_a_record_made_more_public_appears_then_and_one_made_less_public_is_withdrawn(
    client, make_token
):
    public_reader = make_token("read", "public").headers
    incident = record_incident(STAFF, f.incident(sensitivity="restricted"))
    assert collect(client, public_reader)[0] == []
    data = incident_input_from(incident)
    correct_incident(STAFF, incident.id, replace(data, sensitivity="public"), "cleared")
    items, cursor = collect(client, public_reader)
    assert [(i["action"], i["revision"]) for i in items] == [("revised", 2)]
    assert items[0]["record"]["sensitivity"] == "public"
    # Raised again: the public reader is told (with no record) so a mirror drops it.
    correct_incident(STAFF, incident.id, replace(data, sensitivity="partner"), "names a person")
    withdrawn, _ = collect(client, public_reader, cursor=cursor)
    assert [(i["action"], i["record"]) for i in withdrawn] == [("revised", None)]


def test_public_readers_see_places_at_district_level(client):
    record_incident(STAFF, f.incident(sensitivity="public"))  # a point in SY0700
    items, _ = collect(client)
    record = items[0]["record"]
    assert record["geo_precision"] == 3
    assert (record["latitude"], record["longitude"]) != (35.93, 36.63)


def test_filters_by_kind_and_area(client, make_token):
    token = make_token("read", "partner")
    idleb = record_incident(STAFF, f.incident())  # SY0700
    aleppo = create_facility(STAFF, f.facility())  # SY0200
    flow = record_movement(STAFF, f.movement())
    by_kind, _ = collect(client, token.headers, kinds=["facility", "movement"])
    assert [i["record_id"] for i in by_kind] == [str(aleppo.id), str(flow.id)]
    by_area, _ = collect(client, token.headers, admin_pcode="SY07")
    assert str(idleb.id) in [i["record_id"] for i in by_area]
    assert str(aleppo.id) not in [i["record_id"] for i in by_area]
    bad = client.get("/api/v1/changes?kinds=person", headers=token.headers)
    assert bad.status_code == 422 and "kinds" in bad.get_json()["errors"]


def test_a_rolled_back_write_leaves_no_entry(app):
    import pytest

    from humanitarian.services import ServiceError

    with pytest.raises(ServiceError):
        record_incident(STAFF, f.incident(location=Location("SY9999", None, None, 3)))
    assert db.session.query(ChangeEntry).count() == 0
    record_incident(STAFF, f.incident())
    assert [e.position for e in db.session.query(ChangeEntry)] == [1]
