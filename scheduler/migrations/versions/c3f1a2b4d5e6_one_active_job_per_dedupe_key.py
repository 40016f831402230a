"""one active job per dedupe key

A partial unique index on jobs.dedupe_key over queued and running jobs, so that the
database refuses a second solver run for the same roster period however many requests
arrive at once.

Revision ID: c3f1a2b4d5e6
Revises: 90117931defc
Create Date: 2026-12-04 14:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'c3f1a2b4d5e6'
down_revision = '90117931defc'
branch_labels = None
depends_on = None

ACTIVE = sa.text("state IN ('queued', 'running')")


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index('uq_jobs_dedupe_key_active', ['dedupe_key'], unique=True, sqlite_where=ACTIVE, postgresql_where=ACTIVE)


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('uq_jobs_dedupe_key_active', sqlite_where=ACTIVE, postgresql_where=ACTIVE)
