def test_pages_carry_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_production_config_makes_cookies_secure():
    from humanitarian import create_app
    from humanitarian.config import Config

    app = create_app(
        Config.from_env({}, ENV="production", SECRET_KEY="x" * 32, DATABASE_URL="sqlite://")
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_production_refuses_default_secret():
    import pytest

    from humanitarian.config import Config

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        Config.from_env({}, ENV="production", DATABASE_URL="sqlite://").resolve()
