"""Helpers every part of the suite shares: the CI switch, a test client and CLI runner that
run each request or command as production does (its own app context, so its own database
session), reading the database as another connection would, and polling with a deadline."""

from __future__ import annotations

import contextvars
import os
import time
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import pytest
from flask import has_app_context
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Executable
from sqlalchemy.orm import Session

from humanitarian.extensions import db

T = TypeVar("T")
_TRUE = {"1", "true", "yes", "on"}


def in_ci(environ: dict[str, str] | None = None) -> bool:
    """True when the ``CI`` variable is set to any of the usual true values (``1``, ``yes``,
    ``true``, ``on``, any case): then nothing the suite needs may be skipped."""
    value = (os.environ if environ is None else environ).get("CI", "")
    return value.strip().lower() in _TRUE


def unavailable(reason: str) -> NoReturn:
    """Something a test needs (a server, a browser, a library) is missing: skip the test on a
    developer's machine, fail it in CI, where everything the suite needs must be there."""
    if in_ci():
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def _outer_session_must_be_clean() -> None:
    """A request runs in a session of its own and sees only committed rows: test data still
    pending in the test's session would silently be missing from it (and on SQLite an open
    write transaction would hold the lock the request waits for)."""
    if not has_app_context():
        return
    session = db.session()
    pending = session.new | session.dirty | session.deleted
    assert not pending, f"commit the test data before making a request: {list(pending)[:3]}"
    if session.in_transaction() and session.get_bind().dialect.name == "sqlite":
        raw = session.connection().connection.dbapi_connection
        assert not raw.in_transaction, "the test holds an uncommitted write; commit it first"


def _after_request() -> None:
    # Objects the test loaded earlier are reloaded on next access, so the test's checks see
    # what the request committed rather than what its own session remembers.
    if has_app_context():
        db.session.expire_all()


def _isolated(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``call`` with none of the test's contexts active, as a server runs a request: no
    app context is current, so Flask pushes a fresh one (with a fresh ``g`` and database
    session) and pops it, with its teardown, when the request ends. A streamed body is read
    later, in that same context, as a server would send it."""
    _outer_session_must_be_clean()
    context = contextvars.Context()
    try:
        result = context.run(call, *args, **kwargs)
    finally:
        _after_request()
    if getattr(result, "is_streamed", False):
        result.response = _ReadIn(context, result.response)
    return result


class _ReadIn:
    """An iterable whose items are produced inside ``context``."""

    def __init__(self, context: contextvars.Context, iterable) -> None:
        self.context, self.iterator = context, iter(iterable)
        self._close = getattr(iterable, "close", None)

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return self.context.run(next, self.iterator)
        finally:
            _after_request()

    def close(self) -> None:
        close, self._close = self._close, None
        if close is not None:
            self.context.run(close)

    # A body the test never read is closed in its own context too (never in the collector's).
    __del__ = close


class FreshContextClient(FlaskClient):
    """The Flask test client, each request in its own app context and session.

    Flask would otherwise reuse the test's app context for every request, so a request and
    the test's checks shared one session and one transaction: a write that was only flushed,
    never committed, looked stored."""

    def open(self, *args: Any, **kwargs: Any):
        return _isolated(super().open, *args, **kwargs)


class FreshContextCliRunner(FlaskCliRunner):
    """``app.test_cli_runner()`` whose commands run in an app context of their own, as under
    ``flask ...``, instead of in the test's."""

    def invoke(self, *args: Any, **kwargs: Any):
        def in_own_context():
            with self.app.app_context():
                return FlaskCliRunner.invoke(self, *args, **kwargs)

        return _isolated(in_own_context)


def committed(statement: Executable) -> list:
    """The rows of ``statement`` as another connection sees them: only what was committed.
    One column (or entity) gives its values, several give rows."""
    with Session(db.engine) as other:
        result = other.execute(statement)
        return list(result.scalars()) if len(result.keys()) == 1 else list(result)


def wait_until(predicate: Callable[[], T], timeout: float, what: str, every: float = 0.1) -> T:
    """Poll ``predicate`` until it returns something truthy (returned), or fail after
    ``timeout`` seconds saying what was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)
