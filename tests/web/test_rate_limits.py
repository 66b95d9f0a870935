"""The sign-in form is rate limited per client address, answered with an HTML 429 page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from humanitarian import create_app
from humanitarian.config import Config
from humanitarian.extensions import db
from humanitarian.models import AuditEvent

from .conftest import PASSWORD, Staff


@pytest.fixture
def small_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN", "2 per minute")
    return 2


def _from(app, ip: str) -> Staff:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return Staff(client)


def test_sign_in_attempts_are_limited_per_address(app, users, small_limit):
    guesser, colleague = _from(app, "198.51.100.7"), _from(app, "198.51.100.8")
    attempts = [guesser.login("viewer@field.test", "wrong-guess") for _ in range(small_limit)]
    assert [r.status_code for r in attempts] == [401] * small_limit
    refused = guesser.login("viewer@field.test", PASSWORD)  # even the right password waits
    assert refused.status_code == 429
    assert refused.mimetype == "text/html"
    page = refused.get_data(as_text=True)
    assert 'data-error="429"' in page and "try again" in page.lower()
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    # Only posting the form is limited; the page itself still opens.
    assert guesser.get("/login").status_code == 200
    # Someone at another address signs in normally.
    assert colleague.login("viewer@field.test", PASSWORD).status_code == 302


def test_api_traffic_does_not_use_up_the_sign_in_budget(app, users, small_limit, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_API", "100 per minute")
    person = _from(app, "198.51.100.9")
    for _ in range(small_limit + 3):
        assert person.get("/api/v1/admin-areas?level=1").status_code == 200
    assert person.login("viewer@field.test", PASSWORD).status_code == 302


def _proxied_app(database_url, tmp_path, proxies: int):
    return create_app(
        Config.from_env(
            {},
            DATABASE_URL=database_url,
            SECRET_KEY="test-secret",
            SITREP_DIR=str(tmp_path),
            TESTING=True,
            RATELIMIT_LOGIN="1 per minute",
            TRUSTED_PROXIES=proxies,
        )
    )


def _attempt(app, forwarded_for: str) -> int:
    """One failed sign-in sent through a proxy at 10.0.0.2 for the given client."""
    with app.app_context():
        client = app.test_client()
        client.environ_base.update(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for)
        return Staff(client).login("viewer@field.test", "wrong-guess").status_code


def test_behind_a_trusted_proxy_limits_apply_to_the_real_client(app, users, database_url, tmp_path):
    proxied = _proxied_app(database_url, tmp_path, proxies=1)
    try:
        assert _attempt(proxied, "203.0.113.1") == 401
        assert _attempt(proxied, "203.0.113.1") == 429
        assert _attempt(proxied, "203.0.113.2") == 401  # another client behind the same proxy
    finally:
        with proxied.app_context():
            db.engine.dispose()
    addresses = db.session.scalars(
        select(AuditEvent.ip).where(AuditEvent.action == "login.failed").order_by(AuditEvent.id)
    ).all()
    assert addresses == ["203.0.113.1", "203.0.113.2"]


def test_without_trusted_proxies_a_forged_header_changes_nothing(
    app, users, database_url, tmp_path
):
    direct = _proxied_app(database_url, tmp_path, proxies=0)
    try:
        assert _attempt(direct, "203.0.113.1") == 401
        assert _attempt(direct, "203.0.113.99") == 429  # still the same caller: 10.0.0.2
    finally:
        with direct.app_context():
            db.engine.dispose()
