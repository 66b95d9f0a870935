"""Fixtures for the reliability tests: a real gunicorn server on the test database, API tokens,
and an admin connection that can cut the application's database connections."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from humanitarian.extensions import db, limiter
from humanitarian.models.enums import Role, Scope, Sensitivity
from humanitarian.services import Actor, create_token, create_user
from tests.web.conftest import PASSWORD, Staff

from .live import start_gunicorn


@dataclass
class Client:
    """One partner system: its own token, as in production."""

    name: str
    secret: str

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.secret}"}


@pytest.fixture
def make_clients(app):
    def make(count: int, grant: str = "partner") -> list[Client]:
        clients = []
        for i in range(count):
            _, secret = create_token(
                Actor.system("reliability"),
                f"Partner {i:02d}",
                [Scope.read, Scope.append],
                Sensitivity(grant),
            )
            clients.append(Client(f"c{i:02d}", secret))
        db.session.commit()
        return clients

    return make


@pytest.fixture
def live_server(app, database_url, tmp_path):
    """gunicorn with two workers of four threads each, on the migrated test database whose
    tables the ``app`` fixture has just emptied."""
    db.session.remove()  # no transaction of ours may sit between the server and its tables
    server = start_gunicorn(
        database_url, tmp_path / "sitreps", tmp_path / "gunicorn.log", workers=2, threads=4
    )
    yield server
    server.stop()
    db.session.remove()


@pytest.fixture
def writer(make_clients) -> dict:
    """Headers of one partner system that may read and append up to 'partner'."""
    return make_clients(1)[0].headers


@pytest.fixture
def sign_in(app):
    """sign_in('admin') → a Staff client signed in with that role (restricted grant for admin
    and verifier, so they see everything the tests store)."""
    limiter.reset()

    def make(role: str = "admin") -> Staff:
        email = f"{role}@reliability.test"
        create_user(
            Actor.system("reliability"),
            email,
            PASSWORD,
            Role(role),
            "Field Office",
            max_sensitivity=Sensitivity.restricted,
        )
        person = Staff(app.test_client())
        response = person.login(email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return person

    return make
