"""indexes found by the benchmarks (bench/results.md)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 21:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    # Incident lists filtered by event type, newest first: an ordered scan of one type's rows
    # instead of the whole date range when the type is rare.
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index(
            'ix_incidents_event_type_occurred_on_id',
            ['event_type', 'occurred_on', 'id'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_event_type_occurred_on_id')
