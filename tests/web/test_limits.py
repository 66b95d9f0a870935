"""Pickers and the status table say when they stop at their limit and let the user search;
event types read as ACLED writes them; the favicon is served locally."""

from __future__ import annotations

import pytest

from humanitarian.models.enums import Sensitivity
from humanitarian.services import create_facility
from humanitarian.services.inputs import Location
from humanitarian.web import dashboard, present
from tests import factories as f

from .conftest import incident_form

NAMES = (("Al-Amal school", "مدرسة الأمل"), ("Bab al-Hawa crossing", "معبر باب الهوى"))
NAMES += (("Idleb central bakery", "مخبز إدلب المركزي"),)
IDLEB = Location("SY0700", None, None, 3)


@pytest.fixture
def facilities(app):
    writer = f.actor(Sensitivity.restricted)
    return [
        create_facility(writer, f.facility(name=name, name_ar=name_ar, location=IDLEB))
        for name, name_ar in NAMES
    ]


def test_the_incident_form_says_when_its_facility_list_stops(sign_in, facilities, monkeypatch):
    reporter = sign_in("reporter")
    html = reporter.get("/incidents/new").get_data(as_text=True)
    assert "data-facility-search" not in html  # three facilities: all listed, nothing to say
    monkeypatch.setattr(present, "PICK_LIMIT", 2)
    html = reporter.get("/incidents/new").get_data(as_text=True)
    assert "The list holds the first 2 facilities" in html and "data-facility-search" in html
    assert "Al-Amal school" in html and "Idleb central bakery" not in html
    # The search behind the box: Arabic or English, any case, only facilities the user sees.
    found = reporter.get("/lookup/facilities.json?q=مخبز").get_json()
    assert [i["name"] for i in found["items"]] == ["Idleb central bakery"]
    found = reporter.get("/lookup/facilities.json?q=BAB AL").get_json()
    assert [i["id"] for i in found["items"]] == [str(facilities[1].id)]
    assert reporter.get("/lookup/facilities.json?q=").status_code == 400
    # A facility found by the search stays chosen when the form comes back with an error.
    bakery = str(facilities[2].id)
    refused = reporter.submit("/incidents/new", incident_form(facility_id=bakery, killed="x"))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and f'<option value="{bakery}" selected>' in html


def test_the_status_picker_says_when_it_stops_and_searches(sign_in, facilities, monkeypatch):
    reporter = sign_in("reporter")
    monkeypatch.setattr(present, "PICK_LIMIT", 2)
    html = reporter.get("/facilities/status").get_data(as_text=True)
    assert 'id="facility-limit"' in html and "Only the first 2 facilities" in html
    assert "Idleb central bakery" not in html
    html = reporter.get("/facilities/status?q=bakery").get_data(as_text=True)
    assert "Idleb central bakery" in html and "Al-Amal school" not in html
    assert 'id="facility-limit"' not in html
    html = reporter.get("/facilities/status?q=100%").get_data(as_text=True)
    assert "No facility you can see has" in html  # % is a character, not a wildcard


def test_the_status_table_says_when_it_stops(sign_in, facilities, monkeypatch):
    viewer = sign_in("viewer")
    assert 'id="status-limit"' not in viewer.get("/").get_data(as_text=True)
    monkeypatch.setattr(dashboard, "STATUS_ROWS", 2)
    html = viewer.get("/?admin_pcode=SY07").get_data(as_text=True)
    assert 'id="status-limit"' in html and "The table shows the first 2 facilities in Idleb" in html
    assert "/facilities?admin_pcode=SY07" in html
    # There, the facilities page searches by name, as the API does.
    listed = viewer.get("/facilities?q=crossing").get_data(as_text=True)
    assert "Bab al-Hawa crossing" in listed and "Al-Amal school" not in listed


def test_facilities_api_searches_by_name(client, facilities):
    body = client.get("/api/v1/facilities?q=SCHOOL").get_json()
    assert [i["name"] for i in body["items"]] == ["Al-Amal school"]
    assert client.get("/api/v1/facilities?q=").status_code == 422


def test_event_types_read_as_acled_writes_them(demo, sign_in):
    viewer = sign_in("viewer")
    html = viewer.get("/?since=2024-11-27&until=2024-12-04").get_data(as_text=True)
    assert "Explosions/Remote violence" in html and "Explosions remote violence" not in html
    listed = viewer.get("/incidents?event_type=explosions_remote_violence").get_data(as_text=True)
    assert "Air/drone strike" in listed and "Air drone strike" not in listed
    form = sign_in("reporter").get("/incidents/new").get_data(as_text=True)
    assert '<optgroup label="Explosions/Remote violence">' in form
    assert ">Remote explosive/landmine/IED</option>" in form


def test_favicon_is_served_locally_to_everyone(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype in {
        "image/vnd.microsoft.icon",
        "image/x-icon",
    }
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="icon" href="/favicon.ico"' in page
