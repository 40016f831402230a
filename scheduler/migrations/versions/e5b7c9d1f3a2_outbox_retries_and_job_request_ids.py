"""outbox retries, job request ids, availability versions

outbound_emails.next_attempt_at (with an index on state and it) lets a pending e-mail
wait for its next attempt; jobs.request_id ties a job's log lines to the request that
queued it; availability_versions holds the per-librarian version the free-slot cache
checks its entries against.

Revision ID: e5b7c9d1f3a2
Revises: c3f1a2b4d5e6
Create Date: 2026-12-06 01:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import scheduler.models.base

# revision identifiers, used by Alembic.
revision = 'e5b7c9d1f3a2'
down_revision = 'c3f1a2b4d5e6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_outbound_emails_state_next', ['state', 'next_attempt_at'], unique=False)
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=128), nullable=True))
    op.create_table(
        'availability_versions',
        sa.Column('librarian_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('librarian_id', name=op.f('pk_availability_versions')),
    )


def downgrade():
    op.drop_table('availability_versions')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('request_id')
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.drop_index('ix_outbound_emails_state_next')
        batch_op.drop_column('next_attempt_at')
