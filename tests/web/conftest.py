"""Helpers for the web tests: staff accounts of each role and a client that signs in and
submits forms the way a browser does (CSRF token and idempotency key read from the page)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from humanitarian.extensions import db, limiter
from humanitarian.models.enums import Role, Sensitivity
from humanitarian.services import Actor, create_user

PASSWORD = "field-office-password"
ROLES = {
    "viewer": Sensitivity.public,
    "reporter": Sensitivity.partner,
    "verifier": Sensitivity.partner,
    "admin": Sensitivity.restricted,
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app):
    # The limiter's memory storage lives as long as the app; every test starts with none used.
    limiter.reset()


@pytest.fixture
def users(app):
    return {
        role: create_user(
            Actor.system("test"),
            f"{role}@field.test",
            PASSWORD,
            Role(role),
            "Field Office",
            max_sensitivity=grant,
        )
        for role, grant in ROLES.items()
    }


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden {name} field on the page"
    return match.group(1)


class Staff:
    """A signed-in user driving the test client (each request in its own app context, see
    ``tests/support.py``)."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = PASSWORD):
        page = self.client.get("/login").get_data(as_text=True)
        return self.client.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": hidden(page, "csrf_token")},
        )

    def get(self, url: str, **kw):
        return self.client.get(url, **kw)

    def page(self, url: str) -> str:
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data(as_text=True)

    def submit(self, url: str, data, *, form_url: str | None = None, key: str | None = None):
        """GET the form (for its CSRF token and idempotency key), then POST ``data``."""
        html = self.page(form_url or url)
        fields = list(data.items()) if isinstance(data, dict) else list(data)
        fields.append(("csrf_token", hidden(html, "csrf_token")))
        if 'name="idempotency_key"' in html:
            fields.append(("idempotency_key", key or hidden(html, "idempotency_key")))
        return self.client.post(url, data=_multi(fields))


def _multi(fields):
    from werkzeug.datastructures import MultiDict

    return MultiDict(fields)


@pytest.fixture
def staff(client):
    return Staff(client)


@pytest.fixture
def sign_in(app, users):
    """sign_in('reporter') → a Staff client signed in with that role."""

    def make(role: str) -> Staff:
        person = Staff(app.test_client())
        response = person.login(f"{role}@field.test")
        assert response.status_code == 302, response.get_data(as_text=True)
        return person

    return make


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def incident_form(**overrides) -> dict:
    """A valid incident form as a browser would send it (every field a string)."""
    values = {
        "title": "Air strike on Al-Amal school",
        "occurred_on": "2024-12-02",
        "occurred_at": "",
        "date_precision": "day",
        "event_type": "explosions_remote_violence",
        "sub_event_type": "air_drone_strike",
        "target_type": "school",
        "facility_id": "",
        "admin_pcode": "SY0700",
        "latitude": "35.931",
        "longitude": "36.633",
        "geo_precision": "",
        "actor1": "Syrian and Russian air forces",
        "actor2": "",
        "perpetrator_claimed_by": "",
        "killed": "3",
        "injured": "11",
        "civilians_killed": "",
        "children_killed": "",
        "description": "",
        "sensitivity": "public",
    }
    values.update(overrides)
    return values
