"""The sitrep archive on disk: where a PDF goes and how it gets there without ever being seen
half-written.

A PDF is written and synced under a temporary name, renamed to its final name inside the
transaction that inserts its ``sitreps`` row, and removed again if that transaction fails. A
process that dies between the rename and the commit leaves a file with no row; the retry
sweep removes such orphans (``remove_orphans``) when it marks the attempt as interrupted.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from flask import current_app

from .errors import ServiceError

TEMPORARY_SUFFIX = ".part"


class ArchiveError(ServiceError):
    """The archived PDF is missing or no longer matches its checksum."""

    status = 500
    title = "Sitrep archive error"


def archive_root() -> Path:
    return Path(current_app.config["SITREP_DIR"])


def checked_pdf(sitrep) -> Path:
    """The archived PDF of ``sitrep``, after checking it against its stored checksum."""
    path = archive_root() / sitrep.file_path
    if not path.is_file():
        raise ArchiveError(f"the PDF of sitrep {sitrep.id} is missing from the archive")
    if hashlib.sha256(path.read_bytes()).hexdigest() != sitrep.checksum_sha256:
        raise ArchiveError(f"the PDF of sitrep {sitrep.id} does not match its checksum")
    return path


def key_prefix(admin_pcode: str, start: date, end: date, audience: str, language: str) -> str:
    """The start of every file name for one sitrep key (the rest is a part of its id). The
    language is in every name, so no key's prefix is the start of another key's."""
    return f"{admin_pcode}/{admin_pcode}_{start}_{end}_{audience}_{language}_"


def write_temporary(relative: str, data: bytes) -> tuple[Path, Path]:
    """Write ``data`` under a temporary name next to its final one and sync it to disk.
    Returns (temporary, final). On any failure (a full disk) nothing is left behind."""
    target = archive_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + TEMPORARY_SUFFIX)
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary, target


def publish(temporary: Path, target: Path) -> None:
    """Give the complete file its final name (atomic), and make the rename itself durable."""
    os.replace(temporary, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def discard(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def remove_orphans(prefix: str, keep: Iterable[str]) -> list[str]:
    """Delete the files of one sitrep key that no row refers to (final or temporary)."""
    root = archive_root()
    folder, _, start = prefix.partition("/")
    kept = set(keep)
    removed = []
    if not (root / folder).is_dir():
        return removed
    for path in (root / folder).iterdir():
        relative = f"{folder}/{path.name}"
        if path.is_file() and path.name.startswith(start) and relative not in kept:
            path.unlink(missing_ok=True)
            removed.append(relative)
    return removed
