"""Signing in and out, the login wall, role checks, CSRF and the login rate limit."""

from datetime import timedelta

from sqlalchemy import select, update

from humanitarian.extensions import db
from humanitarian.models import AuditEvent
from tests.support import committed

from .conftest import PASSWORD, Staff, hidden


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_anonymous_users_are_sent_to_login(client, users):
    for url in ("/", "/incidents", "/incidents/new", "/review", "/record", "/sitreps/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next=")
    assert client.get("/login").status_code == 200
    assert client.get("/static/css/app.css").status_code == 200


def test_login_logout_and_audit(staff, users):
    response = staff.login("reporter@field.test")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = staff.page("/")
    assert "reporter@field.test" in page
    html = staff.page("/incidents")
    out = staff.client.post("/logout", data={"csrf_token": hidden(html, "csrf_token")})
    assert out.status_code == 302 and out.headers["Location"] == "/login"
    assert staff.get("/").status_code == 302
    assert actions() == ["user.create"] * 4 + ["login", "logout"]


def test_wrong_password_is_refused_and_logged(staff, users):
    response = staff.login("reporter@field.test", "not-the-password")
    assert response.status_code == 401
    assert "Wrong email or password" in response.get_data(as_text=True)
    assert 'value="reporter@field.test"' in response.get_data(as_text=True)
    assert actions()[-1] == "login.failed"
    assert staff.get("/").status_code == 302


def _login_from(client, address: str, email: str, password: str = PASSWORD):
    """Sign in as a browser at ``address`` would (each address its own cookie jar)."""
    page = client.get("/login", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": hidden(page, "csrf_token")},
        environ_base={"REMOTE_ADDR": address},
    )


def test_failures_throttle_the_address_not_the_account(app, users):
    """Someone guessing a coordinator's password from one address is slowed down there; the
    coordinator signs in from their own address as usual."""
    attacker, owner = app.test_client(), app.test_client()
    email = "viewer@field.test"
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _login_from(attacker, "203.0.113.9", email, "guess-guess").status_code == 401
    refused = _login_from(attacker, "203.0.113.9", email)  # even the right password
    assert refused.status_code == 401
    assert "too many failed attempts" in refused.get_data(as_text=True).lower()
    assert "login.throttled" in actions()
    assert _login_from(owner, "198.51.100.7", email).status_code == 302
    # The throttled address may still sign in to another account.
    assert _login_from(app.test_client(), "203.0.113.9", "reporter@field.test").status_code == 302


def test_an_address_failing_on_many_accounts_is_throttled_for_all(app, users, monkeypatch):
    from humanitarian.extensions import limiter

    monkeypatch.setitem(app.config, "LOGIN_MAX_ADDRESS_FAILURES", 6)
    sprayer = app.test_client()
    for n in range(6):
        limiter.reset()  # the per-minute request limit is not what this tests
        assert _login_from(sprayer, "203.0.113.50", f"user{n}@field.test", "x").status_code == 401
    blocked = _login_from(sprayer, "203.0.113.50", "verifier@field.test")
    assert blocked.status_code == 401 and "too many" in blocked.get_data(as_text=True).lower()
    assert _login_from(app.test_client(), "198.51.100.8", "verifier@field.test").status_code == 302


def _age_failures(seconds: int) -> None:
    """Move every counted failure ``seconds`` into the past, through a connection of its own."""
    from humanitarian.models import SigninFailure

    with db.engine.begin() as other:
        rows = other.execute(select(SigninFailure.id, SigninFailure.occurred_at)).all()
        for row_id, occurred_at in rows:
            earlier = occurred_at - timedelta(seconds=seconds)
            other.execute(
                update(SigninFailure).where(SigninFailure.id == row_id).values(occurred_at=earlier)
            )


def test_a_throttle_lasts_its_window_and_success_forgives(app, users):
    email, window = "viewer@field.test", app.config["LOGIN_LOCKOUT_SECONDS"]
    client = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert _login_from(client, "203.0.113.20", email, "guess-guess").status_code == 401
    _age_failures(window - 5)  # still inside the window
    assert _login_from(client, "203.0.113.20", email, "guess-guess").status_code == 401
    assert _login_from(client, "203.0.113.20", email).status_code == 401  # throttled
    _age_failures(10)  # the first four leave the window: one failure left counting
    assert _login_from(client, "203.0.113.20", email).status_code == 302
    # A success forgives the account's failures from that address.
    from humanitarian.models import SigninFailure

    keys = committed(select(SigninFailure.key))
    assert keys and all(key.startswith("address:") for key in keys)
    assert not any("viewer" in key for key in keys)  # no email addresses are kept


def test_login_without_csrf_token_is_rejected(client, users):
    response = client.post("/login", data={"email": "viewer@field.test", "password": PASSWORD})
    assert response.status_code == 400
    assert 'data-error="400"' in response.get_data(as_text=True)
    assert "login" not in actions()


def test_login_rate_limit(app, staff, users):
    limit = int(app.config["RATELIMIT_LOGIN"].split()[0])
    statuses = [staff.login("nobody@field.test", "x").status_code for _ in range(limit + 1)]
    assert statuses[:limit] == [401] * limit
    assert statuses[-1] == 429


def test_next_only_redirects_within_the_site(client, users):
    person = Staff(client)
    page = client.get("/login?next=https://evil.example/").get_data(as_text=True)
    response = client.post(
        "/login",
        data={
            "email": "viewer@field.test",
            "password": PASSWORD,
            "next": "https://evil.example/",
            "csrf_token": hidden(page, "csrf_token"),
        },
    )
    assert response.headers["Location"] == "/"
    assert person.get("/login?next=/incidents").headers["Location"] == "/incidents"


def test_roles_gate_pages_with_403(sign_in):
    viewer, reporter, verifier = sign_in("viewer"), sign_in("reporter"), sign_in("verifier")
    for url in ("/incidents/new", "/facilities/new", "/movements/new", "/record"):
        response = viewer.get(url)
        assert response.status_code == 403, url
        assert 'data-error="403"' in response.get_data(as_text=True)
        assert reporter.get(url).status_code == 200, url
    assert reporter.get("/review").status_code == 403
    assert verifier.get("/review").status_code == 200
    assert "Review</a>" not in reporter.page("/")
    assert "Review</a>" in verifier.page("/")


def test_error_pages_are_html(sign_in):
    viewer = sign_in("viewer")
    missing = viewer.get("/no-such-page")
    assert missing.status_code == 404 and "text/html" in missing.content_type
    bad_id = viewer.get("/incidents/not-a-uuid")
    assert bad_id.status_code == 404 and 'data-error="404"' in bad_id.get_data(as_text=True)
    # Unknown API paths never get an HTML page.
    api = viewer.get("/api/v1/no-such-resource")
    assert api.status_code == 404 and api.content_type == "application/problem+json"
    assert api.get_json()["status"] == 404


def test_oversized_form_gets_a_413_page(app, sign_in):
    reporter = sign_in("reporter")
    body = {"description": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)}
    response = reporter.client.post("/incidents/new", data=body)
    assert response.status_code == 413
    assert 'data-error="413"' in response.get_data(as_text=True)
