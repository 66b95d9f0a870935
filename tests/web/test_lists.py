"""Lists filter like the API (same query schemas and services), page with keyset 'next'
links, and never show records above the user's grant."""

import re
from datetime import date, timedelta

from humanitarian.extensions import db
from humanitarian.services import (
    Actor,
    create_facility,
    record_incident,
    record_movement,
    set_infrastructure_status,
)
from tests import factories

from .conftest import incident_form


def ids(html: str, kind: str) -> list[str]:
    return re.findall(rf'<tr data-{kind}="([^"]+)"', html)


def seed_incidents(n: int, **overrides):
    actor = Actor.system("test")
    return [
        record_incident(
            actor,
            factories.incident(occurred_on=date(2024, 11, 20) + timedelta(days=i), **overrides),
        )
        for i in range(n)
    ]


def test_next_links_walk_every_incident_once(sign_in):
    made = seed_incidents(5)
    viewer = sign_in("viewer")
    seen, pages = [], 0
    url = "/incidents?admin_pcode=SY07&event_type=explosions_remote_violence&limit=2"
    while url:
        html = viewer.page(url)
        seen += ids(html, "incident")
        match = re.search(r'<a rel="next" href="([^"]+)"', html)
        url = match.group(1).replace("&amp;", "&") if match else None
        if url:
            assert "event_type=explosions_remote_violence" in url and "limit=2" in url
        pages += 1
    assert pages == 3
    assert seen == [str(i.id) for i in sorted(made, key=lambda i: i.occurred_on, reverse=True)]


def test_filters_narrow_the_list(sign_in):
    seed_incidents(2)
    record_incident(
        Actor.system("test"),
        factories.incident(
            title="Clash near Al Bab",
            event_type="battles",
            sub_event_type="armed_clash",
            target_type="military",
            location=factories.Location("SY0202"),
        ),
    )
    viewer = sign_in("viewer")
    assert len(ids(viewer.page("/incidents"), "incident")) == 3
    assert len(ids(viewer.page("/incidents?admin_pcode=SY02"), "incident")) == 1
    assert len(ids(viewer.page("/incidents?event_type=battles"), "incident")) == 1
    two = viewer.page("/incidents?target_type=school&target_type=military")
    assert len(ids(two, "incident")) == 3
    assert len(ids(viewer.page("/incidents?since=2024-11-21&until=2024-11-21"), "incident")) == 1


def test_bad_filters_and_cursors_are_explained(sign_in):
    viewer = sign_in("viewer")
    bad = viewer.get("/incidents?event_type=picnic&since=yesterday")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Must be one of" in html and "Not a valid date." in html
    assert viewer.get("/incidents?cursor=garbage").status_code == 400
    assert viewer.get("/incidents?admin_pcode=SY77").status_code == 400
    assert viewer.get("/incidents?limit=all").status_code == 400


def test_records_above_the_grant_do_not_exist(sign_in):
    (secret,) = seed_incidents(1, sensitivity="restricted", title="Restricted strike report")
    (shared,) = seed_incidents(1, sensitivity="partner", title="Partner strike report")
    viewer, reporter, admin = sign_in("viewer"), sign_in("reporter"), sign_in("admin")
    assert ids(viewer.page("/incidents"), "incident") == []
    assert ids(reporter.page("/incidents"), "incident") == [str(shared.id)]
    assert len(ids(admin.page("/incidents"), "incident")) == 2
    assert reporter.get(f"/incidents/{secret.id}").status_code == 404
    assert viewer.get(f"/incidents/{shared.id}").status_code == 404
    assert "Restricted strike report" in admin.page(f"/incidents/{secret.id}")
    assert "Restricted strike report" not in reporter.page("/")


def test_facility_and_movement_lists(sign_in):
    actor = Actor.system("test")
    airport = create_facility(actor, factories.facility())
    create_facility(actor, factories.facility(name="Idleb school", facility_type="school"))
    set_infrastructure_status(actor, airport.id, factories.status("closed"))
    record_movement(actor, factories.movement())
    record_movement(actor, factories.movement(movement_type="return", origin_pcode=None))
    viewer = sign_in("viewer")
    assert ids(viewer.page("/facilities?access=closed"), "facility") == [str(airport.id)]
    assert len(ids(viewer.page("/facilities?facility_type=school"), "facility")) == 1
    page = viewer.page("/facilities")
    assert "مطار حلب الدولي" in page and 'class="impaired severe"' in page
    assert len(ids(viewer.page("/movements"), "movement")) == 2
    assert len(ids(viewer.page("/movements?movement_type=return"), "movement")) == 1


def test_correction_adds_a_revision_with_its_reason(sign_in):
    reporter = sign_in("reporter")
    created = reporter.submit("/incidents/new", incident_form())
    url = created.headers["Location"]
    form_page = reporter.page(url + "/correct")
    assert 'name="title" type="text" value="Air strike on Al-Amal school"' in form_page
    missing = reporter.submit(url + "/correct", {**incident_form(killed="5"), "reason": ""})
    assert missing.status_code == 422
    assert 'id="reason-error">Missing data for required field.' in missing.get_data(as_text=True)
    fixed = reporter.submit(
        url + "/correct",
        {**incident_form(killed="5", verification="unverified"), "reason": "Hospital figures"},
    )
    assert fixed.status_code == 303
    detail = reporter.page(url)
    assert "revision 2" in detail and "Hospital figures" in detail
    history = detail.split('id="revisions"')[1]
    assert re.search(r"<td>2</td>.*?Hospital figures.*?<td>Killed</td>", history, re.S)


def test_public_grant_cannot_correct_an_exact_location(sign_in, users):
    users["viewer"].role = "reporter"  # a reporter whose access is public only
    db.session.commit()
    (incident,) = seed_incidents(1)
    person = sign_in("viewer")
    assert person.get(f"/incidents/{incident.id}/correct").status_code == 403
