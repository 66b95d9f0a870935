"""situation reports: archive, generation attempts, scheduler lease and job store

Revision ID: 0002_sitreps
Revises: 0001
Create Date: 2026-11-25 20:46:54.077880

"""
from alembic import op
import sqlalchemy as sa

import humanitarian.models.base


# revision identifiers, used by Alembic.
revision = '0002_sitreps'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('apscheduler_jobs',
    sa.Column('id', sa.Unicode(length=191), nullable=False),
    sa.Column('next_run_time', sa.Float(precision=25), nullable=True),
    sa.Column('job_state', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apscheduler_jobs'))
    )
    with op.batch_alter_table('apscheduler_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apscheduler_jobs_next_run_time'), ['next_run_time'], unique=False)

    op.create_table('scheduler_leases',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('acquired_at', humanitarian.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('renewed_at', humanitarian.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', humanitarian.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_leases'))
    )
    op.create_table('sitreps',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('admin_pcode', sa.String(length=20), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('audience', sa.Enum('public', 'partner', 'restricted', name='sitrep_audience', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('file_path', sa.String(length=500), nullable=False),
    sa.Column('checksum_sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.Enum('schedule', 'retry', 'web', 'cli', 'api', name='sitrep_trigger', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('generated_at', humanitarian.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('generated_by_user_id', sa.Integer(), nullable=True),
    sa.Column('generated_by_token_id', sa.Uuid(), nullable=True),
    sa.Column('generated_by', sa.String(length=320), nullable=False),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_sitreps_period_order')),
    sa.ForeignKeyConstraint(['admin_pcode'], ['admin_areas.pcode'], name=op.f('fk_sitreps_admin_pcode_admin_areas')),
    sa.ForeignKeyConstraint(['generated_by_token_id'], ['api_tokens.id'], name=op.f('fk_sitreps_generated_by_token_id_api_tokens')),
    sa.ForeignKeyConstraint(['generated_by_user_id'], ['users.id'], name=op.f('fk_sitreps_generated_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sitreps')),
    sa.UniqueConstraint('admin_pcode', 'period_start', 'period_end', 'audience', name=op.f('uq_sitreps_admin_pcode_period_start_period_end_audience'))
    )
    with op.batch_alter_table('sitreps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sitreps_admin_pcode'), ['admin_pcode'], unique=False)
        batch_op.create_index('ix_sitreps_generated_at_id', ['generated_at', 'id'], unique=False)

    op.create_table('sitrep_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=191), nullable=True),
    sa.Column('trigger', sa.Enum('schedule', 'retry', 'web', 'cli', 'api', name='run_trigger', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('admin_pcode', sa.String(length=20), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('audience', sa.Enum('public', 'partner', 'restricted', name='run_audience', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('running', 'succeeded', 'failed', name='run_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('runner', sa.String(length=200), nullable=False),
    sa.Column('started_at', humanitarian.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', humanitarian.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_attempt_at', humanitarian.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sitrep_id', sa.Uuid(), nullable=True),
    sa.CheckConstraint('attempt >= 1', name=op.f('ck_sitrep_runs_attempt_positive')),
    sa.ForeignKeyConstraint(['admin_pcode'], ['admin_areas.pcode'], name=op.f('fk_sitrep_runs_admin_pcode_admin_areas')),
    sa.ForeignKeyConstraint(['sitrep_id'], ['sitreps.id'], name=op.f('fk_sitrep_runs_sitrep_id_sitreps')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sitrep_runs'))
    )
    with op.batch_alter_table('sitrep_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sitrep_runs_job_id'), ['job_id'], unique=False)
        batch_op.create_index('ix_sitrep_runs_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)



def downgrade():
    with op.batch_alter_table('sitrep_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_sitrep_runs_status_next_attempt_at')
        batch_op.drop_index(batch_op.f('ix_sitrep_runs_job_id'))

    op.drop_table('sitrep_runs')
    with op.batch_alter_table('sitreps', schema=None) as batch_op:
        batch_op.drop_index('ix_sitreps_generated_at_id')
        batch_op.drop_index(batch_op.f('ix_sitreps_admin_pcode'))

    op.drop_table('sitreps')
    op.drop_table('scheduler_leases')
    with op.batch_alter_table('apscheduler_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apscheduler_jobs_next_run_time'))

    op.drop_table('apscheduler_jobs')
