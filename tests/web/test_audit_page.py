"""/admin/audit: the audit trail for administrators, with the API's filters and keyset pages."""

from __future__ import annotations

import re

from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import AuditEvent, Incident

from .conftest import incident_form


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-audit="(\d+)">', html)


def test_only_admins_see_the_link_and_the_page(sign_in):
    for role in ("viewer", "reporter", "verifier"):
        person = sign_in(role)
        assert "/admin/audit" not in person.page("/")
        response = person.get("/admin/audit")
        assert response.status_code == 403 and 'data-error="403"' in response.get_data(as_text=True)
    assert (
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.read")).all() == []
    )
    admin = sign_in("admin")
    assert '<a href="/admin/audit">Audit</a>' in admin.page("/")


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/audit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_page_shows_who_did_what(sign_in, users):
    reporter = sign_in("reporter")
    created = reporter.submit("/incidents/new", incident_form())
    incident = db.session.scalars(select(Incident)).one()
    admin = sign_in("admin")
    html = admin.page(f"/admin/audit?action=incident.create&entity_id={incident.id}")
    (row,) = _rows(html)
    event = db.session.get(AuditEvent, int(row))
    assert event.action == "incident.create"
    assert f'<a href="/incidents/{incident.id}">' in html  # the record opens from the trail
    assert "reporter@field.test" in html  # the actor by name, not only by id
    assert created.headers["X-Request-ID"] in html
    # The page's own read is recorded, with the filters used.
    read = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.read")).one()
    assert read.user_id == users["admin"].id
    assert read.details["filters"] == {
        "actions": ["incident.create"],
        "entity_id": str(incident.id),
    }


def test_filters_by_actor_action_and_time(sign_in, users):
    sign_in("viewer")
    sign_in("reporter")
    admin = sign_in("admin")
    logins = _rows(admin.page("/admin/audit?action=login"))
    assert len(logins) == 3
    mine = _rows(admin.page(f"/admin/audit?action=login&actor={users['viewer'].id}"))
    assert len(mine) == 1
    both = admin.page("/admin/audit?action=login&action=audit.read")
    assert "selected>audit.read</option>" in both and "selected>login</option>" in both
    assert len(_rows(both)) == 3 + 3  # three sign-ins, and this page's read with the two before
    future = admin.page("/admin/audit?since=2099-01-01T00:00")
    assert _rows(future) == [] and "No events match." in future


def test_keyset_pages(sign_in):
    for role in ("viewer", "reporter", "verifier"):
        sign_in(role)
    admin = sign_in("admin")
    first = admin.page("/admin/audit?action=login&limit=25")
    assert len(_rows(first)) == 4 and 'rel="next"' not in first
    url, seen = "/admin/audit?action=login&limit=1", []
    while url:
        html = admin.page(url)
        seen += _rows(html)
        match = re.search(r'<a rel="next" href="([^"]+)"', html)
        url = match.group(1).replace("&amp;", "&") if match else None
    assert seen == _rows(first)


def test_bad_filters_are_shown_not_raised(sign_in):
    admin = sign_in("admin")
    response = admin.get("/admin/audit?actor=someone&since=2024-12-05T00:00&until=2024-12-01T00:00")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Give a user id (a number) or an API token id (a UUID)." in html
    assert _rows(html) == []
    bad_cursor = admin.get("/admin/audit?cursor=bm9wZQ")
    assert bad_cursor.status_code == 400
    assert "not one this server issued" in bad_cursor.get_data(as_text=True)
