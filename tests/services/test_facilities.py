from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from humanitarian.extensions import db
from humanitarian.models import InfrastructureStatus
from humanitarian.models.enums import Sensitivity
from humanitarian.services import (
    Actor,
    BusinessRuleError,
    RecordFilter,
    create_facility,
    current_status,
    list_facilities,
    set_infrastructure_status,
    status_history,
)
from tests import factories as f


def at(day, hour=0):
    return datetime(2024, 12, day, hour, tzinfo=UTC)


def test_status_history_is_appended_and_current_is_latest_in_effect(app):
    a = f.actor()
    airport = create_facility(a, f.facility())
    set_infrastructure_status(
        a, airport.id, f.status("operational", datetime(2024, 11, 1, tzinfo=UTC))
    )
    set_infrastructure_status(
        a, airport.id, f.status("closed", at(1, 8), details="All flights cancelled")
    )
    # A back-filled older entry must not displace the newer one.
    set_infrastructure_status(a, airport.id, f.status("restricted", at(1, 2)))
    history = status_history(a, airport.id)
    assert [s.access for s in history] == ["open", "restricted", "closed"]
    assert current_status(a, airport).details == "All flights cancelled"
    assert current_status(a, airport, at=at(1, 4)).access == "restricted"
    assert current_status(a, airport, at=datetime(2024, 10, 1, tzinfo=UTC)) is None


def test_temporary_status_expires(app):
    a = f.actor()
    road = create_facility(a, f.facility(name="M5 highway", facility_type="road_bridge"))
    set_infrastructure_status(a, road.id, f.status("operational", at(1)))
    set_infrastructure_status(a, road.id, f.status("closed", at(2), effective_to=at(3)))
    assert current_status(a, road, at=at(2, 12)).access == "closed"
    assert current_status(a, road, at=at(4)).access == "open"
    with pytest.raises(BusinessRuleError):
        set_infrastructure_status(a, road.id, f.status("closed", at(3), effective_to=at(2)))


def test_sequence_is_unique_per_facility_at_database_level(app):
    a = f.actor()
    airport = create_facility(a, f.facility())
    entry = set_infrastructure_status(a, airport.id, f.status("operational", at(1)))
    dup = InfrastructureStatus(facility_id=airport.id, seq=entry.seq, access="closed",
                               effective_from=at(2), sensitivity="public",
                               report_id=entry.report_id)  # fmt: skip
    db.session.add(dup)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_restricted_status_is_invisible_to_lower_grants(app):
    admin = f.actor(Sensitivity.restricted)
    airport = create_facility(admin, f.facility())
    set_infrastructure_status(admin, airport.id, f.status("operational", at(1)))
    set_infrastructure_status(
        admin, airport.id, f.status("closed", at(2), sensitivity="restricted")
    )
    assert current_status(Actor.anonymous(), airport).access == "open"
    assert current_status(admin, airport).access == "closed"
    assert len(status_history(Actor.anonymous(), airport.id)) == 1


def test_list_facilities_filters_by_current_status(app):
    a = f.actor()
    airport = create_facility(a, f.facility())
    school = create_facility(
        a, f.facility(name="School", facility_type="school", location=f.Location("SY0700"))
    )
    set_infrastructure_status(a, airport.id, f.status("closed", at(1)))
    set_infrastructure_status(a, school.id, f.status("operational", at(1)))
    names = [x.name for x in list_facilities(a, RecordFilter(accesses=["closed"])).items]
    assert names == ["Aleppo International Airport"]
    names = [x.name for x in list_facilities(a, RecordFilter(admin_pcode="SY07")).items]
    assert names == ["School"]
    rows = db.session.scalars(select(InfrastructureStatus)).all()
    assert {r.seq for r in rows} == {1}


def test_an_entry_states_what_changed_and_the_rest_carries_over(app):
    a = f.actor()
    airport = create_facility(a, f.facility())
    set_infrastructure_status(
        a, airport.id, f.status("operational", at(1), controlled_by="Syrian government")
    )
    closed = set_infrastructure_status(a, airport.id, f.status(None, at(2), access="closed"))
    assert (closed.functionality, closed.access, closed.damage) == ("functional", "closed", "none")
    assert closed.controlled_by == "Syrian government" and closed.impaired
    taken = set_infrastructure_status(
        a, airport.id, f.status(None, at(3), controlled_by="HTS-led factions")
    )
    assert (taken.access, taken.controlled_by) == ("closed", "HTS-led factions")
    cleared = set_infrastructure_status(a, airport.id, f.status(None, at(4), controlled_by=""))
    assert cleared.controlled_by is None and cleared.access == "closed"
    # A back-filled entry carries over from the entry in effect at its own time.
    early = set_infrastructure_status(a, airport.id, f.status(None, at(1, 12), damage="none"))
    assert (early.access, early.controlled_by) == ("open", "Syrian government")


def test_a_first_entry_leaves_unstated_dimensions_unknown(app):
    a = f.actor()
    school = create_facility(a, f.facility(name="School", facility_type="school"))
    entry = set_infrastructure_status(a, school.id, f.status(None, at(2), damage="fully_damaged"))
    assert (entry.functionality, entry.access, entry.damage) == (
        "unknown",
        "unknown",
        "fully_damaged",
    )
    assert entry.impaired


def test_a_public_entry_never_carries_over_a_restricted_one(app):
    """Carrying a restricted entry's condition into a public one would publish it."""
    admin = f.actor(Sensitivity.restricted)
    airport = create_facility(admin, f.facility())
    set_infrastructure_status(admin, airport.id, f.status("operational", at(1)))
    set_infrastructure_status(
        admin, airport.id, f.status("destroyed", at(2), sensitivity="restricted")
    )
    public = set_infrastructure_status(
        admin, airport.id, f.status(None, at(3), details="Runway survey")
    )
    assert (public.functionality, public.access, public.damage) == ("functional", "open", "none")
