"""Timestamps and counters a reader sees move only with changes within their grant: a facility's
``updated_at`` (and ``updated_since``), an incident's ``revision`` and ``created_at``, and the
numbers of its revision history."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import IncidentRevision, InfrastructureStatus
from humanitarian.models.enums import Sensitivity
from humanitarian.services import (
    StatusInput,
    correct_incident,
    set_infrastructure_status,
    set_status_verification,
)
from tests.factories import condition

from .callers import CALLER
from .data import MARK
from .world import SYSTEM, World, incident_input

READERS = {
    "public": "token read/public",
    "partner": "token read/partner",
    "restricted": "token read/restricted",
}


def _get(world: World, grant: str, path: str):
    answer = world.client(CALLER[READERS[grant]]).request("GET", path)
    assert answer.status_code == 200, (path, answer.status_code)
    return answer.get_json()


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _entry_time(mark: str) -> datetime:
    db.session.expire_all()
    entry = db.session.scalars(
        select(InfrastructureStatus).where(InfrastructureStatus.details == mark)
    ).first()
    return entry.created_at


def _ids(world: World, grant: str, path: str) -> set[str]:
    return {i["id"] for i in _get(world, grant, path)["items"]}


def test_a_facilitys_updated_at_moves_only_with_entries_within_the_grant(fresh_world):
    facility = fresh_world.facilities["public"]
    seen = {
        grant: _when(_get(fresh_world, grant, f"/api/v1/facilities/{facility}")["updated_at"])
        for grant in READERS
    }
    # The public facility's entries were added public, then partner, then restricted.
    assert seen["public"] == _entry_time(f"Status {MARK['public']}")
    assert seen["partner"] == _entry_time(f"Status {MARK['partner']}")
    assert seen["restricted"] == _entry_time(f"Status {MARK['restricted']}")
    assert seen["public"] < seen["partner"] < seen["restricted"]
    # updated_since matches what each reader is shown, not the hidden change.
    after_partner = quote(seen["partner"].isoformat())
    path = f"/api/v1/facilities?updated_since={after_partner}"
    assert str(facility) not in _ids(fresh_world, "public", path)
    assert str(facility) in _ids(fresh_world, "partner", path)
    after_public = quote(seen["public"].isoformat())
    path = f"/api/v1/facilities?updated_since={after_public}"
    assert str(facility) in _ids(fresh_world, "public", path)


def test_a_hidden_status_entry_or_verification_changes_nothing_a_public_reader_sees(fresh_world):
    facility = fresh_world.facilities["public"]
    paths = (
        f"/api/v1/facilities/{facility}",
        "/api/v1/facilities",
        "/api/v1/facilities?format=csv",
        "/api/v1/facilities?updated_since=2020-01-01T00:00:00Z",
        f"/api/v1/facilities?updated_since={quote(datetime.now(UTC).isoformat())}",
    )
    client = fresh_world.client(CALLER["anonymous"])

    def answers():
        return [client.request("GET", path).get_data(as_text=True) for path in paths]

    before = answers()
    entry = set_infrastructure_status(
        SYSTEM,
        facility,
        StatusInput(
            **condition("destroyed"),
            effective_from=datetime(2024, 12, 3, tzinfo=UTC),
            details="Qxhid2231",
            sensitivity=Sensitivity.restricted,
        ),
    )
    set_status_verification(SYSTEM, entry.id, "verified")
    db.session.remove()
    assert answers() == before


def test_revisions_made_above_the_grant_are_not_counted(fresh_world):
    """The public incident began as a restricted draft (revision 1) and was cleared as
    revision 2: public and partner readers see it as revision 1, created when it was cleared."""
    incident = fresh_world.incidents["public"]
    db.session.expire_all()
    cleared = db.session.scalars(
        select(IncidentRevision).where(
            IncidentRevision.incident_id == incident, IncidentRevision.revision == 2
        )
    ).one()
    for grant in ("public", "partner"):
        item = _get(fresh_world, grant, f"/api/v1/incidents/{incident}")
        assert item["revision"] == 1
        assert _when(item["created_at"]) == cleared.created_at
        history = _get(fresh_world, grant, f"/api/v1/incidents/{incident}/revisions")
        assert [r["revision"] for r in history["items"]] == [1]
        listed = _get(fresh_world, grant, "/api/v1/incidents")["items"]
        assert {i["id"]: i["revision"] for i in listed}[str(incident)] == 1
    full = _get(fresh_world, "restricted", f"/api/v1/incidents/{incident}")
    assert full["revision"] == 2 and _when(full["created_at"]) < cleared.created_at
    history = _get(fresh_world, "restricted", f"/api/v1/incidents/{incident}/revisions")
    assert [r["revision"] for r in history["items"]] == [1, 2]
    page = fresh_world.client(CALLER["user viewer/public"]).request("GET", f"/incidents/{incident}")
    assert "revision 1<" in page.get_data(as_text=True)


def test_a_detour_above_the_grant_adds_one_visible_revision(fresh_world):
    """Partner → restricted → partner: a partner reader sees two revisions (the first and the
    one that brought it back), numbered 1 and 2; the created_at they see does not move."""
    incident = fresh_world.incidents["partner"]
    before = _get(fresh_world, "partner", f"/api/v1/incidents/{incident}")
    correct_incident(SYSTEM, incident, incident_input("restricted"), "under review")
    correct_incident(SYSTEM, incident, incident_input("partner"), "review done")
    db.session.remove()
    after = _get(fresh_world, "partner", f"/api/v1/incidents/{incident}")
    assert (before["revision"], after["revision"]) == (1, 2)
    assert after["created_at"] == before["created_at"]
    history = _get(fresh_world, "partner", f"/api/v1/incidents/{incident}/revisions")
    assert [r["revision"] for r in history["items"]] == [1, 2]
    assert "under review" not in str(history)
    assert _get(fresh_world, "restricted", f"/api/v1/incidents/{incident}")["revision"] == 3
