"""The verification queue: verifiers move incidents, status entries and movements between
states; others cannot."""

import re

from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import AuditEvent, Incident, InfrastructureStatus, PopulationMovement
from humanitarian.services import (
    Actor,
    create_facility,
    record_incident,
    record_movement,
    set_infrastructure_status,
)
from tests import factories

from .conftest import hidden


def seed():
    actor = Actor.system("test")
    incident = record_incident(actor, factories.incident())
    facility = create_facility(actor, factories.facility())
    status = set_infrastructure_status(actor, facility.id, factories.status("closed"))
    movement = record_movement(actor, factories.movement(verification="partially_verified"))
    verified = record_incident(
        actor, factories.incident(title="Confirmed", verification="verified")
    )
    return incident, status, movement, verified


def set_state(person, kind, record_id, state, note=""):
    page = person.page("/review")
    return person.client.post(
        f"/review/{kind}/{record_id}",
        data={
            "verification": state,
            "note": note,
            "next": "/review",
            "csrf_token": hidden(page, "csrf_token"),
        },
    )


def test_queue_lists_open_records_and_verifier_moves_them(sign_in):
    incident, status, movement, verified = seed()
    verifier = sign_in("verifier")
    queue = verifier.page("/review")
    assert f'data-incident="{incident.id}"' in queue
    assert f'data-incident="{verified.id}"' not in queue
    assert f'data-status="{status.id}"' in queue and f'data-movement="{movement.id}"' in queue

    response = set_state(verifier, "incidents", incident.id, "verified", "Two sources agree")
    assert response.status_code == 303 and response.headers["Location"] == "/review"
    set_state(verifier, "statuses", status.id, "disputed")
    set_state(verifier, "movements", movement.id, "verified")

    db.session.expire_all()
    assert db.session.get(Incident, incident.id).verification == "verified"
    assert db.session.get(Incident, incident.id).revision == 2
    assert db.session.get(InfrastructureStatus, status.id).verification == "disputed"
    assert db.session.get(PopulationMovement, movement.id).verification == "verified"
    queue = verifier.page("/review")
    assert f'data-incident="{incident.id}"' not in queue
    assert f'data-movement="{movement.id}"' not in queue
    assert f'data-status="{status.id}"' in queue  # disputed stays open
    assert f'data-incident="{incident.id}"' in verifier.page("/review?verification=verified")
    detail = verifier.page(f"/incidents/{incident.id}")
    assert "verification: unverified → verified (Two sources agree)" in detail
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert {"incident.correct", "status.verify", "movement.verify"} <= set(actions)


def test_setting_the_same_state_adds_no_revision(sign_in):
    _incident, _status, _movement, verified = seed()
    verifier = sign_in("verifier")
    set_state(verifier, "incidents", verified.id, "verified")
    db.session.expire_all()
    assert db.session.get(Incident, verified.id).revision == 1


def test_only_verifiers_may_verify(sign_in):
    incident, *_ = seed()
    reporter = sign_in("reporter")
    page = reporter.page("/incidents")
    response = reporter.client.post(
        f"/review/incidents/{incident.id}",
        data={"verification": "verified", "csrf_token": hidden(page, "csrf_token")},
    )
    assert response.status_code == 403
    verifier = sign_in("verifier")
    no_csrf = verifier.client.post(
        f"/review/incidents/{incident.id}", data={"verification": "verified"}
    )
    assert no_csrf.status_code == 400
    db.session.expire_all()
    assert db.session.get(Incident, incident.id).verification == "unverified"


def test_invalid_state_is_reported_and_changes_nothing(sign_in):
    incident, *_ = seed()
    verifier = sign_in("verifier")
    response = set_state(verifier, "incidents", incident.id, "probably")
    assert response.status_code == 303
    assert re.search(r"Not saved: verification: Must be one of", verifier.page("/review"))
    db.session.expire_all()
    assert db.session.get(Incident, incident.id).revision == 1
    missing = set_state(verifier, "movements", "00000000-0000-0000-0000-000000000000", "verified")
    assert missing.status_code == 404
