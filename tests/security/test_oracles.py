"""Side doors: ways to learn of, or act on, a record above one's grant without reading it, and
credentials or keys that must not reach across tokens and organizations."""

from __future__ import annotations

from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import Incident, InfrastructureStatus

from .bodies import as_form, incident_body
from .callers import CALLER
from .data import MISSING_ID, ORPHAN_MARK
from .leaks import comparable
from .world import World


def _incident(world: World, sensitivity: str) -> Incident:
    db.session.expire_all()
    return db.session.get(Incident, world.incidents[sensitivity])


def test_linking_a_facility_above_the_grant_reads_as_unknown(fresh_world):
    """Naming a restricted facility in a new incident is refused exactly as naming one that
    does not exist, so the answer cannot be used to probe for restricted ids."""
    client = fresh_world.client(CALLER["token append/partner"])
    restricted = fresh_world.facilities["restricted"]
    answers = {}
    for facility in (restricted, MISSING_ID):
        body = incident_body("partner", facility_id=str(facility))
        answers[facility] = client.request("POST", "/api/v1/incidents", json=body)
        assert answers[facility].status_code == 422
        assert "facility_id" in answers[facility].get_json()["errors"]
    assert comparable(answers[restricted], str(restricted)) == comparable(
        answers[MISSING_ID], str(MISSING_ID)
    )
    page = fresh_world.client(CALLER["user reporter/partner"]).request(
        "POST", "/incidents/new", form=as_form(incident_body("partner", facility_id=restricted))
    )
    assert page.status_code == 422
    assert f"Unknown facility {restricted}." in page.get_data(as_text=True)


def test_a_correction_keeps_a_link_the_corrector_cannot_see(fresh_world):
    """The public incident names the restricted facility. A partner-grant reporter sees the
    incident without the link; saving the correction form as shown must not remove it."""
    reporter = fresh_world.client(CALLER["user reporter/partner"])
    incident = fresh_world.incidents["public"]
    form = reporter.request("GET", f"/incidents/{incident}/correct").get_data(as_text=True)
    assert str(fresh_world.facilities["restricted"]) not in form
    saved = reporter.request(
        "POST",
        f"/incidents/{incident}/correct",
        form=as_form(incident_body("public", reason="casualty figures confirmed")),
    )
    assert saved.status_code == 303
    stored = _incident(fresh_world, "public")
    assert stored.revision == 3 and stored.facility_id == fresh_world.facilities["restricted"]
    token = fresh_world.client(CALLER["token append/partner"])
    body = incident_body("public", reason="title corrected")
    assert (
        token.request("POST", f"/api/v1/incidents/{incident}/revisions", json=body).status_code
        == 201
    )
    assert _incident(fresh_world, "public").facility_id == fresh_world.facilities["restricted"]
    # Someone who can see the facility may still remove the link.
    admin = fresh_world.client(CALLER["token append/restricted"])
    assert (
        admin.request("POST", f"/api/v1/incidents/{incident}/revisions", json=body).status_code
        == 201
    )
    assert _incident(fresh_world, "public").facility_id is None


def test_verifying_a_status_of_an_unseen_facility_is_not_found(fresh_world):
    """A public status entry on the restricted facility belongs to a record the verifier
    cannot see: it answers 404 like a missing entry, and stays as it was."""
    verifier = fresh_world.client(CALLER["user verifier/partner"])
    form = {"verification": "verified"}
    orphan = verifier.request("POST", f"/review/statuses/{fresh_world.orphan_status}", form=form)
    missing = verifier.request("POST", f"/review/statuses/{MISSING_ID}", form=form)
    assert orphan.status_code == missing.status_code == 404
    assert comparable(orphan, str(fresh_world.orphan_status)) == comparable(
        missing, str(MISSING_ID)
    )
    db.session.expire_all()
    entry = db.session.scalars(
        select(InfrastructureStatus).where(InfrastructureStatus.details == ORPHAN_MARK)
    )
    assert all(e.verification == "unverified" for e in entry)
    allowed = fresh_world.client(CALLER["user verifier/restricted"])
    assert (
        allowed.request(
            "POST", f"/review/statuses/{fresh_world.orphan_status}", form=form
        ).status_code
        == 303
    )


def test_idempotency_keys_belong_to_one_token(fresh_world):
    """A key reused by another token (of the same or another organization) is a new request:
    it neither replays the first token's stored response nor reports a conflict with it."""
    key = {"Idempotency-Key": "shared-key-2024-12-02"}
    body = incident_body("partner")
    first = fresh_world.client(CALLER["token append/partner"])
    original = first.request("POST", "/api/v1/incidents", json=body, headers=key)
    assert original.status_code == 201
    replay = first.request("POST", "/api/v1/incidents", json=body, headers=key)
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.get_json()["id"] == original.get_json()["id"]
    # Another organization's token with the same body, another token of ours with another.
    for other, attempt in (
        ("token other-org", body),
        ("token append/restricted", {**body, "title": "A different report"}),
    ):
        answer = fresh_world.client(CALLER[other]).request(
            "POST", "/api/v1/incidents", json=attempt, headers=key
        )
        assert answer.status_code == 201, (other, answer.get_json())
        assert "Idempotent-Replayed" not in answer.headers
        assert answer.get_json()["id"] != original.get_json()["id"]
