"""audit entries carry the sensitivity of what they reveal; sitreps can be withdrawn; stamps
per grant (an incident's revision count and first revision, a facility's last change);
sign-in failures throttle an address, not the account (no more account lock)

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-07 22:40:00.000000

"""

import json

from alembic import op
import sqlalchemy as sa

from humanitarian.models.base import UTCDateTime
from humanitarian.models.guards import create_audit_guard, drop_audit_guard


# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SENSITIVITY = ("public", "partner", "restricted")
EDITION = ["admin_pcode", "period_start", "period_end", "audience"]
EDITION_CONSTRAINT = "uq_sitreps_admin_pcode_period_start_period_end_audience"
UTC_DATETIME = UTCDateTime(timezone=True)


def upgrade():
    # Entries written before this revision say nothing of what they reveal: restricted.
    op.add_column(
        "audit_events",
        sa.Column(
            "sensitivity",
            sa.Enum(*SENSITIVITY, name="audit_sensitivity", native_enum=False, length=10),
            server_default="restricted",
            nullable=False,
        ),
    )
    # A withdrawn edition leaves room for a new one: the key is unique among those standing.
    with op.batch_alter_table("sitreps") as batch:
        batch.add_column(sa.Column("withdrawn_at", UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column("withdrawn_by", sa.String(length=320), nullable=True))
        batch.add_column(sa.Column("withdrawal_reason", sa.Text(), nullable=True))
        batch.drop_constraint(EDITION_CONSTRAINT, type_="unique")
    op.create_index(
        "uq_sitreps_edition",
        "sitreps",
        EDITION,
        unique=True,
        sqlite_where=sa.text("withdrawn_at IS NULL"),
        postgresql_where=sa.text("withdrawn_at IS NULL"),
    )
    _add_stamps()
    op.create_table(
        "signin_failures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("occurred_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signin_failures")),
    )
    op.create_index(
        "ix_signin_failures_key_occurred_at", "signin_failures", ["key", "occurred_at"]
    )
    op.create_index("ix_signin_failures_occurred_at", "signin_failures", ["occurred_at"])
    with op.batch_alter_table("users") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("failed_logins")


GRANTS = ("public", "partner")
RANK = {"public": 0, "partner": 1, "restricted": 2}


def _add_stamps():
    with op.batch_alter_table("incidents") as batch:
        for grant in GRANTS:
            batch.add_column(sa.Column(f"revision_{grant}", sa.Integer(), nullable=True))
            batch.add_column(sa.Column(f"created_at_{grant}", UTC_DATETIME, nullable=True))
    with op.batch_alter_table("facilities") as batch:
        for grant in GRANTS:
            batch.add_column(sa.Column(f"updated_at_{grant}", UTC_DATETIME, nullable=True))
            batch.create_index(f"ix_facilities_updated_at_{grant}", [f"updated_at_{grant}"])
    _fill_incident_stamps()
    _fill_facility_stamps()


def _fill_incident_stamps():
    """Count each incident's revisions by the level they were made at (their snapshot's)."""
    bind = op.get_bind()
    revisions = sa.table(
        "incident_revisions",
        sa.column("incident_id", sa.Uuid()),
        sa.column("revision", sa.Integer()),
        sa.column("data", sa.JSON()),
        sa.column("created_at", UTC_DATETIME),
    )
    incidents = sa.table(
        "incidents",
        sa.column("id", sa.Uuid()),
        *(sa.column(f"revision_{g}", sa.Integer()) for g in GRANTS),
        *(sa.column(f"created_at_{g}", UTC_DATETIME) for g in GRANTS),
    )
    stamps: dict = {}
    rows = bind.execute(
        sa.select(revisions).order_by(revisions.c.incident_id, revisions.c.revision)
    )
    for incident_id, _number, data, created_at in rows:
        data = json.loads(data) if isinstance(data, str) else data or {}
        level = RANK.get((data or {}).get("sensitivity"), 2)
        values = stamps.setdefault(incident_id, {})
        for grant in GRANTS:
            if level <= RANK[grant]:
                values[f"revision_{grant}"] = values.get(f"revision_{grant}", 0) + 1
                values.setdefault(f"created_at_{grant}", created_at)
    for incident_id, values in stamps.items():
        if values:
            bind.execute(incidents.update().where(incidents.c.id == incident_id).values(values))


def _fill_facility_stamps():
    """A facility's last change each grant sees: its creation or a status entry within the
    grant (when a verification happened is not known: it counted as the creation)."""
    bind = op.get_bind()
    facilities = sa.table(
        "facilities",
        sa.column("id", sa.Uuid()),
        sa.column("sensitivity", sa.String()),
        sa.column("created_at", UTC_DATETIME),
        *(sa.column(f"updated_at_{g}", UTC_DATETIME) for g in GRANTS),
    )
    statuses = sa.table(
        "infrastructure_statuses",
        sa.column("facility_id", sa.Uuid()),
        sa.column("sensitivity", sa.String()),
        sa.column("created_at", UTC_DATETIME),
    )
    for grant in GRANTS:
        allowed = [s for s, rank in RANK.items() if rank <= RANK[grant]]
        latest = dict(
            bind.execute(
                sa.select(statuses.c.facility_id, sa.func.max(statuses.c.created_at))
                .where(statuses.c.sensitivity.in_(allowed))
                .group_by(statuses.c.facility_id)
            ).all()
        )
        rows = bind.execute(
            sa.select(facilities.c.id, facilities.c.created_at).where(
                facilities.c.sensitivity.in_(allowed)
            )
        ).all()
        for facility_id, created_at in rows:
            stamp = max(t for t in (created_at, latest.get(facility_id)) if t is not None)
            bind.execute(
                facilities.update()
                .where(facilities.c.id == facility_id)
                .values({f"updated_at_{grant}": stamp})
            )


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("locked_until", UTC_DATETIME, nullable=True))
    op.drop_index("ix_signin_failures_occurred_at", table_name="signin_failures")
    op.drop_index("ix_signin_failures_key_occurred_at", table_name="signin_failures")
    op.drop_table("signin_failures")
    with op.batch_alter_table("facilities") as batch:
        for grant in GRANTS:
            batch.drop_index(f"ix_facilities_updated_at_{grant}")
            batch.drop_column(f"updated_at_{grant}")
    with op.batch_alter_table("incidents") as batch:
        for grant in GRANTS:
            batch.drop_column(f"created_at_{grant}")
            batch.drop_column(f"revision_{grant}")
    # Withdrawn editions stay; the old key cannot hold them beside their successors, so the
    # downgrade refuses rather than lose rows (the error names the duplicated key).
    op.drop_index("uq_sitreps_edition", table_name="sitreps")
    with op.batch_alter_table("sitreps") as batch:
        batch.create_unique_constraint(EDITION_CONSTRAINT, EDITION)
        batch.drop_column("withdrawal_reason")
        batch.drop_column("withdrawn_by")
        batch.drop_column("withdrawn_at")
    # SQLite drops a column by copying the table, which loses the append-only triggers.
    drop_audit_guard(op.get_bind())
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("sensitivity")
    create_audit_guard(op.get_bind())
