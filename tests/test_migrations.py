"""The Alembic history matches the models and round-trips on the backend under test."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from humanitarian.extensions import db
from humanitarian.models import Base


def _diff():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_upgrade_head_matches_models(app):
    assert _diff() == []


def test_downgrade_base_then_upgrade_again(app):
    db.session.remove()
    downgrade(revision="base")
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    upgrade()
    assert _diff() == []
    assert "incidents" in inspect(db.engine).get_table_names()


def test_migrating_down_and_up_keeps_rows_and_links(app, demo):
    from sqlalchemy import func, select

    from humanitarian.models import incident_sources

    links = db.session.scalar(select(func.count()).select_from(incident_sources))
    assert links > 0
    db.session.remove()
    downgrade(revision="0001")
    upgrade()
    assert db.session.scalar(select(func.count()).select_from(incident_sources)) == links


def test_records_that_exist_before_the_feed_enter_it_once_oldest_first(app, demo):
    from sqlalchemy import func, select

    from humanitarian.models import (
        ChangeEntry,
        Facility,
        Incident,
        InfrastructureStatus,
        PopulationMovement,
    )

    counts = {
        kind: db.session.scalar(select(func.count()).select_from(model))
        for kind, model in (
            ("incident", Incident),
            ("facility", Facility),
            ("status", InfrastructureStatus),
            ("movement", PopulationMovement),
        )
    }
    db.session.remove()
    downgrade(revision="0006")
    upgrade()
    entries = list(db.session.scalars(select(ChangeEntry).order_by(ChangeEntry.position)))
    assert [e.position for e in entries] == list(range(1, len(entries) + 1))
    assert {k: sum(e.kind == k for e in entries) for k in counts} == counts
    assert {e.action for e in entries} == {"created"}
    stamps = [e.committed_at for e in entries]
    assert stamps == sorted(stamps)
    for entry in (e for e in entries if e.kind == "status"):
        status = db.session.get(InfrastructureStatus, entry.record_id)
        levels = {status.sensitivity.rank, status.facility.sensitivity.rank}
        assert entry.sensitivity.rank == max(levels)


# 0009: each old one-word status and the dimensions it implies (README, "Facility condition").
OLD_STATUS_MAPPING = {
    "operational": ("functional", "open", "unknown"),
    "partially_functional": ("partially_functional", "unknown", "unknown"),
    "restricted": ("unknown", "restricted", "unknown"),
    "closed": ("unknown", "closed", "unknown"),
    "damaged": ("unknown", "unknown", "partially_damaged"),
    "destroyed": ("not_functional", "unknown", "fully_damaged"),
    "unknown": ("unknown", "unknown", "unknown"),
}


def test_status_becomes_four_dimensions_and_back(app, demo):
    """Rows stored with the one-word status get the documented dimensions, and the downgrade
    gives every old value back."""
    from sqlalchemy import text

    db.session.remove()
    downgrade(revision="0008")
    with db.engine.begin() as conn:
        ids = [str(r[0]) for r in conn.execute(text("SELECT id FROM infrastructure_statuses"))]
        assert len(ids) >= len(OLD_STATUS_MAPPING)
        chosen = dict(zip(ids, OLD_STATUS_MAPPING, strict=False))
        for entry_id, status in chosen.items():
            conn.execute(
                text("UPDATE infrastructure_statuses SET status = :s WHERE id = :i"),
                {"s": status, "i": entry_id},
            )
    upgrade()
    with db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, functionality, access, damage FROM infrastructure_statuses")
        )
        got = {str(r[0]): tuple(r[1:]) for r in rows}
    for entry_id, status in chosen.items():
        assert got[entry_id] == OLD_STATUS_MAPPING[status], status
    downgrade(revision="0008")
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, status FROM infrastructure_statuses"))
        back = {str(r[0]): r[1] for r in rows}
    assert {i: back[i] for i in chosen} == chosen
    upgrade()
    assert _diff() == []
