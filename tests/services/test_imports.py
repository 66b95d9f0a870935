from pathlib import Path

from sqlalchemy import func, select

from humanitarian.extensions import db
from humanitarian.models import Incident
from humanitarian.services import Actor
from humanitarian.services.imports import import_acled

SAMPLE = Path(__file__).parent.parent / "data" / "acled_sample.csv"


def run_import(text):
    return import_acled(Actor.system("test"), text.splitlines(keepends=True), batch_size=2)


def test_acled_rows_become_incidents_and_bad_rows_are_reported(app):
    result = run_import(SAMPLE.read_text())
    assert (result.created, result.corrected, result.unchanged) == (4, 0, 0)
    assert [line for line, _ in result.rejected] == [5, 6]
    assert "Earthquakes" in result.rejected[0][1] and "Atlantis" in result.rejected[1][1]
    school = db.session.scalars(
        select(Incident).where(Incident.external_id == "acled:SYR100001")
    ).one()
    assert (school.event_type, school.sub_event_type, school.admin_pcode) == (
        "explosions_remote_violence",
        "air_drone_strike",
        "SY070000",  # Idleb / Idleb / Idleb: the sub-district
    )
    assert school.killed == 3 and [s.name for s in school.sources] == [
        "Syrian Civil Defence",
        "SOHR",
    ]
    hama = db.session.scalars(
        select(Incident).where(Incident.external_id == "acled:SYR100003")
    ).one()
    assert hama.admin_pcode == "SY05" and hama.killed is None and hama.date_precision == "week"
    # ACLED's "Idlib" is not OCHA's "Idleb": the point places the row (Ariha sub-district).
    ariha = db.session.scalars(
        select(Incident).where(Incident.external_id == "acled:SYR100006")
    ).one()
    assert ariha.admin_pcode == "SY070500"


def test_a_row_whose_point_is_outside_its_named_area_is_reported(app):
    rows = SAMPLE.read_text().splitlines(keepends=True)
    wrong = rows[1].replace("35.9306,36.6339", "36.1800,37.2200")  # Aleppo airport
    result = run_import(rows[0] + wrong)
    assert result.created == 0
    assert result.rejected == [
        (
            2,
            "admin_pcode: The point (36.18, 37.22) is in Jebel Saman (SY020000), not in Idleb (SY070000).",
        )
    ]


def test_reimport_changes_nothing_and_updates_become_revisions(app):
    run_import(SAMPLE.read_text())
    again = run_import(SAMPLE.read_text())
    assert (again.created, again.corrected, again.unchanged) == (0, 0, 4)
    changed = SAMPLE.read_text().replace('city.",3,', 'city.",5,')
    third = run_import(changed)
    assert (third.created, third.corrected, third.unchanged) == (0, 1, 3)
    school = db.session.scalars(
        select(Incident).where(Incident.external_id == "acled:SYR100001")
    ).one()
    assert school.revision == 2 and school.killed == 5
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 4


def test_cli_reports_counts(runner, tmp_path):
    result = runner.invoke(args=["import-acled", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "created 4, corrected 0, unchanged 0, rejected 2" in result.output
    bad = tmp_path / "not-acled.csv"
    bad.write_text("a,b\n1,2\n")
    result = runner.invoke(args=["import-acled", str(bad)])
    assert result.exit_code != 0 and "Missing columns" in result.output


def test_a_retracted_incident_stays_retracted_when_a_newer_export_changes_it(app):
    from humanitarian.services.retraction import retract_record

    run_import(SAMPLE.read_text())
    school = db.session.scalars(
        select(Incident).where(Incident.external_id == "acled:SYR100001")
    ).one()
    retract_record(Actor.system("test"), "incident", school.id, "exposes a witness")
    changed = SAMPLE.read_text().replace('city.",3,', 'city.",5,')
    result = run_import(changed)
    assert (result.created, result.corrected, result.unchanged) == (0, 0, 4)
    db.session.refresh(school)
    assert school.retracted and school.revision == 1 and school.killed == 3
