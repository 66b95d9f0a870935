"""Rate limits on the API: one budget per token (or per address without a valid token), 429 in
problem+json with Retry-After, counts kept per app, and shared between app instances through
Redis. Also: revocation and expiry of a token take effect on its very next request."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select, update

from humanitarian import create_app
from humanitarian.config import Config
from humanitarian.extensions import db, limiter
from humanitarian.models import ApiToken, AuditEvent, utcnow
from humanitarian.models.enums import Scope, Sensitivity
from humanitarian.services import Actor, create_token, revoke_token
from tests.support import unavailable

REDIS_URL = os.environ.get("HUMANITARIAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def small_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_API", "3 per minute")
    return 3


def _get(client, url="/api/v1/admin-areas?level=1", headers=None, ip="192.0.2.10"):
    return client.get(url, headers=headers or {}, environ_base={"REMOTE_ADDR": ip})


def test_the_limit_is_per_token_across_the_whole_api(client, make_token, small_limit):
    first, second = make_token("read"), make_token("read")
    urls = ["/api/v1/admin-areas?level=1", "/api/v1/incidents", "/api/v1/summary"]
    answers = [_get(client, url, first.headers).status_code for url in urls]
    assert answers == [200] * small_limit
    refused = _get(client, "/api/v1/movements", first.headers)
    assert refused.status_code == 429
    assert refused.content_type == "application/problem+json"
    problem = refused.get_json()
    assert problem["status"] == 429 and problem["title"] == "Too Many Requests"
    assert "3 per minute" in problem["detail"]
    assert problem["request_id"] == refused.headers["X-Request-ID"]
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    # Another token of the same organisation, and anonymous readers, have budgets of their own.
    assert _get(client, headers=second.headers).status_code == 200
    assert _get(client).status_code == 200


def test_a_refused_request_changes_nothing(client, make_token, small_limit):
    from .conftest import INCIDENT

    writer = make_token("read,append")
    for _ in range(small_limit):
        assert _get(client, headers=writer.headers).status_code == 200
    refused = client.post("/api/v1/incidents", json=INCIDENT, headers=writer.headers)
    assert refused.status_code == 429
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "incident.create" not in actions


def test_without_a_valid_token_requests_count_against_the_address(client, small_limit):
    for _ in range(small_limit):
        assert _get(client, ip="192.0.2.20").status_code == 200
    # A made-up token does not buy a fresh budget: it is counted against the address first.
    bogus = {"Authorization": "Bearer hum_made-up"}
    assert _get(client, headers=bogus, ip="192.0.2.20").status_code == 429
    assert _get(client, ip="192.0.2.20").status_code == 429
    assert _get(client, ip="192.0.2.21").status_code == 200
    assert _get(client, headers=bogus, ip="192.0.2.21").status_code == 401


def test_documentation_is_not_limited(client, small_limit):
    statuses = {_get(client, "/api/v1/openapi.json").status_code for _ in range(small_limit + 2)}
    assert statuses == {200}


def test_every_operation_documents_429(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method in {"get", "post"}:
                assert "429" in operation["responses"], (method, path)


def _app(database_url, tmp_path, **overrides):
    config = Config.from_env(
        {},
        DATABASE_URL=database_url,
        SECRET_KEY="test-secret",
        SITREP_DIR=str(tmp_path / "sitreps"),
        TESTING=True,
        **overrides,
    )
    return create_app(config)


def _close(*apps):
    for other in apps:
        with other.app_context():
            limiter.reset()
            db.engine.dispose()


def test_each_app_keeps_its_own_counts_in_memory(app, database_url, tmp_path, make_token):
    token = make_token("read")
    one = _app(database_url, tmp_path, RATELIMIT_API="2 per minute")
    two = _app(database_url, tmp_path, RATELIMIT_API="2 per minute")
    try:
        assert [_get(one.test_client(), headers=token.headers).status_code for _ in range(3)] == [
            200,
            200,
            429,
        ]
        # Memory storage is per process and per app: the second app has counted nothing.
        assert _get(two.test_client(), headers=token.headers).status_code == 200
    finally:
        _close(one, two)


def _redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        unavailable(f"Redis not reachable at {REDIS_URL}: {exc}")
    return redis.Redis.from_url(REDIS_URL)


def test_two_app_instances_share_the_count_through_redis(app, database_url, tmp_path, make_token):
    server = _redis_or_skip()
    prefix = f"humanitarian-test-{uuid.uuid4().hex[:12]}"
    settings = dict(REDIS_URL=REDIS_URL, RATELIMIT_PREFIX=prefix, RATELIMIT_API="4 per minute")
    one, two = _app(database_url, tmp_path, **settings), _app(database_url, tmp_path, **settings)
    token = make_token("read")
    try:
        clients = [one.test_client(), two.test_client()]
        statuses = [_get(clients[i % 2], headers=token.headers).status_code for i in range(4)]
        assert statuses == [200, 200, 200, 200]
        # Two requests went through each instance; the fifth is refused by either of them.
        assert _get(clients[0], headers=token.headers).status_code == 429
        assert _get(clients[1], headers=token.headers).status_code == 429
        keys = [k.decode() for k in server.scan_iter(f"{prefix}:*")]
        assert keys and all(str(token.id) in k for k in keys)
        # A third instance on memory storage knows nothing of those counts.
        alone = _app(database_url, tmp_path, RATELIMIT_API="4 per minute")
        assert _get(alone.test_client(), headers=token.headers).status_code == 200
        _close(alone)
    finally:
        _close(one, two)  # resetting a Redis storage deletes only the keys under its prefix
    assert list(server.scan_iter(f"{prefix}:*")) == []


def test_when_redis_is_down_the_api_still_answers(app, database_url, tmp_path, caplog):
    down = _app(database_url, tmp_path, REDIS_URL="redis://127.0.0.1:1/0", RATELIMIT_API="1/minute")
    try:
        statuses = [_get(down.test_client()).status_code for _ in range(3)]
    finally:
        with down.app_context():
            db.engine.dispose()
    assert statuses == [200, 200, 200]
    assert "Failed to rate limit" in caplog.text


# --- revocation and expiry take effect at once -----------------------------------------------


def test_a_revoked_token_is_refused_on_its_very_next_request(client, make_token):
    token = make_token("read")
    assert _get(client, headers=token.headers).status_code == 200
    revoke_token(Actor.system("test"), token.id)
    refused = _get(client, headers=token.headers)
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")


def test_revocation_by_another_process_is_seen_at_once(client, make_token, database_url):
    """The token row is loaded in this process's session; another process (the CLI on another
    machine) revokes it. The next request must not trust the copy it already holds."""
    token = make_token("read")
    assert _get(client, headers=token.headers).status_code == 200
    assert db.session.get(ApiToken, token.id).revoked_at is None  # loaded, not expired
    other = create_engine(database_url)
    with other.begin() as conn:
        conn.execute(update(ApiToken).where(ApiToken.id == token.id).values(revoked_at=utcnow()))
    other.dispose()
    assert _get(client, headers=token.headers).status_code == 401


def test_revoke_token_command_stops_the_token_at_once(client, runner, make_token):
    token = make_token("read")
    assert _get(client, headers=token.headers).status_code == 200
    result = runner.invoke(args=["revoke-token", str(token.id)])
    assert result.exit_code == 0, result.output
    assert _get(client, headers=token.headers).status_code == 401


def test_an_expired_token_is_refused_from_the_moment_it_expires(client, database_url):
    token, secret = create_token(
        Actor.system("test"),
        "Partner NGO",
        [Scope.read],
        Sensitivity.partner,
        expires_at=utcnow() + timedelta(hours=1),
    )
    headers = {"Authorization": f"Bearer {secret}"}
    assert _get(client, headers=headers).status_code == 200
    other = create_engine(database_url)
    with other.begin() as conn:
        moment = utcnow() - timedelta(seconds=1)
        conn.execute(update(ApiToken).where(ApiToken.id == token.id).values(expires_at=moment))
    other.dispose()
    assert _get(client, headers=headers).status_code == 401
