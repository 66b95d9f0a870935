"""Oracle checks: no filter a reader can use tells them anything about what they may not see.

Two forms of the same promise:

- **with and without.** For each grant below 'restricted', every answer (lists in every
  format, with each filter: bbox, admin_pcode, since/until, updated_since, the enumerations,
  the audit trail's actor and action) is recorded, then records above the grant are written
  (an incident, a facility and a movement in a sub-district, status entries on a facility the
  reader sees, a correction detour of a record above the grant, an append through the API),
  and every answer must be exactly the same.
- **shown, then filtered.** A public reader's location filters work on what they are shown:
  for every box of a bisection around a public record's true point, the answer is the
  unfiltered answer filtered by the coordinates it shows; a sub-district filter answers as
  its district does.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from urllib.parse import quote

import pytest
from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import ApiToken
from humanitarian.models.enums import Sensitivity
from humanitarian.services import (
    FacilityInput,
    Location,
    MovementInput,
    StatusInput,
    correct_incident,
    create_facility,
    record_incident,
    record_movement,
    set_infrastructure_status,
    set_movement_verification,
    set_status_verification,
)
from tests.factories import condition

from .bodies import incident_body
from .callers import CALLER
from .data import DISTRICT, FACILITY_AT, INCIDENT_AT, above
from .world import SYSTEM, World, incident_input

SUB, SUB_POINT = "SY070001", (35.73, 37.10)  # Abul Thohur sub-district of Idleb district
GRANTS = ("public", "partner")


def _box(lat: float, lon: float, half: float = 0.02) -> str:
    return f"{lon - half},{lat - half},{lon + half},{lat + half}"


def _queries(world: World, since: str) -> list[str]:
    hidden_box, since = _box(*SUB_POINT), quote(since)
    period = "since=2024-12-01&until=2024-12-02"
    lists = {
        "incidents": (
            f"bbox={hidden_box}",
            f"bbox={_box(*INCIDENT_AT['public'])}",
            f"admin_pcode={SUB}",
            f"admin_pcode={DISTRICT}",
            period,
            f"updated_since={since}",
            "event_type=battles",
            "sub_event_type=armed_clash",
            "target_type=military",
            "verification=verified",
        ),
        "facilities": (
            f"bbox={hidden_box}",
            f"admin_pcode={SUB}",
            f"updated_since={since}",
            "damage=fully_damaged",
            "functionality=not_functional",
            "access=closed",
            "facility_type=airbase",
            "since=2024-12-01&until=2024-12-03",
            "verification=verified",
        ),
        "movements": (
            f"bbox={hidden_box}",
            f"admin_pcode={SUB}",
            period,
            f"updated_since={since}",
            "movement_type=return",
            "verification=verified",
        ),
    }
    paths = [
        f"/api/v1/{kind}?{query}&format={fmt}"
        for kind, queries in lists.items()
        for query in ("limit=1000", *queries)
        for fmt in ("json", "csv")
    ]
    paths += [f"/api/v1/{kind}?format=geojson&limit=all" for kind in ("incidents", "facilities")]
    public = world.facilities["public"]
    return [
        *paths,
        f"/api/v1/facilities/{public}",
        f"/api/v1/facilities/{public}/statuses",
        f"/api/v1/incidents/{world.incidents['public']}",
        f"/api/v1/incidents/{world.incidents['public']}/revisions",
        f"/api/v1/summary?admin_pcode={SUB}&{period}",
        "/api/v1/summary?admin_pcode=SY07&since=2024-11-27&until=2024-12-04",
        "/api/v1/sitreps",
    ]


def _audit_queries(token_id: str) -> list[str]:
    """The trail by action and by acting account (its own reads are left out: they differ)."""
    actions = "action=incident.create&action=status.set&action=movement.verify&action=status.verify"
    return [f"/api/v1/audit?{actions}", f"/api/v1/audit?actor={token_id}&action=incident.create"]


def _answers(world: World, caller: str, paths: list[str]) -> dict[str, str]:
    client = world.client(CALLER[caller])
    out = {}
    for path in paths:
        response = client.request("GET", path)
        assert response.status_code == 200, (caller, path, response.status_code)
        out[path] = response.get_data(as_text=True)
    return out


def _write_above(world: World, grant: str) -> None:
    """Records and changes above ``grant``, each touching what the reader's filters ask."""
    for level in above(grant):
        s = Sensitivity(level)
        record_incident(
            SYSTEM,
            incident_input(
                level,
                location=Location(SUB, *SUB_POINT, 1),
                occurred_on=date(2024, 12, 1),
                event_type="battles",
                sub_event_type="armed_clash",
                target_type="military",
                verification="verified",
            ),
        )
        depot = create_facility(
            SYSTEM,
            FacilityInput(
                name=f"Airbase {level}",
                facility_type="airbase",
                location=Location(SUB, *SUB_POINT, 1),
                sensitivity=s,
                verification="verified",
            ),
        )
        for facility in (depot.id, world.facilities["public"], world.facilities[grant]):
            entry = set_infrastructure_status(
                SYSTEM,
                facility,
                StatusInput(
                    **condition("destroyed"),
                    effective_from=datetime(2024, 12, 2, tzinfo=UTC),
                    sensitivity=s,
                ),
            )
            set_status_verification(SYSTEM, entry.id, "verified")
        movement = record_movement(
            SYSTEM,
            MovementInput(
                movement_type="return",
                origin_pcode=SUB,
                destination_pcode="SY0200",
                period_start=date(2024, 12, 1),
                period_end=date(2024, 12, 2),
                individuals=4242,
                estimate_method="key_informant",
                sensitivity=s,
            ),
        )
        set_movement_verification(SYSTEM, movement.id, "verified")
    if grant == "public":
        # The partner incident goes to restricted and back: nothing a public reader sees.
        partner = world.incidents["partner"]
        correct_incident(SYSTEM, partner, incident_input("restricted"), "under review")
        correct_incident(SYSTEM, partner, incident_input("partner"), "review done")
    posted = world.client(CALLER["token append/restricted"]).request(
        "POST", "/api/v1/incidents", json=incident_body("restricted")
    )
    assert posted.status_code == 201
    db.session.remove()


@pytest.mark.parametrize("grant", GRANTS)
def test_nothing_above_the_grant_moves_any_answer(fresh_world, grant):
    readers = [f"token read/{grant}"] + (["anonymous"] if grant == "public" else [])
    paths = _queries(fresh_world, datetime.now(UTC).isoformat())
    token_id = str(
        db.session.scalar(select(ApiToken.id).where(ApiToken.name == "token append/restricted"))
    )
    audit_paths = _audit_queries(token_id)
    before = {reader: _answers(fresh_world, reader, paths) for reader in readers}
    before_audit = _answers(fresh_world, f"token admin/{grant}", audit_paths)
    _write_above(fresh_world, grant)
    for reader in readers:
        after = _answers(fresh_world, reader, paths)
        moved = [path for path in paths if after[path] != before[reader][path]]
        assert not moved, (reader, moved)
    after_audit = _answers(fresh_world, f"token admin/{grant}", audit_paths)
    assert after_audit == before_audit
    # The writes did happen: a restricted reader's answers moved.
    full = _answers(fresh_world, "token read/restricted", paths[:2])
    assert "armed_clash" in full[paths[0]]


def _shown(world: World, resource: str) -> dict[str, tuple[float, float]]:
    items = _answers(world, "anonymous", [f"/api/v1/{resource}?limit=1000"])
    body = json.loads(next(iter(items.values())))
    return {i["id"]: (i["latitude"], i["longitude"]) for i in body["items"]}


def _inside(box: tuple[float, float, float, float], point) -> bool:
    lat, lon = point
    return lat is not None and box[0] <= lon <= box[2] and box[1] <= lat <= box[3]


@pytest.mark.parametrize("resource", ("incidents", "facilities"))
def test_a_public_bbox_answers_from_what_is_shown(world, resource):
    """A bisection towards the public record's true point: each answer is what filtering the
    shown coordinates gives, so the true point never shows through."""
    shown = _shown(world, resource)
    lat, lon = (INCIDENT_AT if resource == "incidents" else FACILITY_AT)["public"]
    box = (lon - 1.0, lat - 1.0, lon + 1.0, lat + 1.0)
    for step in range(12):
        query = ",".join(str(v) for v in box)
        answer = _answers(world, "anonymous", [f"/api/v1/{resource}?bbox={query}&limit=1000"])
        got = {i["id"] for i in json.loads(next(iter(answer.values())))["items"]}
        assert got == {i for i, point in shown.items() if _inside(box, point)}, step
        half = (box[2] - box[0]) / 4
        box = (lon - half, lat - half, lon + half, lat + half)


def test_a_public_sub_district_filter_answers_as_its_district(world):
    for resource in ("incidents", "facilities", "movements"):
        paths = [f"/api/v1/{resource}?admin_pcode={code}" for code in (SUB, DISTRICT)]
        answers = _answers(world, "anonymous", paths)
        assert answers[paths[0]] == answers[paths[1]], resource
