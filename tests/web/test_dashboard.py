"""The dashboard shows the same figures as the summary service (and so /api/v1/summary), for
what the signed-in user may see."""

import re
from datetime import date

from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import Facility, Incident, User
from humanitarian.services import Actor, summarize

from .conftest import Staff


def figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-count="([^"]+)">([^<]*)<', html))


def demo_login(app, email: str) -> Staff:
    person = Staff(app.test_client())
    assert person.login(email, "demo-password").status_code == 302
    return person


def actor_for(email: str) -> Actor:
    return Actor.for_user(db.session.scalars(select(User).where(User.email == email)).one())


def test_dashboard_shows_demo_counts(app, demo):
    admin = demo_login(app, "admin@demo.local")
    shown = figures(admin.page("/"))
    # The admin's grant covers every record, so the dashboard counts all of them.
    assert shown["Incidents"] == str(len(db.session.scalars(select(Incident)).all()))
    expected = summarize(actor_for("admin@demo.local"), None, None, None)
    assert shown["Killed"] == str(expected.killed)
    assert shown["Injured"] == str(expected.injured)
    assert shown["Displaced"] == f"{expected.displaced_individuals:,}"
    assert shown["Returned"] == f"{expected.returned_individuals:,}"
    for event_type, n in expected.incidents_by_event_type.items():
        assert shown[event_type] == str(n)


def test_area_and_period_match_the_summary(app, demo):
    verifier = demo_login(app, "verifier@demo.local")
    html = verifier.page("/?admin_pcode=SY07&since=2024-11-29&until=2024-12-04")
    expected = summarize(
        actor_for("verifier@demo.local"), "SY07", date(2024, 11, 29), date(2024, 12, 4)
    )
    shown = figures(html)
    assert shown["Incidents"] == str(expected.incidents_total)
    assert shown["Killed"] == str(expected.killed)
    assert shown["Facilities impaired"] == str(expected.facilities_impaired) != "0"
    assert '<span class="ar-name" lang="ar" dir="rtl">إدلب</span>' in html
    # The timeline covers the same incidents.
    per_day = [int(n) for n in re.findall(r'data-incidents="(\d+)"', html)]
    assert sum(per_day) == expected.incidents_total and len(per_day) == 6
    # Every incident in the period is a point on the map.
    assert len(re.findall(r'<circle class="point', html)) == expected.incidents_total


def test_impaired_facilities_are_highlighted(app, demo):
    viewer = demo_login(app, "viewer@demo.local")
    html = viewer.page("/")
    airport = db.session.scalars(select(Facility).where(Facility.facility_type == "airport")).one()
    row = re.search(rf'<tr data-facility="{airport.id}" class="([^"]*)"', html)
    assert row and "impaired severe" in row.group(1)
    # Four dimensions in the table: all flights cancelled is access closed, still functional.
    cells = html[row.end() : html.index("</tr>", row.end())]
    assert '<td class="dim-access">Closed</td>' in cells
    assert '<td class="dim-functionality">Functional</td>' in cells
    assert "Syrian government" in cells


def test_public_grant_sees_only_public_records_and_coarse_points(app, demo):
    viewer = demo_login(app, "viewer@demo.local")
    html = viewer.page("/")
    expected = summarize(actor_for("viewer@demo.local"), None, None, None)
    assert figures(html)["Incidents"] == str(expected.incidents_total)
    exact = db.session.scalars(
        select(Incident).where(Incident.geo_precision == 1, Incident.sensitivity == "public")
    ).first()
    detail = viewer.page(f"/incidents/{exact.id}")
    assert f"{exact.latitude:.4f}, {exact.longitude:.4f}" not in detail
    assert "(district centroid)" in detail
    partner = demo_login(app, "verifier@demo.local").page(f"/incidents/{exact.id}")
    assert f"{exact.latitude:.4f}, {exact.longitude:.4f}" in partner


def test_bad_period_is_explained_not_an_error_page(app, demo):
    admin = demo_login(app, "admin@demo.local")
    response = admin.get("/?since=2024-12-04&until=2024-11-01&admin_pcode=SY0")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Must not be before since." in html
    assert 'data-count="Incidents"' in html  # the page still works, with all data
