"""Signing in and out, the login wall, role checks, CSRF and the login rate limit."""

from datetime import datetime, timedelta

from sqlalchemy import select, update

from humanitarian.extensions import db
from humanitarian.models import AuditEvent, User, utcnow
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


def test_lockout_after_repeated_failures(app, staff, users):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert staff.login("viewer@field.test", "guess-guess").status_code == 401
    locked = staff.login("viewer@field.test", PASSWORD)
    assert locked.status_code == 401
    assert "too many failed attempts" in locked.get_data(as_text=True).lower()
    assert "login.locked" in actions()


def _lock_state(email: str) -> tuple[int, datetime | None]:
    (row,) = committed(select(User.failed_logins, User.locked_until).where(User.email == email))
    return tuple(row)


def _lock_until(email: str, until: datetime) -> None:
    """Move the end of a lockout, through a connection of its own."""
    with db.engine.begin() as other:
        other.execute(update(User).where(User.email == email).values(locked_until=until))


def test_a_lockout_lasts_its_configured_time_and_then_ends(app, staff, users):
    email, lockout = "viewer@field.test", timedelta(seconds=app.config["LOGIN_LOCKOUT_SECONDS"])
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert staff.login(email, "guess-guess").status_code == 401
    assert _lock_state(email)[1] is None  # one failure short of the limit: not locked
    before = utcnow()
    assert staff.login(email, "guess-guess").status_code == 401
    failures, until = _lock_state(email)
    assert failures == app.config["LOGIN_MAX_FAILURES"]
    assert before + lockout <= until <= utcnow() + lockout

    _lock_until(email, utcnow() + timedelta(seconds=5))  # the last seconds of the lockout
    locked = staff.login(email, PASSWORD)
    assert locked.status_code == 401
    assert "too many failed attempts" in locked.get_data(as_text=True).lower()

    _lock_until(email, utcnow() - timedelta(seconds=1))  # just over
    assert staff.login(email, PASSWORD).status_code == 302
    assert _lock_state(email) == (0, None)
    assert actions()[-3:] == ["login.failed", "login.locked", "login"]


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
