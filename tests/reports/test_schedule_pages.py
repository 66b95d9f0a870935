"""The schedule pages: admins create, change and stop schedules with a form; bad input is
redrawn with its messages and everything typed kept; other roles get a 403 page."""

from __future__ import annotations

from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import SitrepSchedule

from .test_web_and_cli import _csrf, _login

FORM = {
    "name": "Idleb weekly for donors",
    "admin_pcode": "SY07",
    "cadence": "weekly",
    "weekday": "thu",
    "run_time": "07:30",
    "timezone": "Asia/Damascus",
    "audience": "partner",
    "language": "ar",
    "recipients": "Donor@example.org\npartner@example.org, donor@example.org\n",
    "active": "true",
}


def test_an_admin_manages_schedules_on_the_web(client, demo):
    _login(client, "admin@demo.local")
    page = client.get("/sitreps/schedules")
    assert page.status_code == 200 and "Aleppo weekly" in page.get_data(as_text=True)
    token = _csrf(page.get_data(as_text=True))
    created = client.post("/sitreps/schedules", data={**FORM, "csrf_token": token})
    assert created.status_code == 302
    schedule = db.session.scalars(
        select(SitrepSchedule).where(SitrepSchedule.name == FORM["name"])
    ).one()
    assert (schedule.cadence, schedule.weekday, schedule.language) == ("weekly", "thu", "ar")
    assert [r.email for r in schedule.recipients] == ["donor@example.org", "partner@example.org"]
    detail = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "partner@example.org" in detail and "Delivery log" in detail

    changed = client.post(
        f"/sitreps/schedules/{schedule.id}",
        data={
            **FORM,
            "cadence": "monthly",
            "weekday": "",
            "recipients": "new@example.org",
            "csrf_token": token,
        },
    )
    assert changed.status_code == 302
    db.session.expire_all()
    assert schedule.cadence == "monthly" and schedule.weekday is None
    assert [r.email for r in schedule.recipients] == ["new@example.org"]
    stopped = client.post(f"/sitreps/schedules/{schedule.id}/stop", data={"csrf_token": token})
    assert stopped.status_code == 302
    db.session.expire_all()
    assert schedule.active is False and schedule.next_run_at is None


def test_bad_input_is_redrawn_with_its_messages(client, demo):
    _login(client, "admin@demo.local")
    token = _csrf(client.get("/sitreps/schedules").get_data(as_text=True))
    bad = {
        **FORM,
        "weekday": "",
        "recipients": "donor@example.org\nnot an address",
        "csrf_token": token,
    }
    answer = client.post("/sitreps/schedules", data=bad)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "not an address" in html  # what was typed is kept
    assert "Not an e-mail address" in html
    zone = client.post(
        "/sitreps/schedules", data={**FORM, "timezone": "Mars/Olympus", "csrf_token": token}
    )
    assert zone.status_code == 422 and "Unknown time zone" in zone.get_data(as_text=True)
    weekly = client.post("/sitreps/schedules", data={**FORM, "weekday": "", "csrf_token": token})
    assert weekly.status_code == 422 and "needs a weekday" in weekly.get_data(as_text=True)
    assert (
        db.session.scalars(select(SitrepSchedule).where(SitrepSchedule.name == FORM["name"])).all()
        == []
    )


def test_other_roles_cannot_manage_schedules(client, demo):
    _login(client, "verifier@demo.local")
    assert client.get("/sitreps/schedules").status_code == 403
