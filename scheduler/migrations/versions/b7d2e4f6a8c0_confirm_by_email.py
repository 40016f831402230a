"""confirm by e-mail: per topic group and drop-in series; pending registrations

A topic group (booking page) or a drop-in series may make every booking or registration
wait for a link sent to the address; a registration waiting for it keeps the digest of
the link's token and the time its place is held until.

Revision ID: b7d2e4f6a8c0
Revises: a6ad02497be0
Create Date: 2026-12-06 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import scheduler.models.base


# revision identifiers, used by Alembic.
revision = 'b7d2e4f6a8c0'
down_revision = 'a6ad02497be0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('topic_groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirm_by_email', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('session_series', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirm_by_email', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verify_token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hold_expires_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_registrations_verify_token_hash'), ['verify_token_hash'], unique=False)


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registrations_verify_token_hash'))
        batch_op.drop_column('hold_expires_at')
        batch_op.drop_column('verify_token_hash')
    with op.batch_alter_table('session_series', schema=None) as batch_op:
        batch_op.drop_column('confirm_by_email')
    with op.batch_alter_table('topic_groups', schema=None) as batch_op:
        batch_op.drop_column('confirm_by_email')
