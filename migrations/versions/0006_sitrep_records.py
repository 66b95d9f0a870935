"""the records each archived sitrep showed, with their sensitivity and revision at the time

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 11:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    # Editions generated before this revision have no list: nothing can be said of them later.
    op.create_table(
        "sitrep_records",
        sa.Column("sitrep_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column(
            "sensitivity",
            sa.Enum(
                "public",
                "partner",
                "restricted",
                name="sensitivity",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("revision", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sitrep_id"],
            ["sitreps.id"],
            name=op.f("fk_sitrep_records_sitrep_id_sitreps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sitrep_id", "kind", "record_id", name=op.f("pk_sitrep_records")),
    )
    op.create_index(
        "ix_sitrep_records_kind_record_id", "sitrep_records", ["kind", "record_id"], unique=False
    )


def downgrade():
    op.drop_index("ix_sitrep_records_kind_record_id", table_name="sitrep_records")
    op.drop_table("sitrep_records")
