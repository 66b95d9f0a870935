"""ACLED exports as ACLED publishes them: spellings, date styles, re-exports and deletions."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from humanitarian.extensions import db
from humanitarian.kinds.imports import run_import
from humanitarian.models import Incident
from humanitarian.services import Actor, BusinessRuleError, RecordFilter, list_incidents

DATA = Path(__file__).parent.parent / "data" / "acled"
FIRST = DATA / "export-2024-12-05.csv"
SECOND = DATA / "export-2024-12-12.csv"
DELETED = DATA / "deleted-2024-12-12.csv"


def acled(text: str, **kw):
    return run_import(Actor.system("test"), "acled", "incidents", text.splitlines(True), **kw)


def by_id(event_id: str) -> Incident:
    stmt = select(Incident).where(Incident.external_id == f"acled:{event_id}")
    return db.session.scalars(stmt).one()


def test_acled_export_as_published(app):
    """Upper-case headers, a hashtag row, three date styles, ACLED's spellings."""
    result = acled(FIRST.read_text())
    assert result.errors == [] and result.counts() == {
        "created": 6, "updated": 0, "unchanged": 0, "retracted": 0, "refused": 0,
    }  # fmt: skip
    school = by_id("SYR100001")
    assert (school.event_type, school.sub_event_type) == (
        "explosions_remote_violence",
        "air_drone_strike",
    )
    # Placed by its point (ACLED's "Idlib" is OCHA's "Idleb"); ACLED's precision 1 is a town.
    assert (school.admin_pcode, school.geo_precision) == ("SY070000", 2)
    assert school.killed == 3 and school.injured is None  # ACLED records no injuries
    assert school.civilian_targeting and school.disorder_type == "Political violence"
    assert (
        school.location_name == "Idleb"
        and school.assoc_actor1 == "Military Forces of Russia (2000-)"
    )
    assert [s.name for s in school.sources] == ["Syrian Civil Defence", "SOHR"]
    aleppo = by_id("SYR100002")
    assert str(aleppo.occurred_on) == "2024-12-02" and not aleppo.civilian_targeting
    assert aleppo.assoc_actor1 == "Syrian National Army; Jaysh al-Izza"
    dara = by_id("SYR100003")  # "03-12-2024", "Dara" without coordinates
    assert (str(dara.occurred_on), dara.admin_pcode, dara.date_precision) == (
        "2024-12-03",
        "SY1200",
        "week",
    )
    assert dara.killed is None and dara.geo_precision == 3
    assert by_id("SYR100004").admin_pcode == "SY020400"  # Aleppo / Azaz / Azaz
    mara = by_id("SYR100005")  # "04 December 2024", Idlib / Al Mara
    assert (str(mara.occurred_on), mara.admin_pcode) == ("2024-12-04", "SY0702")
    assert by_id("SYR100006").admin_pcode == "SY070500"


def test_an_unmatched_place_is_refused_with_its_line_and_nothing_is_written(app):
    lines = FIRST.read_text().splitlines(True)
    nowhere = lines[4].replace(",Dara,Dara,", ",Dara,Atlantis,")
    bad_date = lines[5].replace("2024-12-03", "3rd of December")
    result = acled("".join([*lines[:4], nowhere, bad_date, *lines[6:]]))
    assert [(e.line, e.column) for e in result.errors] == [(5, "admin2"), (6, "event_date")]
    assert "unknown admin2 'Atlantis' in Dar'a (SY12)" in result.errors[0].message
    assert result.refused == 2 and result.created == 0 and not result.written
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 0


def test_a_point_outside_its_named_area_is_refused_by_line(app):
    lines = FIRST.read_text().splitlines(True)
    # Idleb / Idleb / Idleb named, but Aleppo airport's point.
    wrong = (
        lines[2]
        .replace("Idlib,Idleb,Idleb", "Idleb,Idleb,Idleb")
        .replace("35.9306,36.6339", "36.1800,37.2200")
    )
    result = acled("".join([lines[0], wrong]))
    assert [(e.line, e.column) for e in result.errors] == [(2, "admin1")]
    assert "is in Jebel Saman (SY020000), not in Idleb (SY070000)" in result.errors[0].message


def test_a_newer_export_revises_changed_events_and_leaves_the_rest(app):
    acled(FIRST.read_text())
    again = acled(FIRST.read_text())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    newer = acled(SECOND.read_text())
    assert (newer.created, newer.updated, newer.unchanged) == (1, 1, 4)
    school = by_id("SYR100001")
    assert school.revision == 2 and school.killed == 5
    assert school.revisions[-1].reason == "Updated in a newer export of the source"
    # Same timestamp in ACLED: not changed there, so not revised here.
    assert by_id("SYR100003").revision == 1
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 7


def test_deleted_events_are_retracted(app):
    acled(FIRST.read_text())
    result = acled(SECOND.read_text(), deleted=DELETED.read_text().splitlines(True))
    assert result.retracted == 1  # SYR999999 was never imported
    shown = list_incidents(Actor.system("test"), RecordFilter(), limit=100).items
    assert "acled:SYR100004" not in {i.external_id for i in shown}


def test_not_an_acled_file(app):
    with pytest.raises(BusinessRuleError) as raised:
        acled("a,b\n1,2\n")
    assert "Missing columns" in str(raised.value.errors)


def test_cli_prints_counts_and_row_errors(runner, tmp_path):
    result = runner.invoke(args=["import-acled", str(FIRST)])
    assert result.exit_code == 0, result.output
    assert "6 rows: created 6, updated 0, unchanged 0, retracted 0, refused 0" in result.output
    bad = tmp_path / "bad.csv"
    lines = FIRST.read_text().splitlines(True)
    bad.write_text(lines[0] + lines[2].replace("SYR100001", "SYR1").replace("2024-12-02", "soon"))
    result = runner.invoke(args=["import-acled", str(bad)])
    assert result.exit_code != 0 and "line 2, event_date: unrecognised date 'soon'" in result.output
    assert "nothing was written" in result.output
    not_acled = tmp_path / "not-acled.csv"
    not_acled.write_text("a,b\n1,2\n")
    result = runner.invoke(args=["import-acled", str(not_acled)])
    assert result.exit_code != 0 and "Missing columns" in result.output


def test_an_event_twice_in_one_file_is_refused(app):
    lines = FIRST.read_text().splitlines(True)
    result = acled("".join([*lines, lines[3]]))
    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (9, "event_id_cnty", "The same id as line 4.")
    ]
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 0


def test_a_retracted_incident_stays_retracted_when_a_newer_export_changes_it(app):
    from humanitarian.services.retraction import retract_record

    acled(FIRST.read_text())
    retract_record(Actor.system("test"), "incident", by_id("SYR100001").id, "exposes a witness")
    result = acled(SECOND.read_text())  # the school's killed went from 3 to 5 there
    assert (result.created, result.updated, result.unchanged) == (1, 0, 5)
    school = by_id("SYR100001")
    assert school.retracted_at is not None and school.revision == 1 and school.killed == 3
