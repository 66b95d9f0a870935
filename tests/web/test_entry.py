"""Entry forms: validated by the API's schemas, saved through the services in one idempotent
report, errors shown beside the fields with what was typed kept, nothing saved partially."""

import uuid

from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import (
    AuditEvent,
    Facility,
    Incident,
    InfrastructureStatus,
    PopulationMovement,
    Report,
    Source,
)
from humanitarian.models.enums import Channel

from .conftest import count, hidden, incident_form

ARABIC_TITLE = "غارة جوية على مدرسة الأمل في إدلب"


def snapshot() -> tuple[int, ...]:
    return tuple(
        count(m)
        for m in (Incident, Facility, InfrastructureStatus, PopulationMovement, Report, AuditEvent)
    )


def test_record_incident_with_arabic_text(sign_in, users):
    reporter = sign_in("reporter")
    form = incident_form(title=ARABIC_TITLE, description="وصف: أضرار في الصفوف")
    response = reporter.submit("/incidents/new", form)
    assert response.status_code == 303
    incident = db.session.scalars(select(Incident)).one()
    assert response.headers["Location"] == f"/incidents/{incident.id}"
    assert incident.title == ARABIC_TITLE and incident.killed == 3
    assert incident.civilians_killed is None  # left empty: unknown, not zero
    assert (incident.latitude, incident.longitude, incident.geo_precision) == (35.931, 36.633, 2)
    report = db.session.get(Report, incident.report_id)
    assert report.channel == Channel.web and report.user_id == users["reporter"].id
    assert report.idempotency_key
    page = reporter.page(response.headers["Location"])
    assert f'<h1 dir="auto">{ARABIC_TITLE}</h1>' in page
    assert 'dir="auto">وصف: أضرار في الصفوف</p>' in page
    assert "Incident recorded." in page


def test_double_submit_saves_once(sign_in):
    reporter = sign_in("reporter")
    html = reporter.page("/incidents/new")
    key = hidden(html, "idempotency_key")
    first = reporter.submit("/incidents/new", incident_form(), key=key)
    second = reporter.submit("/incidents/new", incident_form(), key=key)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert count(Incident) == 1 and count(Report) == 1
    assert "already been saved" in reporter.page(second.headers["Location"])


def test_same_key_with_different_content_is_not_merged(sign_in):
    reporter = sign_in("reporter")
    key = hidden(reporter.page("/incidents/new"), "idempotency_key")
    reporter.submit("/incidents/new", incident_form(), key=key)
    changed = reporter.submit("/incidents/new", incident_form(killed="4"), key=key)
    assert changed.status_code == 422
    assert "already saved with different content" in changed.get_data(as_text=True)
    assert hidden(changed.get_data(as_text=True), "idempotency_key") != key
    assert count(Incident) == 1


def test_invalid_incident_rerenders_with_messages_and_saves_nothing(sign_in):
    reporter = sign_in("reporter")
    before = snapshot()
    form = incident_form(title="", civilians_killed="5", latitude="95", injured="x")
    response = reporter.submit("/incidents/new", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert snapshot() == before
    assert 'id="title-error">Missing data for required field.' in html
    assert 'id="latitude-error">Must be greater than or equal to -90' in html
    assert 'id="injured-error">Not a valid integer.' in html
    # What was typed stays in the form.
    assert 'name="civilians_killed" type="number" value="5"' in html
    assert 'name="injured" type="number" value="x"' in html
    assert '<option value="air_drone_strike" selected>' in html
    # Cross-field rules run once every field is well-formed, as in the API.
    response = reporter.submit("/incidents/new", incident_form(killed="2", civilians_killed="5"))
    assert 'id="civilians_killed-error">Cannot exceed killed (2).' in response.get_data(
        as_text=True
    )
    assert snapshot() == before


def test_service_rule_errors_land_on_fields_and_roll_back(sign_in):
    reporter = sign_in("reporter")
    before = snapshot()
    response = reporter.submit("/incidents/new", incident_form(admin_pcode="SY99"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Unknown p-code &#39;SY99&#39;." in html and 'id="admin_pcode-error"' in html
    assert snapshot() == before  # the report row opened for the append was rolled back too


def test_a_point_outside_the_named_area_is_redisplayed_naming_both(sign_in):
    reporter = sign_in("reporter")
    before = snapshot()
    form = incident_form(admin_pcode="SY0703", title="Strike in the wrong district")
    response = reporter.submit("/incidents/new", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="admin_pcode-error"' in html
    assert "is in Idleb (SY0700), not in Harim (SY0703)." in html
    assert 'value="Strike in the wrong district"' in html and 'value="35.931"' in html
    assert snapshot() == before
    facility = reporter.submit(
        "/facilities/new",
        {
            "name": "Bab al-Hawa crossing",
            "facility_type": "border_crossing",
            "admin_pcode": "SY0200",
            "latitude": "36.23",
            "longitude": "36.67",
            "sensitivity": "public",
        },
    )
    assert facility.status_code == 422
    assert "is in Harim (SY0703), not in Jebel Saman (SY0200)." in facility.get_data(as_text=True)


def test_coordinates_alone_place_the_record_in_its_sub_district(sign_in):
    reporter = sign_in("reporter")
    response = reporter.submit("/incidents/new", incident_form(admin_pcode=""))
    assert response.status_code == 303
    incident = db.session.scalars(select(Incident)).one()
    assert incident.admin_pcode == "SY070000"


def test_unknown_form_field_is_rejected_like_the_api(sign_in):
    reporter = sign_in("reporter")
    response = reporter.submit("/incidents/new", {**incident_form(), "editor": "me"})
    assert response.status_code == 422
    assert "Unknown field." in response.get_data(as_text=True)
    assert count(Incident) == 0


def test_reporter_cannot_write_above_their_grant(sign_in):
    reporter = sign_in("reporter")
    page = reporter.page("/incidents/new")
    assert '<option value="restricted"' not in page
    response = reporter.submit("/incidents/new", incident_form(sensitivity="restricted"))
    assert response.status_code == 422
    assert "cannot write a &#39;restricted&#39; record" in response.get_data(as_text=True)
    assert count(Incident) == 0


def test_add_facility_and_change_its_status(sign_in):
    reporter = sign_in("reporter")
    created = reporter.submit(
        "/facilities/new",
        {
            "name": "Idleb central bakery",
            "name_ar": "مخبز إدلب المركزي",
            "facility_type": "other",
            "admin_pcode": "SY0700",
            "latitude": "",
            "longitude": "",
            "geo_precision": "",
            "description": "",
            "sensitivity": "public",
        },
    )
    assert created.status_code == 303
    facility = db.session.scalars(select(Facility)).one()
    assert facility.name_ar == "مخبز إدلب المركزي" and facility.geo_precision == 3
    detail = reporter.page(created.headers["Location"])
    assert '<span class="ar-name" lang="ar" dir="rtl">مخبز إدلب المركزي</span>' in detail

    url = f"/facilities/{facility.id}/statuses/new"
    status = {
        "damage": "partially_damaged",
        "functionality": "",
        "access": "",
        "effective_from": "2024-12-02T09:30",
        "effective_to": "",
        "reason": "Air strike",
        "details": "Oven hall destroyed",
        "controlled_by": "",
        "sensitivity": "public",
    }
    assert reporter.submit(url, status).status_code == 303
    assert reporter.submit(url, {**status, "damage": "", "access": "closed"}).status_code == 303
    bad = reporter.submit(url, {**status, "effective_to": "2024-12-01T00:00"})
    assert bad.status_code == 422
    assert 'id="effective_to-error">Must be after effective_from.' in bad.get_data(as_text=True)
    entries = db.session.scalars(
        select(InfrastructureStatus).order_by(InfrastructureStatus.seq)
    ).all()
    # The second entry stated only access; the damage carried over.
    assert [(e.access, e.damage) for e in entries] == [
        ("unknown", "partially_damaged"),
        ("closed", "partially_damaged"),
    ]
    assert entries[0].effective_from.isoformat() == "2024-12-02T09:30:00+00:00"
    history = reporter.page(f"/facilities/{facility.id}")
    assert history.count('<td class="dim-damage">Partially damaged</td>') == 2
    assert 'id="current-status">Closed, partially damaged</span>' in history


def test_record_movement(sign_in):
    reporter = sign_in("reporter")
    form = {
        "movement_type": "return",
        "origin_pcode": "",
        "destination_pcode": "",
        "period_start": "2024-12-01",
        "period_end": "2024-12-04",
        "individuals": "",
        "households": "",
        "estimate_method": "key_informant",
        "sensitivity": "public",
    }
    bad = reporter.submit("/movements/new", form)
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and count(PopulationMovement) == 0
    assert 'id="origin_pcode-error">Give an origin, a destination, or both.' in html
    good = reporter.submit(
        "/movements/new", {**form, "destination_pcode": "SY02", "households": "40"}
    )
    assert good.status_code == 303
    movement = db.session.scalars(select(PopulationMovement)).one()
    assert (movement.destination_pcode, movement.households, movement.individuals) == (
        "SY02",
        40,
        None,
    )


def test_sources_are_picked_by_checkbox(sign_in, demo):
    ids = {name: ident for name, ident in db.session.execute(select(Source.name, Source.id))}
    picked = sorted([ids["Syrian Civil Defence"], ids["Al Jazeera correspondent"]])
    reporter = sign_in("reporter")
    page = reporter.page("/incidents/new")
    assert f'name="source_ids" value="{picked[0]}"' in page and "Syrian Civil Defence" in page
    response = reporter.submit(
        "/incidents/new", [*incident_form().items(), *(("source_ids", str(i)) for i in picked)]
    )
    assert response.status_code == 303
    incident_id = response.headers["Location"].rsplit("/", 1)[1]
    incident = db.session.get(Incident, uuid.UUID(incident_id))
    assert sorted(s.id for s in incident.sources) == picked
