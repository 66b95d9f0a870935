"""Failed generations are recorded and retried; period-on-period key figures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import RunStatus, Sitrep, SitrepRun, SitrepTrigger
from humanitarian.reports import render
from humanitarian.services import Actor, SitrepFailed, generate_sitrep, list_sitrep_runs
from humanitarian.services.comparison import (
    compare_summaries,
    previous_period,
    summarize_with_previous,
)
from humanitarian.services.sitrep_runs import retry_failed_sitreps
from tests import factories

from .conftest import PERIOD, pdf_text


def _broken_once(monkeypatch):
    real = render.render_pdf
    calls = {"n": 0}

    def flaky(content):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("disk full while rendering")
        return real(content)

    monkeypatch.setattr(render, "render_pdf", flaky)
    return calls


def test_a_failed_scheduled_run_is_recorded_and_retried(demo, monkeypatch, archive):
    _broken_once(monkeypatch)
    with pytest.raises(SitrepFailed, match="disk full"):
        generate_sitrep(
            Actor.system("scheduler"),
            "SY07",
            *PERIOD,
            trigger=SitrepTrigger.schedule,
            job_id="sitrep-weekly-SY07",
            runner="instance-a",
        )
    failed = db.session.scalars(select(SitrepRun)).one()
    assert failed.status == RunStatus.failed and "disk full" in failed.error
    assert failed.next_attempt_at is not None and failed.attempt == 1
    assert db.session.scalars(select(Sitrep)).first() is None
    assert not list(archive.rglob("*.pdf"))

    # Not due yet: nothing happens.
    assert retry_failed_sitreps(failed.finished_at) == 0
    assert retry_failed_sitreps(failed.next_attempt_at + timedelta(seconds=1), "instance-a") == 1
    runs = list_sitrep_runs(Actor.system("test"))
    assert [(r.status, r.attempt, r.trigger) for r in runs] == [
        (RunStatus.succeeded, 2, SitrepTrigger.retry),
        (RunStatus.failed, 1, SitrepTrigger.schedule),
    ]
    assert runs[1].next_attempt_at is None  # claimed, so never retried twice
    sitrep = db.session.scalars(select(Sitrep)).one()
    assert runs[0].sitrep_id == sitrep.id and runs[0].job_id == "sitrep-weekly-SY07"
    assert retry_failed_sitreps(failed.finished_at + timedelta(days=1)) == 0


def test_retries_stop_after_the_configured_attempts(demo, monkeypatch, app):
    def always_fails(content):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(render, "render_pdf", always_fails)
    with pytest.raises(SitrepFailed):
        generate_sitrep(Actor.system("s"), "SY02", *PERIOD, trigger=SitrepTrigger.schedule)
    later = db.session.scalars(select(SitrepRun)).one().finished_at
    for _ in range(app.config["SITREP_MAX_ATTEMPTS"] + 2):
        later += timedelta(days=1)
        retry_failed_sitreps(later)
    runs = db.session.scalars(select(SitrepRun).order_by(SitrepRun.attempt)).all()
    assert [r.attempt for r in runs] == list(range(1, app.config["SITREP_MAX_ATTEMPTS"] + 1))
    assert all(r.status == RunStatus.failed for r in runs)
    assert runs[-1].next_attempt_at is None


def test_a_failed_request_from_a_person_is_recorded_but_not_retried(demo, monkeypatch):
    _broken_once(monkeypatch)
    with pytest.raises(SitrepFailed):
        generate_sitrep(Actor.system("cli"), "SY07", *PERIOD)
    run = db.session.scalars(select(SitrepRun)).one()
    assert run.trigger == SitrepTrigger.cli and run.next_attempt_at is None


def test_only_admins_see_generation_attempts(demo):
    from humanitarian.services import PermissionDenied

    from .conftest import staff

    with pytest.raises(PermissionDenied):
        list_sitrep_runs(staff())


def test_previous_period_has_the_same_length():
    assert previous_period(date(2024, 11, 27), date(2024, 12, 4)) == (
        date(2024, 11, 19),
        date(2024, 11, 26),
    )
    assert previous_period(date(2024, 12, 4), date(2024, 12, 4)) == (
        date(2024, 12, 3),
        date(2024, 12, 3),
    )


def test_key_figures_compare_with_the_previous_period(app):
    from humanitarian.services import record_incident

    actor = Actor.system("test")
    record_incident(actor, factories.incident(occurred_on=date(2024, 12, 2), killed=3, injured=1))
    record_incident(actor, factories.incident(occurred_on=date(2024, 12, 3), killed=2, injured=4))
    record_incident(
        actor, factories.incident(occurred_on=date(2024, 11, 30), killed=7, injured=None)
    )
    current, before, changes = summarize_with_previous(
        actor, "SY07", date(2024, 12, 2), date(2024, 12, 4)
    )
    assert (current.killed, before.killed) == (5, 7)
    assert changes["killed"].delta == -2 and round(changes["killed"].percent) == -29
    assert changes["incidents"].current == 2 and changes["incidents"].previous == 1
    assert changes["injured"].previous == 0 and changes["injured"].percent is None
    assert compare_summaries(current, current)["killed"].delta == 0


def test_change_against_the_previous_period_is_printed(app, archive):
    from humanitarian.services import record_incident, sitrep_pdf_path

    actor = Actor.system("test")
    record_incident(actor, factories.incident(occurred_on=date(2024, 12, 2), killed=12))
    record_incident(actor, factories.incident(occurred_on=date(2024, 11, 30), killed=8))
    sitrep = generate_sitrep(actor, "SY07", date(2024, 12, 2), date(2024, 12, 4))
    text = pdf_text(sitrep_pdf_path(actor, sitrep.id))
    assert "▲ 4 (+50%) · previous 8" in text
    assert "Compared with the previous period, 29 Nov – 1 Dec 2024" in text
