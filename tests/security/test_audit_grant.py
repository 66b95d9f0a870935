"""The audit trail as each admin's grant allows: entries about records above it are left out,
on the API and on /admin/audit, whatever kind of entry they are. One test per kind of entry:
for each admin grant, the entries about records within it are listed and the others are not,
by id or by anything they say."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from humanitarian.extensions import db
from humanitarian.models.enums import Channel, Scope, Sensitivity
from humanitarian.services import (
    Actor,
    StatusInput,
    correct_incident,
    create_token,
    create_user,
    record_incident,
    record_movement,
    revoke_token,
    set_incident_verification,
    set_infrastructure_status,
    set_movement_verification,
    set_status_verification,
    sitrep_pdf_path,
)
from humanitarian.services.errors import NotFound, PermissionDenied
from tests import factories as f

from .callers import CALLER
from .data import SENSITIVITIES, above, up_to
from .world import SYSTEM, World, incident_input

ADMINS = ("token admin/public", "token admin/partner", "user admin/public", "user admin/partner")


@dataclass
class Activity:
    """Entries of every kind, one per sensitivity: kind → sensitivity → the entity id."""

    ids: dict[str, dict[str, str]] = field(default_factory=dict)
    marks: dict[str, str] = field(default_factory=dict)  # sensitivity → text only its entries say

    def add(self, kind: str, sensitivity: str, entity_id) -> None:
        self.ids.setdefault(kind, {})[sensitivity] = str(entity_id)


def _make_activity(world: World) -> Activity:
    done = Activity()
    for s in SENSITIVITIES:
        reason = done.marks[s] = f"Correction Qxaud{s[:3]}{uuid.uuid4().hex[:6]}"
        incident = record_incident(SYSTEM, incident_input(s, title=f"Audited {s}"))
        done.add("incident.create", s, incident.id)
        correct_incident(SYSTEM, incident.id, incident_input(s, title=f"Audited {s}"), reason)
        done.add("incident.correct", s, incident.id)
        set_incident_verification(SYSTEM, incident.id, "verified")  # a correction too
        movement = record_movement(SYSTEM, f.movement(sensitivity=Sensitivity(s)))
        done.add("movement.create", s, movement.id)
        set_movement_verification(SYSTEM, movement.id, "verified")
        done.add("movement.verify", s, movement.id)
        entry = set_infrastructure_status(
            SYSTEM,
            world.facilities[s],
            StatusInput(
                access="closed",
                effective_from=datetime(2024, 12, 1, tzinfo=UTC),
                sensitivity=Sensitivity(s),
            ),
        )
        done.add("status.set", s, world.facilities[s])
        set_status_verification(SYSTEM, entry.id, "verified")
        done.add("status.verify", s, entry.id)
        sitrep_pdf_path(SYSTEM, world.sitreps[s])
        done.add("sitrep.download", s, world.sitreps[s])
        done.add("sitrep.generate", s, world.sitreps[s])
        token, _ = create_token(SYSTEM, "Audit NGO", [Scope.read], Sensitivity(s))
        revoke_token(SYSTEM, token.id)
        done.add("token.create", s, token.id)
        done.add("token.revoke", s, token.id)
        user = create_user(
            SYSTEM, f"audited.{s}@access.test", "long-enough-password", "viewer", "Audit NGO",
            max_sensitivity=Sensitivity(s),
        )  # fmt: skip
        done.add("user.create", s, user.id)
        exported = world.client(CALLER[f"token read/{s}"]).request(
            "GET", "/api/v1/incidents?format=csv"
        )
        assert exported.status_code == 200
    # A public incident later raised to restricted: its public creation is about it too.
    raised = record_incident(SYSTEM, incident_input("public", title="Raised later"))
    correct_incident(SYSTEM, raised.id, incident_input("restricted"), "now restricted")
    done.add("raised", "restricted", raised.id)
    db.session.commit()
    return done


@pytest.fixture(scope="module")
def activity(world, _app) -> Activity:
    with _app.app_context():
        made = _make_activity(world)
        db.session.remove()
        return made


def _trail(world: World, admin: str, query: str) -> tuple[list[dict], str]:
    """(API items, API CSV + web page text) of the trail as ``admin`` reads it."""
    client = world.client(CALLER[admin])
    if admin.startswith("token"):
        answer = client.request("GET", f"/api/v1/audit?limit=1000&{query}")
        assert answer.status_code == 200
        csv = client.request("GET", f"/api/v1/audit?limit=all&format=csv&{query}")
        return answer.get_json()["items"], csv.get_data(as_text=True)
    page = client.request("GET", f"/admin/audit?limit=1000&{query}")
    assert page.status_code == 200
    return [], page.get_data(as_text=True)


KINDS = (
    "incident.create",
    "incident.correct",
    "movement.create",
    "movement.verify",
    "status.set",
    "status.verify",
    "sitrep.generate",
    "sitrep.download",
    "token.create",
    "token.revoke",
    "user.create",
)


@pytest.mark.parametrize("admin", ADMINS)
@pytest.mark.parametrize("kind", KINDS)
def test_entries_of_each_kind_follow_the_readers_grant(world, activity, kind, admin):
    grant = CALLER[admin].grant
    items, text = _trail(world, admin, f"action={kind}")
    ids = activity.ids[kind]

    def listed(s: str) -> bool:
        if any(i["entity_id"] == ids[s] for i in items):
            return True
        # Pages show ids as text; an account's id is a small number, so look for its email.
        return (f"audited.{s}@access.test" if kind == "user.create" else ids[s]) in text

    for s in SENSITIVITIES:
        assert listed(s) == (s in up_to(grant)), (kind, s)
    # Entries about the same record share its id: an entity filter finds nothing either.
    for s in above(grant):
        found, shown = _trail(world, admin, f"entity_id={ids[s]}")
        # (The page echoes the filter in its form and links, not as an entry.)
        shown = shown.replace(f'value="{ids[s]}"', "").replace(f"entity_id={ids[s]}", "")
        needle = f"audited.{s}@access.test" if kind == "user.create" else ids[s]
        assert not found and needle not in shown


@pytest.mark.parametrize("admin", ADMINS)
def test_exports_follow_the_exporters_grant(world, activity, admin):
    grant = CALLER[admin].grant
    items, text = _trail(world, admin, "action=export")
    exporters = {i["api_token_id"] for i in items}
    for s in SENSITIVITIES:
        token_id, prefix = _token(world, f"token read/{s}")
        listed = token_id in exporters or f"token {prefix}" in text
        assert listed == (s in up_to(grant)), s


def _token(world: World, name: str) -> tuple[str, str]:
    from sqlalchemy import select

    from humanitarian.models import ApiToken

    with world.client(CALLER[name]).app.app_context():
        token = db.session.scalars(select(ApiToken).where(ApiToken.name == name)).one()
        return str(token.id), token.prefix


def _without_reads(text: str) -> str:
    """The trail without the entries of its own reads and exports: they echo the filters their
    reader typed (the tests above type hidden ids on purpose)."""
    rows = re.split(r"(?=<tr)", text) if "<tr" in text else text.splitlines()
    own = re.compile(r"audit\.read|entity_id(&#34;|\"\")")
    return "\n".join(row for row in rows if not own.search(row))


@pytest.mark.parametrize("admin", ADMINS)
def test_nothing_above_the_grant_appears_anywhere_in_the_trail(world, activity, admin):
    grant = CALLER[admin].grant
    _, text = _trail(world, admin, "")
    text = _without_reads(text)
    hidden = world.hidden_ids(grant) | {
        activity.ids[kind][s] for kind in KINDS if kind != "user.create" for s in above(grant)
    }
    hidden.add(activity.ids["raised"]["restricted"])
    for level in above(grant):
        assert activity.marks[level] not in text
        assert f"audited.{level}@access.test" not in text
    assert "cleared for publication" not in text  # the public incident's restricted draft
    leaked = [line for line in text.splitlines() if any(h in line for h in hidden)]
    assert not leaked


def test_no_admin_grants_more_than_their_own_access(world, activity, _app):
    with _app.app_context():
        partner_admin = Actor(Channel.web, frozenset(Scope), Sensitivity.partner)
        with pytest.raises(PermissionDenied):
            create_token(partner_admin, "Audit NGO", [Scope.read], Sensitivity.restricted)
        with pytest.raises(PermissionDenied):
            create_user(
                partner_admin, "too.far@access.test", "long-enough-password", "viewer", "Audit NGO",
                max_sensitivity=Sensitivity.restricted,
            )  # fmt: skip
        token, _ = create_token(partner_admin, "Audit NGO", [Scope.read], Sensitivity.partner)
        assert token.max_sensitivity == "partner"
        with pytest.raises(NotFound):
            revoke_token(partner_admin, uuid.UUID(activity.ids["token.create"]["restricted"]))
        db.session.remove()
