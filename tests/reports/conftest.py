"""Helpers for the sitrep tests: PDFs are parsed back to text with pypdf."""

from __future__ import annotations

import io
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from humanitarian.models.enums import Channel, Scope, Sensitivity
from humanitarian.services import Actor

PERIOD = (date(2024, 11, 27), date(2024, 12, 4))


def pdf_pages(source: Path | bytes) -> list[str]:
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    reader = PdfReader(io.BytesIO(data))
    # Collapse whitespace: layout line breaks fall anywhere inside a sentence.
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def pdf_text(source: Path | bytes) -> str:
    return " ".join(pdf_pages(source))


def staff(grant: Sensitivity = Sensitivity.restricted, scopes=("read", "append", "verify")):
    return Actor(
        channel=Channel.web,
        scopes=frozenset(Scope(s) for s in scopes),
        max_sensitivity=grant,
        label=f"staff ({grant})",
    )


@pytest.fixture(autouse=True)
def archive(app) -> Path:
    """The sitrep archive folder, emptied for each test (the tables are emptied too)."""
    root = Path(app.config["SITREP_DIR"])
    if root.exists():
        shutil.rmtree(root)
    return root
