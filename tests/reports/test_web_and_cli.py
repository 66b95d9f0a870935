"""The /sitreps pages (through the test client, CSRF on) and the `flask sitrep` commands."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from humanitarian.extensions import db
from humanitarian.models import Sitrep, User
from humanitarian.services import Actor, generate_sitrep

from .conftest import PERIOD, pdf_text


def _login(client, email):
    user = db.session.scalars(select(User).where(User.email == email)).one()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _session_csrf(client) -> str:
    """A valid CSRF token for a session whose pages never rendered a form (as Flask-WTF
    signs it), so a POST reaches the view and the permission check."""
    from flask import current_app
    from itsdangerous import URLSafeTimedSerializer

    raw = "a" * 40
    with client.session_transaction() as session:
        session["csrf_token"] = raw
    return URLSafeTimedSerializer(current_app.secret_key, salt="wtf-csrf-token").dumps(raw)


def _form(token, **overrides):
    data = {
        "csrf_token": token,
        "admin_pcode": "SY02",
        "period_start": "2024-11-27",
        "period_end": "2024-12-04",
        "audience": "public",
    }
    data.update(overrides)
    return data


def test_pages_need_a_login(client, demo):
    page = client.get("/sitreps/")
    assert (page.status_code, page.headers["Location"]) == (302, "/login?next=%2Fsitreps%2F")
    # With a valid CSRF token, so that the sign-in check is what refuses the form.
    token = _csrf(client.get("/login").get_data(as_text=True))
    refused = client.post("/sitreps/generate", data=_form(token))
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")
    assert db.session.scalar(select(func.count()).select_from(Sitrep)) == 0


def test_verifier_generates_now_and_downloads(client, demo):
    _login(client, "verifier@demo.local")
    page = client.get("/sitreps/")
    assert page.status_code == 200 and b"Generate now" in page.data
    token = _csrf(page.get_data(as_text=True))

    done = client.post("/sitreps/generate", data=_form(token), follow_redirects=True)
    assert done.status_code == 200
    assert "Generated: Aleppo: Situation Report, 27 Nov – 4 Dec 2024" in done.get_data(True)
    sitrep = db.session.scalars(select(Sitrep)).one()
    assert str(sitrep.id) in done.get_data(as_text=True)

    again = client.post("/sitreps/generate", data=_form(token), follow_redirects=True)
    assert "Already in the archive" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Sitrep)) == 1

    pdf = client.get(f"/sitreps/{sitrep.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    assert "Aleppo International Airport" in pdf_text(pdf.data)


def test_form_errors_are_shown_not_raised(client, demo):
    _login(client, "verifier@demo.local")
    token = _csrf(client.get("/sitreps/").get_data(as_text=True))
    bad = client.post("/sitreps/generate", data=_form(token, period_end="2024-11-01"))
    assert bad.status_code == 422 and "Must not be before period_start" in bad.get_data(True)
    junk = client.post("/sitreps/generate", data=_form(token, period_start="yesterday"))
    assert junk.status_code == 422 and "Not a valid date" in junk.get_data(True)
    unknown = client.post("/sitreps/generate", data=_form(token, admin_pcode="SY98"))
    assert unknown.status_code == 422 and "Unknown p-code" in unknown.get_data(True)
    above = client.post("/sitreps/generate", data=_form(token, audience="restricted"))
    assert above.status_code == 403
    assert client.post("/sitreps/generate", data=_form("forged")).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Sitrep)) == 0
    assert client.get("/sitreps/?audience=secret").status_code == 400


def test_viewers_cannot_generate_and_never_see_restricted_editions(client, demo):
    public = generate_sitrep(Actor.system("t"), "SY07", *PERIOD, "public")
    restricted = generate_sitrep(Actor.system("t"), "SY07", *PERIOD, "restricted")
    _login(client, "viewer@demo.local")
    page = client.get("/sitreps/").get_data(as_text=True)
    assert "Generate now" not in page and "Scheduler" not in page
    assert str(public.id) in page and str(restricted.id) not in page
    assert client.get(f"/sitreps/{restricted.id}.pdf").status_code == 404
    assert client.get(f"/sitreps/{public.id}.pdf").status_code == 200
    forbidden = client.post("/sitreps/generate", data=_form(_session_csrf(client)))
    assert forbidden.status_code == 403 and "verify" in forbidden.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Sitrep)) == 2


def test_admins_see_scheduler_health(client, demo):
    _login(client, "admin@demo.local")
    page = client.get("/sitreps/").get_data(as_text=True)
    assert "No scheduler is running" in page
    assert "Aleppo weekly (public, en)" in page and "Retry failed scheduled sitreps" in page


@pytest.mark.parametrize("audience", ["public", "partner"])
def test_cli_generate_writes_the_pdf(runner, demo, tmp_path, audience):
    out = tmp_path / "sitrep.pdf"
    args = ["sitrep", "generate", "--admin", "SY07", "--since", "2024-11-27"]
    args += ["--until", "2024-12-04", "--out", str(out), "--audience", audience]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Idleb: Situation Report, 27 Nov – 4 Dec 2024" in result.output
    text = pdf_text(out)
    assert "Idleb" in text and audience.upper() in text
    listed = runner.invoke(args=["sitrep", "list"])
    assert audience in listed.output and "SY07" in listed.output


def test_cli_reports_bad_input(runner, demo):
    result = runner.invoke(
        args=[
            "sitrep",
            "generate",
            "--admin",
            "SY07",
            "--since",
            "2024-12-04",
            "--until",
            "2024-12-01",
        ]
    )
    assert result.exit_code != 0 and "Must not be before period_start" in result.output
    assert db.session.scalar(select(func.count()).select_from(Sitrep)) == 0


def test_cli_scheduler_status(runner, demo):
    result = runner.invoke(args=["scheduler", "status"])
    assert result.exit_code == 0
    assert "no scheduler running" in result.output
    assert "Follow the sitrep schedules table" in result.output
    assert "Idleb weekly (public, en)" in result.output
    assert "hour=6, minute=0, day_of_week=mon, timezone=Asia/Damascus" in result.output
