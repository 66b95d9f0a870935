"""Sign-in throttling: failed passwords slow down the address they come from, never the
account everywhere.

An account lock would let anyone keep a coordinator out during an emergency by typing wrong
passwords for them. Instead two counts of failures are kept over a sliding window of
``LOGIN_LOCKOUT_SECONDS``:

- **account at an address**: after ``LOGIN_MAX_FAILURES`` failures for one account from one
  address, that address may not try that account until the oldest of them leaves the window;
- **address**: after ``LOGIN_MAX_ADDRESS_FAILURES`` failures from one address, whatever the
  accounts (password spraying), that address may not sign in at all for as long.

The same account signs in from any other address as usual. A throttled attempt is refused
before the password is checked, so it cannot be used to go on guessing. Unknown accounts
count like known ones, so the answers do not tell which accounts exist.

The counts live in Redis when ``HUMANITARIAN_REDIS_URL`` is set (shared by every process,
expiring by themselves), otherwise in the database (``signin_failures``, pruned as it goes).
If Redis cannot be reached the database serves instead: sign-in stays available.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from datetime import timedelta
from typing import Optional, Protocol

import redis
from flask import current_app
from sqlalchemy import delete, func, select

from ..extensions import db
from ..models import SigninFailure, utcnow

log = logging.getLogger(__name__)


class FailureStore(Protocol):
    def count(self, key: str, window: int) -> int: ...

    def add(self, keys: list[str], window: int) -> None: ...

    def clear(self, key: str) -> None: ...


class DatabaseStore:
    def count(self, key: str, window: int) -> int:
        since = utcnow() - timedelta(seconds=window)
        stmt = select(func.count()).where(
            SigninFailure.key == key, SigninFailure.occurred_at > since
        )
        return db.session.scalar(stmt) or 0

    def add(self, keys: list[str], window: int) -> None:
        now = utcnow()
        # Failures older than the window count for nothing: drop them as new ones arrive.
        db.session.execute(
            delete(SigninFailure).where(
                SigninFailure.occurred_at <= now - timedelta(seconds=window)
            )
        )
        db.session.add_all(SigninFailure(key=key, occurred_at=now) for key in keys)
        db.session.commit()

    def clear(self, key: str) -> None:
        db.session.execute(delete(SigninFailure).where(SigninFailure.key == key))
        db.session.commit()


class RedisStore:
    """A sorted set per key (failure times as scores), expiring with its window."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client, self.prefix = client, prefix

    def _name(self, key: str) -> str:
        return f"{self.prefix}:signin:{key}"

    def count(self, key: str, window: int) -> int:
        now = time.time()
        return int(self.client.zcount(self._name(key), now - window, "+inf"))

    def add(self, keys: list[str], window: int) -> None:
        now = time.time()
        pipe = self.client.pipeline()
        for key in keys:
            name = self._name(key)
            pipe.zadd(name, {uuid.uuid4().hex: now})
            pipe.zremrangebyscore(name, "-inf", now - window)
            pipe.expire(name, window)
        pipe.execute()

    def clear(self, key: str) -> None:
        self.client.delete(self._name(key))


_clients: dict[str, redis.Redis] = {}


def _store() -> FailureStore:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return DatabaseStore()
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return RedisStore(_clients[url], current_app.config["RATELIMIT_PREFIX"])


def _with_fallback(operation):
    """Run ``operation(store)`` on the configured store, on the database if Redis fails."""
    store = _store()
    try:
        return operation(store)
    except redis.RedisError:
        log.exception("sign-in throttling: Redis unavailable, counting in the database")
        return operation(DatabaseStore())


def _keys(email: str, address: Optional[str]) -> tuple[str, str]:
    """(account-at-address key, address key), hashed: the counts hold no email address."""
    where = address or "unknown"
    pair = hashlib.sha256(f"{email.strip().lower()}\n{where}".encode()).hexdigest()
    return f"account:{pair}", f"address:{hashlib.sha256(where.encode()).hexdigest()}"


def _limits() -> tuple[int, int, int]:
    config = current_app.config
    return (
        int(config["LOGIN_MAX_FAILURES"]),
        int(config["LOGIN_MAX_ADDRESS_FAILURES"]),
        int(config["LOGIN_LOCKOUT_SECONDS"]),
    )


def signin_throttled(email: str, address: Optional[str]) -> bool:
    """Whether this address may not try this account (or any account) for now."""
    per_account, per_address, window = _limits()
    pair, place = _keys(email, address)

    def check(store: FailureStore) -> bool:
        return store.count(pair, window) >= per_account or store.count(place, window) >= (
            per_address
        )

    return _with_fallback(check)


def note_signin_failure(email: str, address: Optional[str]) -> None:
    _, _, window = _limits()
    keys = list(_keys(email, address))
    _with_fallback(lambda store: store.add(keys, window))


def note_signin_success(email: str, address: Optional[str]) -> None:
    """The account's failures from this address are forgiven; the address's count stays (an
    attacker with one valid account must not be able to reset it)."""
    pair, _ = _keys(email, address)
    _with_fallback(lambda store: store.clear(pair))
