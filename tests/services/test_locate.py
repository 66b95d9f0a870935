"""Point in area: known places, the deepest area for a record without a p-code, a point
outside its named area refused (naming both), gaps between simplified polygons, and names
found whatever their spelling."""

from __future__ import annotations

import pytest
import shapely

from humanitarian.services import (
    Actor,
    BusinessRuleError,
    create_facility,
    list_areas,
    record_incident,
)
from humanitarian.services.locate import AREA_TOLERANCE, GAP_TOLERANCE, locate, locator
from humanitarian.services.places import current_places, normalise

from .. import factories as f


def chain(lat, lon):
    return [p.pcode for p in locate(lat, lon)]


def test_aleppo_airport_and_abu_al_duhur_airbase(app):
    airport = chain(36.18, 37.22)
    assert airport[:3] == ["SY", "SY02", "SY0200"]  # Jebel Saman district
    assert airport == ["SY", "SY02", "SY0200", "SY020000"]
    airbase = chain(35.73, 37.10)
    assert airbase[:2] == ["SY", "SY07"]  # Idleb governorate
    assert airbase[2:] == ["SY0700", "SY070001"]  # Abul Thohur sub-district
    assert chain(33.51, 36.29)[:2] == ["SY", "SY01"]  # Damascus
    assert chain(48.85, 2.35) == []  # Paris


def test_coordinates_without_a_pcode_get_the_deepest_area(app):
    system = Actor.system("test")
    school = record_incident(system, f.incident(location=f.Location(None, 35.931, 36.633, 1)))
    assert school.admin_pcode == "SY070000"
    assert school.revisions[0].data["location"]["admin_pcode"] == "SY070000"
    airport = create_facility(system, f.facility(location=f.Location(None, 36.18, 37.22, 1)))
    assert airport.admin_pcode == "SY020000"


def test_a_point_outside_the_named_area_is_refused_naming_both(app):
    with pytest.raises(BusinessRuleError) as caught:
        record_incident(f.actor(), f.incident(location=f.Location("SY0703", 36.18, 37.22, 1)))
    message = caught.value.errors["admin_pcode"][0]
    assert "Harim (SY0703)" in message and "Jebel Saman (SY0200)" in message
    with pytest.raises(BusinessRuleError) as caught:
        create_facility(f.actor(), f.facility(location=f.Location("SY07", 36.18, 37.22, 1)))
    assert "Aleppo (SY02)" in caught.value.errors["admin_pcode"][0]
    with pytest.raises(BusinessRuleError) as caught:
        record_incident(f.actor(), f.incident(location=f.Location(None, 48.85, 2.35, 1)))
    assert "outside every known admin area" in caught.value.errors["latitude"][0]


def test_a_point_just_outside_the_named_area_is_within_the_tolerance(app):
    places = current_places()
    idleb = places.geometries["SY0700"]
    border = idleb.exterior if idleb.geom_type == "Polygon" else idleb.geoms[0].exterior
    # A point on the far side of the district border, at half the tolerance.
    x, y = border.coords[0]
    cx, cy = idleb.centroid.x, idleb.centroid.y
    dx, dy = x - cx, y - cy
    scale = AREA_TOLERANCE / 2 / (dx * dx + dy * dy) ** 0.5
    lon, lat = x + dx * scale, y + dy * scale
    assert not idleb.contains(shapely.Point(lon, lat))
    incident = record_incident(f.actor(), f.incident(location=f.Location("SY0700", lat, lon, 1)))
    assert incident.admin_pcode == "SY0700"


def test_a_point_in_a_gap_takes_the_nearest_area(app):
    tree = locator()
    union = shapely.union_all(list(current_places().geometries[p] for p in tree.pcodes))
    # Just outside the country's sub-district layer (beyond its outer border).
    outer = (
        union.exterior
        if union.geom_type == "Polygon"
        else max(union.geoms, key=lambda g: g.area).exterior
    )
    x, y = outer.coords[0]
    centre = union.centroid
    dx, dy = x - centre.x, y - centre.y
    scale = GAP_TOLERANCE / 2 / (dx * dx + dy * dy) ** 0.5
    near = shapely.Point(x + dx * scale, y + dy * scale)
    assert not union.contains(near)
    assert tree.deepest(near.x, near.y) is not None
    far = shapely.Point(x + dx * scale * 10, y + dy * scale * 10)
    assert tree.deepest(far.x, far.y) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Jisr ash Shugur", "SY0704"),
        ("jisr-ash-shugur", "SY0704"),
        ("AL MARA", "SY0702"),
        ("A'zaz", "SY0204"),
        ("Azaz", "SY0204"),
        ("حارم", "SY0703"),
        ("إدلب", "SY07"),
        ("ادلب", "SY07"),
        ("مَعَرَّة النُّعمان", "SY0702"),
        ("معرة النعـــمان", "SY0702"),
        ("معره النعمان", "SY0702"),
        ("sy0703", "SY0703"),
    ],
)
def test_names_match_whatever_the_spelling(app, typed, expected):
    found = [a.pcode for a in list_areas(q=typed)]
    assert found and found[0] == expected, found


def test_normalise_folds_hamza_tashkeel_accents_and_punctuation():
    assert normalise("أَعزاز") == normalise("اعزاز") == normalise("إعزاز")
    assert normalise("Ḥarīm") == "harim"
    assert normalise("Jisr-Ash-Shugur") == normalise("Jisr ash Shugur") == "jisr ash shugur"
    assert normalise("Al Ma’ra") == normalise("Al Ma'ra") == "al mara"
    assert normalise("مدرسة") == normalise("مدرسه") and normalise("مصطفى") == normalise("مصطفي")


def test_a_record_stored_before_the_rule_can_still_be_verified(app):
    from humanitarian.extensions import db
    from humanitarian.services import set_incident_verification

    system = Actor.system("test")
    incident = record_incident(system, f.incident())
    incident.latitude, incident.longitude = 36.18, 37.22  # Aleppo airport, named Idleb
    db.session.commit()
    verified = set_incident_verification(system, incident.id, "verified")
    assert (verified.revision, verified.admin_pcode) == (2, "SY0700")
    with pytest.raises(BusinessRuleError):  # moving it is checked
        from humanitarian.services import correct_incident

        correct_incident(
            system,
            incident.id,
            f.incident(location=f.Location("SY0700", 36.19, 37.22, 1)),
            "moved",
        )
