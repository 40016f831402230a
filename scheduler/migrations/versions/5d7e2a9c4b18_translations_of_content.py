"""translations of content: names, descriptions, intros, questions per language

Libraries, topic groups, topics, group questions, drop-in sessions and their series get
a ``translations`` JSON column, ``{"sv": {"name": ...}}``; the ordinary columns stay the
text as first written and are the fallback.

Revision ID: 5d7e2a9c4b18
Revises: 4c2e8a61d9b7
Create Date: 2026-12-06 05:20:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '5d7e2a9c4b18'
down_revision = '4c2e8a61d9b7'
branch_labels = None
depends_on = None

TABLES = (
    'libraries',
    'topic_groups',
    'topics',
    'group_questions',
    'session_series',
    'dropin_sessions',
)


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    'translations',
                    sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'),
                    nullable=True,
                )
            )


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('translations')
