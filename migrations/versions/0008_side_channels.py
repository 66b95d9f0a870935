"""audit entries carry the sensitivity of what they reveal

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-07 22:40:00.000000

"""

from alembic import op
import sqlalchemy as sa

from humanitarian.models.guards import create_audit_guard, drop_audit_guard


# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None

SENSITIVITY = ("public", "partner", "restricted")


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


def downgrade():
    # SQLite drops a column by copying the table, which loses the append-only triggers.
    drop_audit_guard(op.get_bind())
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("sensitivity")
    create_audit_guard(op.get_bind())
