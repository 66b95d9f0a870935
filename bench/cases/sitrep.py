"""Sitrep PDF for a governorate-month (filled in once the sitrep service is available)."""

from __future__ import annotations

from ..context import Bench


def run(bench: Bench) -> dict:
    return {"error": "the sitrep service is not on this branch yet"}
