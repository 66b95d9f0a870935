"""The sign-in form is rate limited per client address, answered with an HTML 429 page."""

from __future__ import annotations

import pytest

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
