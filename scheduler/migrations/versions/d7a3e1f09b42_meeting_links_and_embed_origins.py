"""meeting links and embed origins

A librarian's own video meeting room, a library's template for a room per appointment,
the link an online appointment was given, and the web origins allowed to frame the
booking widget.

Revision ID: d7a3e1f09b42
Revises: b7d2e4f6a8c0
Create Date: 2026-12-06 05:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7a3e1f09b42'
down_revision = 'b7d2e4f6a8c0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_url', sa.String(length=500), nullable=True))
    with op.batch_alter_table('booking_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_url', sa.String(length=500), nullable=True))
    with op.batch_alter_table('libraries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_url_template', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('embed_origins', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('libraries', schema=None) as batch_op:
        batch_op.drop_column('embed_origins')
        batch_op.drop_column('meeting_url_template')
    with op.batch_alter_table('booking_settings', schema=None) as batch_op:
        batch_op.drop_column('meeting_url')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_column('meeting_url')
