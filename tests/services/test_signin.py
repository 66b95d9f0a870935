"""Sign-in throttling counts in Redis when one is configured, and in the database when none is
or when it cannot be reached."""

from __future__ import annotations

import uuid

import pytest
import redis
from sqlalchemy import func, select

from humanitarian.extensions import db
from humanitarian.models import SigninFailure
from humanitarian.services.signin import (
    note_signin_failure,
    note_signin_success,
    signin_throttled,
)

REDIS = "redis://127.0.0.1:6379/0"


def _redis_or_skip() -> redis.Redis:
    client = redis.Redis.from_url(REDIS, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    return client


def _stored() -> int:
    return db.session.scalar(select(func.count()).select_from(SigninFailure))


def test_counts_live_in_redis_when_configured(app, monkeypatch):
    client = _redis_or_skip()
    prefix = f"test-{uuid.uuid4().hex}"
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS)
    monkeypatch.setitem(app.config, "RATELIMIT_PREFIX", prefix)
    try:
        for _ in range(app.config["LOGIN_MAX_FAILURES"]):
            assert not signin_throttled("coordinator@field.test", "203.0.113.1")
            note_signin_failure("coordinator@field.test", "203.0.113.1")
        assert signin_throttled("coordinator@field.test", "203.0.113.1")
        assert not signin_throttled("coordinator@field.test", "198.51.100.1")
        names = client.keys(f"{prefix}:signin:*")
        assert len(names) == 2 and all(0 < client.ttl(n) <= 900 for n in names)
        assert _stored() == 0
        note_signin_success("coordinator@field.test", "203.0.113.1")
        assert not signin_throttled("coordinator@field.test", "203.0.113.1")
    finally:
        for name in client.keys(f"{prefix}:*"):
            client.delete(name)


def test_an_unreachable_redis_falls_back_to_the_database(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        note_signin_failure("coordinator@field.test", "203.0.113.2")
    assert _stored() == 2 * app.config["LOGIN_MAX_FAILURES"]
    assert signin_throttled("coordinator@field.test", "203.0.113.2")
