"""A sitrep is frozen once made, so its period must have ended: its last day is over where
the schedule's days begin and end (``HUMANITARIAN_TIMEZONE``). Checked at the boundary, today
refused and yesterday accepted, in UTC and in a zone whose date differs from UTC's right now,
through the service every surface calls (the API's boundary is in tests/api/test_sitreps.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from humanitarian.models import Sitrep
from humanitarian.services import Actor, BusinessRuleError, generate_sitrep
from tests.support import committed

NOT_ENDED = "The period has not ended yet."
SYSTEM = Actor.system("test")


def zone_on_another_day() -> str:
    """UTC+14 or UTC-12, whichever has another date than UTC at this moment (one always has:
    UTC+14 from 10:00 UTC, UTC-12 before 12:00 UTC)."""
    now = datetime.now(UTC)
    for name in ("Etc/GMT-14", "Etc/GMT+12"):  # POSIX signs: these are UTC+14 and UTC-12
        if now.astimezone(ZoneInfo(name)).date() != now.date():
            return name
    raise AssertionError("no zone on another day")


def today_in(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


@pytest.fixture(params=["UTC", "another day"])
def zone(request, app, monkeypatch) -> str:
    name = "UTC" if request.param == "UTC" else zone_on_another_day()
    monkeypatch.setitem(app.config, "TIMEZONE", name)
    return name


def refused(end: date, days: int = 7) -> bool:
    """Whether a sitrep of the ``days`` ending on ``end`` is refused as not yet ended."""
    try:
        generate_sitrep(SYSTEM, "SY07", end - timedelta(days=days - 1), end)
    except BusinessRuleError as exc:
        assert exc.errors == {"period_end": [NOT_ENDED]}
        return True
    return False


def test_a_period_ending_today_is_refused_and_one_ending_yesterday_is_made(zone):
    today = today_in(zone)
    if not refused(today):
        # Accepted only if midnight passed in the zone since ``today`` was read: try again.
        assert today_in(zone) != today, f"a period ending today ({today}, {zone}) was made"
        today = today_in(zone)
        assert refused(today)
    assert refused(today, days=1) and refused(today + timedelta(days=1))
    assert committed(select(Sitrep)) == []

    yesterday = today - timedelta(days=1)
    assert not refused(yesterday) and not refused(yesterday, days=1)
    made = committed(select(Sitrep.period_start, Sitrep.period_end).order_by(Sitrep.period_start))
    assert [tuple(row) for row in made] == [
        (yesterday - timedelta(days=6), yesterday),
        (yesterday, yesterday),
    ]


def test_the_zone_decides_whether_the_utc_date_has_ended(app, monkeypatch):
    zone = zone_on_another_day()
    monkeypatch.setitem(app.config, "TIMEZONE", zone)
    utc_today, local = datetime.now(UTC).date(), today_in(zone)
    # Ahead of UTC, today's UTC date is over there already; behind it, it has not begun.
    assert refused(utc_today, days=1) is (utc_today >= local)
