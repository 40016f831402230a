"""upkeep: task schedules and leases, their runs, worker heartbeats

The upkeep scheduler (reminders, the retention purge, the job sweeper, token clean-up,
calendar sync) keeps one row per task (next due time and the lease that lets one
process at a time run it), a row per run, and a heartbeat row per worker process.

Revision ID: b4d2e6f8a1c3
Revises: 917bff0ace19
Create Date: 2026-12-06 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import scheduler.models.base


# revision identifiers, used by Alembic.
revision = 'b4d2e6f8a1c3'
down_revision = '917bff0ace19'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('upkeep_tasks',
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('schedule', sa.String(length=50), nullable=False),
    sa.Column('next_run_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_holder', sa.String(length=150), nullable=True),
    sa.Column('lease_until', scheduler.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_upkeep_tasks'))
    )
    op.create_table('upkeep_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task', sa.String(length=50), nullable=False),
    sa.Column('holder', sa.String(length=150), nullable=False),
    sa.Column('started_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Enum('running', 'ok', 'failed', name='upkeep_run_outcome', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('counts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_upkeep_runs'))
    )
    with op.batch_alter_table('upkeep_runs', schema=None) as batch_op:
        batch_op.create_index('ix_upkeep_runs_task_started', ['task', 'started_at'], unique=False)

    op.create_table('worker_heartbeats',
    sa.Column('name', sa.String(length=150), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('host', sa.String(length=100), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('started_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('seen_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_worker_heartbeats'))
    )


def downgrade():
    op.drop_table('worker_heartbeats')
    with op.batch_alter_table('upkeep_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_upkeep_runs_task_started')

    op.drop_table('upkeep_runs')
    op.drop_table('upkeep_tasks')
