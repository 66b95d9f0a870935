"""The shipped gazetteer, COD-style loading (idempotent, updating in place, never deleting a
p-code in use) and a second country loaded the same way."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from sqlalchemy import func, select

from humanitarian import demo_data
from humanitarian.extensions import db
from humanitarian.models import AdminArea, AuditEvent
from humanitarian.services import Actor, BusinessRuleError, PermissionDenied, record_incident
from humanitarian.services.cod import SHIPPED
from humanitarian.services.gazetteer import load_areas
from humanitarian.services.locate import locate
from humanitarian.services.places import current_places

from .. import factories as f


def levels() -> dict[int, int]:
    rows = db.session.execute(select(AdminArea.level, func.count()).group_by(AdminArea.level))
    return dict(rows.all())


def test_the_whole_syria_gazetteer_is_loaded_with_its_hierarchy(app):
    assert levels() == {0: 1, 1: 14, 2: 62, 3: 272}
    areas = {a.pcode: a for a in db.session.scalars(select(AdminArea))}
    for area in areas.values():
        parent = areas.get(area.parent_pcode)
        if area.level == 0:
            assert parent is None and area.path == "SY"
            continue
        assert parent is not None and parent.level == area.level - 1
        assert area.path == f"{parent.path}/{area.pcode}"
        assert area.pcode.startswith(parent.pcode)
        assert area.name_en and area.name_ar and area.centroid_lat is not None
    assert (areas["SY07"].name_en, areas["SY07"].name_ar) == ("Idleb", "إدلب")
    assert sorted(p for p, a in areas.items() if a.parent_pcode == "SY07") == [
        "SY0700",
        "SY0702",
        "SY0703",
        "SY0704",
        "SY0705",
    ]
    assert "SY0701" not in areas and "SY0201" not in areas
    with_boundary = db.session.scalar(
        select(func.count()).select_from(AdminArea).where(AdminArea.boundary.is_not(None))
    )
    assert with_boundary == 349  # the country's outline is the union of its governorates


def test_every_demo_pcode_exists_with_the_intended_name(app):
    with open(SHIPPED / "admin-areas.csv", encoding="utf-8") as handle:
        shipped = {row["pcode"]: row["name_en"] for row in csv.DictReader(handle)}
    used = {row[4] for row in demo_data.FACILITIES} | {row[6] for row in demo_data.INCIDENTS}
    used |= {p for row in demo_data.MOVEMENTS for p in row[1:3] if p}
    assert used == set(demo_data.PLACES)
    for pcode, intended in demo_data.PLACES.items():
        assert shipped.get(pcode) == intended, pcode


def test_every_demo_point_lies_in_its_named_area(app):
    places = current_places()
    rows = [(r[4], r[5], r[6]) for r in demo_data.FACILITIES]
    rows += [(r[6], r[7], r[8]) for r in demo_data.INCIDENTS]
    for pcode, lat, lon in rows:
        assert pcode in [p.pcode for p in locate(lat, lon)], (pcode, lat, lon)
        assert places.get(pcode) is not None


def test_loading_again_changes_nothing(app):
    before = {a.pcode: (a.name_en, a.updated_at) for a in db.session.scalars(select(AdminArea))}
    result = load_areas(Actor.system("test"), SHIPPED)
    assert (result.added, result.updated, result.removed) == (0, 0, 0)
    assert result.unchanged == 349
    after = {a.pcode: (a.name_en, a.updated_at) for a in db.session.scalars(select(AdminArea))}
    assert after == before
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "admin_areas.load")
    ).one()
    assert event.details["unchanged"] == 349


def _copy(tmp_path, source=SHIPPED):
    target = tmp_path / "cod"
    shutil.copytree(source, target)
    return target


def _rewrite_table(folder, change):
    path = folder / "admin-areas.csv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows = [r for r in (change(dict(r)) for r in rows) if r is not None]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_changed_names_and_boundaries_update_in_place(app, tmp_path):
    folder = _copy(tmp_path)

    def rename(row):
        if row["pcode"] == "SY0703":
            row["name_en"] = "Harem"
        return row

    _rewrite_table(folder, rename)
    collection = json.loads((folder / "admin3.geojson").read_text(encoding="utf-8"))
    square = [[[40.0, 34.0], [40.1, 34.0], [40.1, 34.1], [40.0, 34.1], [40.0, 34.0]]]
    for feature in collection["features"]:
        if feature["properties"]["pcode"] == "SY090100":
            feature["geometry"] = {"type": "Polygon", "coordinates": square}
    (folder / "admin3.geojson").write_text(json.dumps(collection), encoding="utf-8")

    result = load_areas(Actor.system("test"), folder)
    assert (result.added, result.updated, result.removed) == (0, 2, 0)
    db.session.expire_all()
    assert db.session.get(AdminArea, "SY0703").name_en == "Harem"
    changed = db.session.get(AdminArea, "SY090100")
    assert json.loads(changed.boundary)["coordinates"] == square
    assert (changed.centroid_lat, changed.centroid_lon) == (34.05, 40.05)
    # The point-in-area index follows the new boundary at once.
    assert locate(34.05, 40.05)[-1].pcode == "SY090100"
    assert current_places().get("SY0703").name_en == "Harem"


def test_a_pcode_in_use_is_never_deleted(app, tmp_path):
    record_incident(Actor.system("test"), f.incident(location=f.Location("SY070501")))
    folder = _copy(tmp_path)
    gone = {"SY070501", "SY070500"}
    _rewrite_table(folder, lambda row: None if row["pcode"] in gone else row)
    collection = json.loads((folder / "admin3.geojson").read_text(encoding="utf-8"))
    collection["features"] = [
        x for x in collection["features"] if x["properties"]["pcode"] not in gone
    ]
    (folder / "admin3.geojson").write_text(json.dumps(collection), encoding="utf-8")

    result = load_areas(Actor.system("test"), folder)
    assert result.removed == 1
    assert result.kept_in_use == [("SY070501", "1 incidents.admin_pcode")]
    assert db.session.get(AdminArea, "SY070500") is None
    assert db.session.get(AdminArea, "SY070501") is not None


def test_bad_files_are_refused_with_their_lines_and_nothing_is_written(app, tmp_path):
    folder = _copy(tmp_path)

    def spoil(row):
        if row["pcode"] == "SY0703":
            row["parent_pcode"] = "SY99"
        if row["pcode"] == "SY0705":
            row["name_ar"] = ""
        return row

    _rewrite_table(folder, spoil)
    with pytest.raises(BusinessRuleError) as caught:
        load_areas(Actor.system("test"), folder)
    problems = caught.value.errors["files"]
    assert any("line" in p and "SY99" in p for p in problems)
    assert any("English and Arabic names" in p for p in problems)
    assert levels() == {0: 1, 1: 14, 2: 62, 3: 272}


def test_loading_needs_the_admin_scope(app):
    with pytest.raises(PermissionDenied):
        load_areas(f.actor(scopes=("read", "append")), SHIPPED)


def write_second_country(folder):
    """A tiny synthetic country in COD shape: one governorate, two districts, HDX-style
    property names in the boundary files, no level-0 file."""
    folder.mkdir()
    rows = [
        ("XA", 0, "Exampleland", "بلد المثال", ""),
        ("XA01", 1, "North", "الشمال", "XA"),
        ("XA0101", 2, "Hill", "التل", "XA01"),
        ("XA0102", 2, "Lake", "البحيرة", "XA01"),
    ]
    with (folder / "xa_pcodes.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["pcode", "level", "name_en", "name_ar", "parent_pcode"])
        writer.writerows(rows)

    def box(x0, y0, x1, y1):
        return {
            "type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
        }

    def collection(features):
        return json.dumps({"type": "FeatureCollection", "features": features})

    adm1 = [
        {"type": "Feature", "properties": {"ADM1_PCODE": "XA01"}, "geometry": box(-10, 10, -8, 11)}
    ]
    adm2 = [
        {
            "type": "Feature",
            "properties": {"adm2_pcode": "XA0101"},
            "geometry": box(-10, 10, -9, 11),
        },
        {
            "type": "Feature",
            "properties": {"adm2_pcode": "XA0102"},
            "geometry": box(-9, 10, -8, 11),
        },
    ]
    (folder / "xa_adm1.geojson").write_text(collection(adm1), encoding="utf-8")
    (folder / "xa_adm2.geojson").write_text(collection(adm2), encoding="utf-8")
    return folder


def test_another_country_loads_the_same_way(app, tmp_path):
    folder = write_second_country(tmp_path / "xa")
    result = load_areas(Actor.system("test"), folder)
    assert (result.added, result.removed) == (4, 0)
    assert levels() == {0: 2, 1: 15, 2: 64, 3: 272}  # Syria untouched
    assert [p.pcode for p in locate(10.5, -8.5)] == ["XA", "XA01", "XA0102"]
    assert db.session.get(AdminArea, "XA").boundary is not None  # union of its governorates
    again = load_areas(Actor.system("test"), folder)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 4)


def test_seed_demo_on_an_empty_gazetteer_ends_with_all_349_areas(app, runner):
    db.session.execute(AdminArea.__table__.delete())
    db.session.commit()
    assert levels() == {}
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "admin areas added: 349" in result.output
    assert levels() == {0: 1, 1: 14, 2: 62, 3: 272}


def test_load_areas_command_reports_changes_and_problems(app, runner, tmp_path):
    result = runner.invoke(args=["load-areas"])
    assert result.exit_code == 0, result.output
    assert "added 0, updated 0, unchanged 349, removed 0, kept in use 0" in result.output
    folder = write_second_country(tmp_path / "xa")
    result = runner.invoke(args=["load-areas", str(folder)])
    assert "added 4" in result.output
    (folder / "xa_pcodes.csv").write_text("pcode,level\nXA,0\n", encoding="utf-8")
    result = runner.invoke(args=["load-areas", str(folder)])
    assert (
        result.exit_code != 0 and "missing columns name_en, name_ar, parent_pcode" in result.output
    )
