"""libraries, topic groups, topics and skills can be deactivated

Administrators remove a library, topic group, topic or skill that history refers to
(bookings, drop-in sessions, rosters, demand rules) by deactivating it: the row stays,
it is no longer offered for new things.

Revision ID: b7d2e4f6a8c1
Revises: 661892b2106f
Create Date: 2026-12-06 04:35:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d2e4f6a8c1'
down_revision = '661892b2106f'
branch_labels = None
depends_on = None

TABLES = ('libraries', 'topic_groups', 'topics', 'skills')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False)
            )


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('active')
