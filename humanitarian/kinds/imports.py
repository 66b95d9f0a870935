"""Imports end to end: read an ACLED or HXL file, write it (all or nothing), and run the
import jobs the API stores. The CLI, the API's job runner and the tests call these."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Optional

from ..models import ImportFormat, ImportJob
from ..models.enums import Sensitivity, Verification
from ..services import Actor, acled
from ..services.errors import BusinessRuleError
from ..services.import_jobs import claim_next_import, finish_import, job_actor, save_progress
from ..services.imports import ImportResult, Progress, write_rows
from . import KINDS
from .hxl import read_hxl


def run_import(
    actor: Actor,
    fmt: ImportFormat | str,
    kind: str,
    lines: Iterable[str],
    *,
    deleted: Optional[Iterable[str]] = None,
    sensitivity: Sensitivity = Sensitivity.public,
    verification: Optional[Verification] = None,
    progress: Optional[Progress] = None,
) -> ImportResult:
    """Read the whole file, then write every row or none. Raises ``BusinessRuleError`` for a
    file that is not of the format at all (missing columns, no hashtag row)."""
    actor.require_grant(sensitivity)
    result = ImportResult()
    deleted_ids: list[str] = []
    if ImportFormat(fmt) == ImportFormat.acled:
        rows = acled.read_acled(
            lines,
            result,
            sensitivity=sensitivity,
            verification=verification or Verification.partially_verified,
        )
        columns = acled.COLUMNS
        deleted_ids = acled.read_deleted(deleted) if deleted is not None else []
    else:
        rows, columns = read_hxl(
            KINDS[kind],
            lines,
            result,
            sensitivity=sensitivity,
            verification=verification or Verification.unverified,
        )
    return write_rows(actor, rows, result, columns=columns, deleted=deleted_ids, progress=progress)


def run_pending_imports(limit: Optional[int] = None) -> list[ImportJob]:
    """Run pending jobs one after another until none is left (or ``limit`` ran)."""
    done = []
    while limit is None or len(done) < limit:
        job = claim_next_import()
        if job is None:
            break
        done.append(run_job(job))
    return done


def run_job(job: ImportJob) -> ImportJob:
    job_id = job.id
    try:
        actor = job_actor(job)
        text = (job.content or b"").decode("utf-8-sig")
    except BusinessRuleError as exc:
        return finish_import(job_id, None, exc.detail)
    except UnicodeDecodeError as exc:
        return finish_import(job_id, None, f"The file is not UTF-8 text (byte {exc.start}).")
    try:
        result = run_import(
            actor,
            job.format,
            job.kind,
            io.StringIO(text, newline=""),
            sensitivity=job.sensitivity,
            progress=lambda done, total: save_progress(job_id, done, total),
        )
    except BusinessRuleError as exc:
        messages = "; ".join(m for ms in exc.errors.values() for m in ms) or exc.detail
        return finish_import(job_id, None, messages)
    return finish_import(job_id, result)
