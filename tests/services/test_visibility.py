"""services.visibility: what one reader sees of a record's location and links, and the output
schemas' refusal to dump a located record for nobody in particular."""

from __future__ import annotations

import pytest

from humanitarian.extensions import db
from humanitarian.models import AdminArea
from humanitarian.models.enums import Sensitivity
from humanitarian.services import (
    Actor,
    Location,
    ReaderView,
    coarsened,
    correct_incident,
    create_facility,
    incident_revisions,
    location_hidden,
    record_incident,
)
from humanitarian.services.incidents import incident_input_from
from schemas import IncidentOutSchema, IncidentRevisionSchema
from tests import factories


def _district_centroid():
    district = db.session.get(AdminArea, "SY0700")  # a district: its own centroid
    assert district.level == 2
    return district.centroid_lat, district.centroid_lon


@pytest.fixture
def linked(app):
    """A partner incident at an exact point in the district SY0700, linked to a restricted
    facility."""
    system = Actor.system("test")
    depot = create_facility(system, factories.facility(sensitivity=Sensitivity.restricted))
    data = factories.incident(
        location=Location("SY0700", 35.912, 36.613, 1),
        facility_id=depot.id,
        sensitivity=Sensitivity.partner,
    )
    return record_incident(system, data), depot


def test_public_readers_see_the_district_centroid_and_others_the_point(linked):
    incident, _ = linked
    public, partner = factories.actor(Sensitivity.public), factories.actor(Sensitivity.partner)
    assert coarsened(public) and not coarsened(partner)
    lat, lon = _district_centroid()
    assert ReaderView(public).location("SY0700", 35.912, 36.613, 1) == ("SY0700", lat, lon, 3)
    assert ReaderView(partner).location("SY0700", 35.912, 36.613, 1) == (
        "SY0700",
        35.912,
        36.613,
        1,
    )
    # A record without coordinates keeps none, whoever reads it.
    assert ReaderView(public).location("SY0700", None, None, 3) == ("SY0700", None, None, 3)
    assert location_hidden(public, incident) and not location_hidden(partner, incident)


def test_public_readers_see_a_sub_district_as_its_district(app):
    public, partner = factories.actor(Sensitivity.public), factories.actor(Sensitivity.partner)
    in_idleb_city = record_incident(
        Actor.system("test"), factories.incident(location=Location("SY070000"))
    )
    assert ReaderView(public).location("SY070000", None, None, 3) == ("SY0700", None, None, 3)
    assert ReaderView(public).pcode("SY070000") == "SY0700"
    assert ReaderView(partner).pcode("SY070000") == "SY070000"
    # Coarser areas are shown as they are.
    assert ReaderView(public).pcode("SY07") == "SY07"
    # Its correction form would show the district and move the record there on saving.
    assert location_hidden(public, in_idleb_city) and not location_hidden(partner, in_idleb_city)


def test_links_to_facilities_above_the_grant_are_left_out(linked):
    incident, depot = linked
    partner = factories.actor(Sensitivity.partner)
    restricted = factories.actor(Sensitivity.restricted)
    assert ReaderView(partner).facility_id(depot.id) is None
    assert ReaderView(restricted).facility_id(depot.id) == depot.id
    assert IncidentOutSchema(reader=partner).dump(incident)["facility_id"] is None
    assert IncidentOutSchema(reader=restricted).dump(incident)["facility_id"] == str(depot.id)


def test_revision_snapshots_are_seen_as_the_record_and_stay_stored_as_they_were(linked):
    incident, depot = linked
    system = Actor.system("test")
    data = incident_input_from(incident)
    data.sensitivity = Sensitivity.public
    correct_incident(system, incident.id, data, "cleared for publication")
    public = factories.actor(Sensitivity.public)
    revisions = incident_revisions(public, incident.id)
    dumped = IncidentRevisionSchema(many=True, reader=public).dump(revisions)
    # Numbered as the reader sees the history: the restricted first revision is not counted.
    assert [r["revision"] for r in dumped] == [1]
    location = dumped[0]["data"]["location"]
    assert (location["latitude"], location["longitude"]) == _district_centroid()
    assert location["geo_precision"] == 3 and dumped[0]["data"]["facility_id"] is None
    stored = revisions[0].data
    assert stored["location"]["latitude"] == 35.912 and stored["facility_id"] == str(depot.id)


def test_located_records_are_never_dumped_for_nobody(linked):
    incident, _ = linked
    with pytest.raises(TypeError, match="reader"):
        IncidentOutSchema().dump(incident)
