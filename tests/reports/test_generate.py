"""Generating sitreps from the demo scenario and reading the PDFs back."""

from __future__ import annotations

import hashlib
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from humanitarian.extensions import db
from humanitarian.models import AuditEvent, Sitrep
from humanitarian.models.enums import Sensitivity
from humanitarian.services import (
    Actor,
    BusinessRuleError,
    NotFound,
    PermissionDenied,
    generate_sitrep,
    get_sitrep,
    list_sitreps,
    record_incident,
    sitrep_pdf_path,
    summarize,
)
from humanitarian.services.sitrep_content import reader_for
from humanitarian.services.sitreps import ArchiveError
from tests import factories

from .conftest import PERIOD, pdf_pages, pdf_text, staff


def _generate(pcode, audience=Sensitivity.public, actor=None):
    sitrep = generate_sitrep(actor or Actor.system("test"), pcode, *PERIOD, audience)
    return sitrep, sitrep_pdf_path(Actor.system("test"), sitrep.id)


def test_aleppo_public_sitrep_shows_the_scenario(demo):
    sitrep, path = _generate("SY02")
    pages = pdf_pages(path)
    text = " ".join(pages)
    expected = summarize(reader_for(Sensitivity.public), "SY02", *PERIOD)

    assert "Aleppo International Airport" in text
    assert "Aleppo International Airport closed since 1 Dec 2024; all flights cancelled." in text
    assert "حلب" in text and "مطار حلب الدولي" in text  # Arabic shaped and extractable
    assert f"{expected.displaced_individuals:,}" in text
    assert f"{expected.returned_individuals:,}" in text
    assert f"{expected.incidents_total} incidents recorded in Aleppo" in text
    assert "Reporting period: 27 Nov – 4 Dec 2024" in text
    assert "HTS-led fighters enter central and north-western Aleppo" in text
    assert sitrep.page_count == len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert "PUBLIC" in page, f"audience missing on page {number}"
        assert f"Page {number} of {len(pages)}" in page
        assert f"Generated {sitrep.generated_at:%Y-%m-%d %H:%M} UTC" in page


def test_idleb_sitrep_totals_notable_incidents_and_sources(demo):
    sitrep, path = _generate("SY07")
    text = pdf_text(path)
    expected = summarize(reader_for(Sensitivity.public), "SY07", *PERIOD)

    assert expected.killed > 0 and expected.injured > 0
    assert f"at least {expected.killed} people killed and {expected.injured} injured" in text
    assert re.search(rf"{expected.killed} PEOPLE KILLED", text, re.IGNORECASE)
    assert f"{expected.displaced_individuals:,} people displaced from Idleb" in text
    assert "Air strike hits a school in Idleb city" in text
    assert "Explosions/Remote violence (Air/drone strike)" in text  # ACLED's own labels
    assert "Sources: Syrian Civil Defence · Verification: Unverified" in text
    assert "Strikes and attacks hit" in text and "a school" in text
    assert "إدلب" in text and "مطار أبو الظهور العسكري" in text
    assert "Methodology and sources" in text and "Rescue organisation" in text
    assert sitrep.title == "Idleb: Situation Report, 27 Nov – 4 Dec 2024"


def test_same_key_is_generated_once_and_archived_with_checksum(demo, archive):
    first, path = _generate("SY07")
    again = generate_sitrep(Actor.system("test"), "SY07", *PERIOD, "public")
    assert again.id == first.id
    assert db.session.scalar(select(func.count()).select_from(Sitrep)) == 1
    assert sorted(p.name for p in archive.rglob("*.pdf")) == [path.name]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == first.checksum_sha256
    assert path.stat().st_size == first.size_bytes
    partner = generate_sitrep(Actor.system("test"), "SY07", *PERIOD, "partner")
    assert partner.id != first.id  # another edition is another sitrep
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("sitrep.generate") == 2 and "sitrep.download" in actions


def test_editions_hold_only_data_within_their_audience(demo):
    secret = "Restricted-only strike on a clinic near Harim"
    record_incident(
        Actor.system("test"),
        factories.incident(
            title=secret,
            occurred_on=date(2024, 12, 3),
            target_type="health_facility",
            location=factories.Location("SY0703", 36.2, 36.5, 1),
            sensitivity="restricted",
            killed=4,
            injured=9,
        ),
    )
    public, public_path = _generate("SY07", Sensitivity.public)
    restricted, restricted_path = _generate("SY07", Sensitivity.restricted)
    assert secret not in pdf_text(public_path)
    restricted_text = pdf_text(restricted_path)
    assert secret in restricted_text and "RESTRICTED" in restricted_text
    assert all("RESTRICTED — named recipients only" in p for p in pdf_pages(restricted_path))

    partner = staff(Sensitivity.partner)
    visible = [s.id for s in list_sitreps(partner).items]
    assert visible == [public.id]
    with pytest.raises(NotFound):
        get_sitrep(partner, restricted.id)
    with pytest.raises(NotFound):
        sitrep_pdf_path(partner, restricted.id)
    assert {s.id for s in list_sitreps(staff()).items} == {public.id, restricted.id}


def test_generating_needs_the_verify_scope_and_a_sufficient_grant(demo):
    reporter = staff(Sensitivity.partner, scopes=("read", "append"))
    with pytest.raises(PermissionDenied):
        generate_sitrep(reporter, "SY07", *PERIOD)
    verifier = staff(Sensitivity.partner)
    with pytest.raises(PermissionDenied):
        generate_sitrep(verifier, "SY07", *PERIOD, "restricted")
    assert generate_sitrep(verifier, "SY07", *PERIOD, "partner").audience == "partner"


@pytest.mark.parametrize(
    ("pcode", "start", "end", "field"),
    [
        ("SY07", date(2024, 12, 4), date(2024, 12, 1), "period_end"),
        ("SY07", date(2020, 1, 1), date(2024, 12, 1), "period_end"),
        ("SY99", date(2024, 12, 1), date(2024, 12, 4), "admin_pcode"),
    ],
)
def test_bad_requests_are_refused_with_field_errors(app, pcode, start, end, field):
    with pytest.raises(BusinessRuleError) as caught:
        generate_sitrep(Actor.system("test"), pcode, start, end)
    assert field in caught.value.errors
    assert db.session.scalar(select(func.count()).select_from(Sitrep)) == 0


def test_an_empty_period_still_makes_a_readable_sitrep(demo):
    _, path = _generate_for("SY07", date(2024, 1, 1), date(2024, 1, 7))
    text = pdf_text(path)
    assert "No incidents, status changes or population movements recorded for Idleb" in text
    assert "No incidents recorded in this period." in text


def _generate_for(pcode, start, end):
    sitrep = generate_sitrep(Actor.system("test"), pcode, start, end)
    return sitrep, sitrep_pdf_path(Actor.system("test"), sitrep.id)


def test_tampered_or_missing_archive_file_is_reported(demo):
    sitrep, path = _generate("SY02")
    path.write_bytes(path.read_bytes() + b"tampered")
    with pytest.raises(ArchiveError, match="checksum"):
        sitrep_pdf_path(Actor.system("test"), sitrep.id)
    path.unlink()
    with pytest.raises(ArchiveError, match="missing"):
        sitrep_pdf_path(Actor.system("test"), sitrep.id)
