"""Sitrep generation that fails or dies halfway never leaves a half-written sitrep behind.

The archive is consistent when every ``sitreps`` row has its complete PDF (checksum matches)
and every file in the archive belongs to a row. A failed or interrupted attempt is a
``sitrep_runs`` row marked failed, and a scheduled one is retried later.
"""

from __future__ import annotations

import errno
import hashlib
import multiprocessing
import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import RunStatus, Sitrep, SitrepRun, SitrepTrigger, utcnow
from humanitarian.reports import render
from humanitarian.services import (
    Actor,
    Location,
    SitrepFailed,
    generate_sitrep,
    record_incident,
    sitrep_files,
)
from humanitarian.services.sitrep_runs import retry_failed_sitreps
from tests import factories as f
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.reliability

PERIOD = (date(2024, 11, 27), date(2024, 12, 4))
SCHEDULED = {"trigger": SitrepTrigger.schedule, "job_id": "sitrep-weekly-SY07"}


@pytest.fixture
def archive(app) -> Path:
    root = Path(app.config["SITREP_DIR"])
    if root.exists():
        shutil.rmtree(root)
    return root


@pytest.fixture
def idleb(app, archive):
    actor = f.actor()
    for day, killed in ((2, 4), (3, 9)):
        record_incident(
            actor,
            f.incident(
                title=f"Strike on Idleb market, {day} Dec",
                occurred_on=date(2024, 12, day),
                killed=killed,
                location=Location("SY0700", 35.93, 36.63, 1),
            ),
        )


def files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def assert_consistent(root: Path) -> list[Sitrep]:
    """Every row has its complete file and every file has its row."""
    db.session.rollback()
    rows = db.session.scalars(select(Sitrep)).all()
    for sitrep in rows:
        data = (root / sitrep.file_path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sitrep.checksum_sha256
        assert len(data) == sitrep.size_bytes
    assert files(root) == sorted(s.file_path for s in rows)
    return rows


def runs() -> list[SitrepRun]:
    db.session.rollback()
    return db.session.scalars(select(SitrepRun).order_by(SitrepRun.id)).all()


def _generate(**kw) -> Sitrep:
    return generate_sitrep(Actor.system("scheduler"), "SY07", *PERIOD, **kw)


# --- rendering fails ------------------------------------------------------------------------


def test_a_rendering_failure_records_nothing_and_is_retried(idleb, archive, monkeypatch):
    real = render.render_pdf

    def broken(content):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(render, "render_pdf", broken)
    with pytest.raises(SitrepFailed, match="renderer crashed"):
        _generate(**SCHEDULED)
    assert assert_consistent(archive) == [] and files(archive) == []
    (failed,) = runs()
    assert failed.status == RunStatus.failed and failed.next_attempt_at is not None

    monkeypatch.setattr(render, "render_pdf", real)
    assert retry_failed_sitreps(failed.next_attempt_at + timedelta(seconds=1)) == 1
    (sitrep,) = assert_consistent(archive)
    assert "Strike on Idleb market, 3 Dec" in pdf_text(archive / sitrep.file_path)


# --- the process dies -----------------------------------------------------------------------


def _die_in_child(app, where: str) -> int:
    """Generate in a forked process that is killed at ``where``; returns its exit code."""

    def child():
        with app.app_context():
            db.engine.dispose(close=False)  # the parent's pooled connections stay the parent's
            if where == "render":
                render.render_pdf = lambda content: os._exit(70)
            else:
                publish = sitrep_files.publish

                def publish_then_die(temporary, target):
                    publish(temporary, target)  # the PDF is at its final name...
                    os._exit(70)  # ...and the process dies before the row is committed

                sitrep_files.publish = publish_then_die
            _generate(**SCHEDULED)
            os._exit(0)

    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    process.join(120)
    return process.exitcode


@pytest.mark.parametrize("where", ["render", "publish"])
def test_a_process_killed_mid_generation_leaves_no_half_sitrep(app, idleb, archive, where):
    db.session.remove()  # nothing of ours shared with the child
    assert _die_in_child(app, where) == 70

    # What the dead process left: no row; its attempt still shows as running.
    assert db.session.scalars(select(Sitrep)).all() == []
    (interrupted,) = runs()
    assert interrupted.status == RunStatus.running
    if where == "publish":
        assert len(files(archive)) == 1  # the orphan PDF the next sweep must remove

    # The retry sweep, once the attempt is overdue, marks it failed and cleans the archive...
    stale = app.config["SITREP_STALE_MINUTES"]
    later = interrupted.started_at + timedelta(minutes=stale, seconds=1)
    assert retry_failed_sitreps(interrupted.started_at + timedelta(minutes=1)) == 0  # not yet
    assert retry_failed_sitreps(later) == 0  # marked failed now; its retry is due later
    (failed,) = runs()
    assert failed.status == RunStatus.failed and "interrupted" in failed.error
    assert files(archive) == [] and assert_consistent(archive) == []

    # ...and retries it when the back-off has passed.
    assert retry_failed_sitreps(failed.next_attempt_at + timedelta(seconds=1)) == 1
    (sitrep,) = assert_consistent(archive)
    assert [(r.status, r.attempt) for r in runs()] == [
        (RunStatus.failed, 1),
        (RunStatus.succeeded, 2),
    ]
    assert runs()[1].sitrep_id == sitrep.id


def _attempt(started_at) -> SitrepRun:
    run = SitrepRun(
        trigger=SitrepTrigger.web,
        admin_pcode="SY07",
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        audience="public",
        status=RunStatus.running,
        runner="someone",
        started_at=started_at,
    )
    db.session.add(run)
    db.session.commit()
    return run


def test_the_sweep_leaves_a_generation_in_progress_alone(app, idleb, archive):
    """Only overdue attempts are recovered, and not while a live attempt for the same sitrep
    may own its files."""
    now = utcnow()
    dead = _attempt(now - timedelta(minutes=app.config["SITREP_STALE_MINUTES"] + 1))
    live = _attempt(now)
    partial = archive / "SY07" / "SY07_2024-11-27_2024-12-04_public_en_0123abcd.pdf.part"
    partial.parent.mkdir(parents=True)
    partial.write_bytes(b"%PDF-1.7 half")
    retry_failed_sitreps(now + timedelta(minutes=1))
    assert [r.status for r in runs()] == [RunStatus.running, RunStatus.running]
    assert partial.exists()

    live.status = RunStatus.failed  # the live attempt ended (its own failure is recorded)
    db.session.commit()
    retry_failed_sitreps(now + timedelta(minutes=1))
    assert db.session.get(SitrepRun, dead.id).status == RunStatus.failed
    assert "interrupted" in db.session.get(SitrepRun, dead.id).error
    assert not partial.exists()


# --- the disk is full -----------------------------------------------------------------------


def _disk_full(monkeypatch):
    """The archive's file system fills up halfway through writing the PDF."""

    class FullDisk:
        def __init__(self, path, mode):
            self.handle = open(path, mode)  # noqa: SIM115 - closed in __exit__

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, name):
            return getattr(self.handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

    monkeypatch.setattr(sitrep_files, "open", FullDisk, raising=False)


def test_disk_full_fails_the_cli_with_a_clear_message(runner, idleb, archive, monkeypatch):
    _disk_full(monkeypatch)
    args = ["sitrep", "generate", "--admin", "SY07", "--since", "2024-11-27"]
    result = runner.invoke(args=args + ["--until", "2024-12-04"])
    assert result.exit_code == 1
    assert "Error: could not generate the sitrep" in result.output
    assert "out of disk space" in result.output and "No space left on device" in result.output
    assert files(archive) == []  # not even the partial temporary file
    (failed,) = runs()
    assert failed.status == RunStatus.failed and "No space left on device" in failed.error
    assert db.session.scalars(select(Sitrep)).all() == []


def test_disk_full_is_an_error_page_on_the_web(sign_in, idleb, archive, monkeypatch):
    _disk_full(monkeypatch)
    verifier = sign_in("verifier")
    response = verifier.submit(
        "/sitreps/generate",
        {
            "admin_pcode": "SY07",
            "period_start": "2024-11-27",
            "period_end": "2024-12-04",
            "audience": "public",
        },
        form_url="/sitreps/",
    )
    assert response.status_code == 500
    assert "out of disk space" in response.get_data(as_text=True)
    assert files(archive) == [] and db.session.scalars(select(Sitrep)).all() == []
    assert runs()[0].status == RunStatus.failed


def test_disk_full_on_a_scheduled_run_is_retried_once_space_is_back(idleb, archive, monkeypatch):
    _disk_full(monkeypatch)
    with pytest.raises(SitrepFailed):
        _generate(**SCHEDULED)
    (failed,) = runs()
    assert failed.status == RunStatus.failed and failed.next_attempt_at is not None
    assert files(archive) == []
    monkeypatch.undo()  # space freed
    assert retry_failed_sitreps(failed.next_attempt_at + timedelta(seconds=1)) == 1
    assert len(assert_consistent(archive)) == 1
