"""Every archived edition keeps the list of records it showed, as they were then."""

from __future__ import annotations

from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import Incident, InfrastructureStatus, PopulationMovement
from humanitarian.models.enums import Sensitivity
from humanitarian.services import Actor, generate_sitrep, sitrep_pdf_path
from humanitarian.services.sitrep_content import build_content
from humanitarian.services.sitrep_records import editions_showing, shown_records

from .conftest import PERIOD, pdf_text


def _ids(kind, rows):
    return {r.record_id for r in rows if r.kind == kind}


def test_edition_lists_exactly_the_records_it_shows(demo, app):
    sitrep = generate_sitrep(Actor.system("test"), "SY02", *PERIOD, Sensitivity.public)
    rows = shown_records(sitrep.id)
    content = build_content("SY02", *PERIOD, Sensitivity.public, sitrep.generated_at)

    assert _ids("incident", rows) == {i.id for i in content.incidents} != set()
    assert _ids("facility", rows) == {r.facility.id for r in content.statuses} != set()
    assert _ids("movement", rows) == {m.id for m in content.movements} != set()
    entries = {e.id for r in content.statuses for e in (r.before, r.after, *r.changes) if e}
    assert _ids("status", rows) == entries != set()
    # A public edition lists only public records, each with its revision at the time.
    assert {r.sensitivity for r in rows} == {Sensitivity.public}
    incidents = {i.id: i.revision for i in db.session.scalars(select(Incident))}
    assert all(r.revision == incidents[r.record_id] for r in rows if r.kind == "incident")
    assert all(r.revision is None for r in rows if r.kind != "incident")


def test_editions_showing_a_record_are_found_by_kind_and_id(demo, app):
    public = generate_sitrep(Actor.system("test"), "SY02", *PERIOD, Sensitivity.public)
    partner = generate_sitrep(Actor.system("test"), "SY02", *PERIOD, Sensitivity.partner)
    shown_in_public = _ids("movement", shown_records(public.id))
    movement = next(iter(shown_in_public))

    assert set(editions_showing("movement", [movement])) == {public.id, partner.id}
    assert editions_showing("incident", [movement]) == []
    partner_only = _ids("movement", shown_records(partner.id)) - shown_in_public
    above_public = db.session.scalars(
        select(PopulationMovement.id).where(PopulationMovement.sensitivity != "public")
    ).all()
    assert partner_only <= set(above_public)
    # Statuses above the audience never reach its list.
    hidden = db.session.scalars(
        select(InfrastructureStatus.id).where(InfrastructureStatus.sensitivity == "restricted")
    ).all()
    assert not set(hidden) & _ids("status", shown_records(partner.id))
    # The list does not change the edition itself.
    assert "Aleppo" in pdf_text(sitrep_pdf_path(Actor.system("test"), public.id))
