"""admin area boundaries (GeoJSON geometry) and the time each area last changed

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 06:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import humanitarian.models.base

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    # The whole gazetteer is loaded by `flask load-areas` (and `seed-demo`): data, not schema.
    with op.batch_alter_table("admin_areas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("boundary", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "updated_at", humanitarian.models.base.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade():
    with op.batch_alter_table("admin_areas", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("boundary")
