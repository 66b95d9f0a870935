import re

import pytest

from humanitarian import create_app
from humanitarian.config import Config
from humanitarian.extensions import db
from humanitarian.models.enums import Role
from humanitarian.services import Actor, create_user


def test_pages_carry_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def _session_cookie(response) -> dict[str, str]:
    """The attributes of the session cookie the response sets (names lower-cased)."""
    for header in response.headers.getlist("Set-Cookie"):
        name, _, rest = header.partition("=")
        if name == "session":
            attributes = [part.strip() for part in rest.split(";")[1:]]
            return {k.lower(): v for k, _, v in (a.partition("=") for a in attributes)}
    raise AssertionError(f"no session cookie in {response.headers.getlist('Set-Cookie')}")


@pytest.mark.parametrize("env, secure", [("production", True), ("development", False)])
def test_the_session_cookie_a_sign_in_sets(app, database_url, tmp_path, env, secure):
    """Read off the Set-Cookie header of a real sign-in, not the configuration: HttpOnly and
    SameSite always, Secure in production (where plain HTTP is redirected to HTTPS)."""
    create_user(Actor.system("t"), "staff@field.test", "long-password", Role.viewer, "Org")
    served = create_app(
        Config.from_env(
            {},
            ENV=env,
            SECRET_KEY="s" * 32,
            DATABASE_URL=database_url,
            SITREP_DIR=str(tmp_path),
        )
    )
    try:
        cookie = _sign_in(served.test_client(), secure)
    finally:
        with served.app_context():
            db.engine.dispose()
    assert "httponly" in cookie and cookie["samesite"] == "Lax"
    assert ("secure" in cookie) is secure


def _sign_in(client, secure: bool) -> dict[str, str]:
    base = "https://field.example" if secure else "http://field.example"
    if secure:
        assert client.get("/login", base_url="http://field.example").status_code == 302
    page = client.get("/login", base_url=base).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    signed_in = client.post(
        "/login",
        base_url=base,
        headers={"Referer": f"{base}/login"},  # over HTTPS, CSRF checks the referrer too
        data={"email": "staff@field.test", "password": "long-password", "csrf_token": token},
    )
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"
    return _session_cookie(signed_in)


def test_production_refuses_default_secret():
    from humanitarian.config import Config

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        Config.from_env({}, ENV="production", DATABASE_URL="sqlite://").resolve()
