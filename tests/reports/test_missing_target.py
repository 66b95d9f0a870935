"""A sitrep whose period mixes incidents with and without a target type (target is optional)."""

from __future__ import annotations

from datetime import date

from humanitarian.services import Actor, generate_sitrep, record_incident, sitrep_pdf_path
from tests import factories

from .conftest import pdf_text


def test_incidents_without_a_target_are_listed_as_not_recorded(app):
    actor = factories.actor()
    record_incident(actor, factories.incident(title="Strike on a school", target_type="school"))
    record_incident(actor, factories.incident(title="Shelling, target unknown", target_type=None))
    sitrep = generate_sitrep(Actor.system("test"), "SY07", date(2024, 12, 1), date(2024, 12, 3))
    text = pdf_text(sitrep_pdf_path(Actor.system("test"), sitrep.id))
    assert "Not recorded" in text
    assert "School" in text
