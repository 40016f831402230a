"""password links and sign-in throttles

One-time links to choose a password (only the token's SHA-256 is stored), and failed
sign-ins counted per e-mail address (a digest of it) to slow down and lock guessing.

Revision ID: 662ea658d219
Revises: b4d2e6f8a1c3
Create Date: 2026-12-06 04:24:21.835362

"""
from alembic import op
import sqlalchemy as sa

import scheduler.models.base


# revision identifiers, used by Alembic.
revision = '662ea658d219'
down_revision = 'b4d2e6f8a1c3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_throttles',
    sa.Column('email_digest', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('locked_until', scheduler.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('email_digest', name=op.f('pk_sign_in_throttles'))
    )
    op.create_table('password_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.Enum('set', 'reset', name='password_link_purpose', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_password_links_created_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_password_links_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_links_token_hash'))
    )
    with op.batch_alter_table('password_links', schema=None) as batch_op:
        batch_op.create_index('ix_password_links_person_id', ['person_id'], unique=False)



def downgrade():
    with op.batch_alter_table('password_links', schema=None) as batch_op:
        batch_op.drop_index('ix_password_links_person_id')

    op.drop_table('password_links')
    op.drop_table('sign_in_throttles')
