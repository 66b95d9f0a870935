"""Service additions made for the REST API: token use, revision visibility, period and bbox
filters."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import ApiToken, AuditEvent
from humanitarian.models.enums import Scope, Sensitivity
from humanitarian.services import (
    Actor,
    BBox,
    RecordFilter,
    correct_incident,
    create_facility,
    create_token,
    incident_revisions,
    list_facilities,
    list_movements,
    record_incident,
    record_movement,
    record_token_use,
    set_infrastructure_status,
)
from tests import factories as f


def _uses(token_id):
    return db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "token.use", AuditEvent.api_token_id == token_id
        )
    ).all()


def test_token_use_is_recorded_at_most_once_per_interval(app):
    token, _ = create_token(Actor.system(), "NGO", [Scope.read])
    actor = Actor.for_token(token, request_id="r1", ip="10.0.0.1")
    interval = timedelta(minutes=1)
    assert record_token_use(actor, token, interval=interval, details={"path": "/a"}) is True
    assert record_token_use(actor, token, interval=interval) is False
    assert len(_uses(token.id)) == 1
    first = db.session.get(ApiToken, token.id).last_used_at
    assert first is not None
    # An hour later the next use is recorded again.
    db.session.get(ApiToken, token.id).last_used_at = first - timedelta(hours=1)
    db.session.commit()
    assert record_token_use(actor, token, interval=interval) is True
    events = _uses(token.id)
    assert len(events) == 2 and events[0].ip == "10.0.0.1" and events[0].request_id == "r1"


def test_revisions_above_the_grant_are_left_out_of_history(app):
    admin = f.actor(Sensitivity.restricted, scopes=("read", "append"))
    incident = record_incident(admin, f.incident(sensitivity="restricted", killed=40))
    correct_incident(
        admin, incident.id, f.incident(sensitivity="public", killed=3), "cleared for release"
    )
    public = f.actor(Sensitivity.public, scopes=("read",))
    assert [r.revision for r in incident_revisions(public, incident.id)] == [2]
    assert [r.revision for r in incident_revisions(admin, incident.id)] == [1, 2]


def test_facility_since_until_select_status_changes_in_the_period(app):
    actor = f.actor(Sensitivity.partner)
    airport = create_facility(actor, f.facility())
    school = create_facility(actor, f.facility(name="Idleb school", facility_type="school"))
    set_infrastructure_status(
        actor, airport.id, f.status("closed", datetime(2024, 12, 1, 8, tzinfo=UTC))
    )
    set_infrastructure_status(
        actor, school.id, f.status("damaged", datetime(2024, 11, 2, tzinfo=UTC))
    )

    def names(**kw):
        return [x.name for x in list_facilities(actor, RecordFilter(**kw)).items]

    assert names(since=date(2024, 11, 27), until=date(2024, 12, 4)) == [airport.name]
    assert names(until=date(2024, 11, 30)) == ["Idleb school"]
    assert names(since=date(2024, 12, 2)) == []
    assert len(names()) == 2


def test_movement_bbox_uses_area_centroids(app):
    actor = f.actor(Sensitivity.partner)
    to_lattakia = record_movement(actor, f.movement())  # SY0200 → SY06
    within_idleb = record_movement(
        actor, f.movement(origin_pcode="SY0703", destination_pcode="SY0702")
    )

    def ids(bbox):
        return {m.id for m in list_movements(actor, RecordFilter(bbox=bbox)).items}

    # SY06 Lattakia's centroid in the shipped gazetteer is (35.575, 36.027)
    assert ids(BBox(35.95, 35.5, 36.1, 35.7)) == {to_lattakia.id}
    # Harim (36.150, 36.575) and Al Ma'ra (35.556, 36.795)
    assert ids(BBox(36.5, 35.5, 36.9, 36.3)) == {within_idleb.id}
    assert ids(BBox(0, 0, 1, 1)) == set()
