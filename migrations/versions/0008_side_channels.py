"""audit entries carry the sensitivity of what they reveal; sitreps can be withdrawn

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-07 22:40:00.000000

"""

from alembic import op
import sqlalchemy as sa

from humanitarian.models.base import UTCDateTime
from humanitarian.models.guards import create_audit_guard, drop_audit_guard


# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0006"
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


def downgrade():
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
