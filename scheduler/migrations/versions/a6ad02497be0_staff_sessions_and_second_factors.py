"""staff sessions, second factors and recovery codes

Sign-in state kept on the server: a row per signed-in browser (so signing out ends it
everywhere), each person's authenticator secret and the digests of recovery codes.

Revision ID: a6ad02497be0
Revises: e3a0bd9bf5fd
Create Date: 2026-12-06 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import scheduler.models.base


# revision identifiers, used by Alembic.
revision = 'a6ad02497be0'
down_revision = 'e3a0bd9bf5fd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('person_nonce', sa.String(length=32), nullable=False),
    sa.Column('created_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.Column('second_factor', sa.Boolean(), nullable=False),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.Column('ip_address', sa.String(length=45), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_staff_sessions_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_sessions'))
    )
    op.create_index('ix_staff_sessions_person_id', 'staff_sessions', ['person_id'], unique=False)
    op.create_table('second_factors',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.String(length=255), nullable=False),
    sa.Column('created_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_step', sa.Integer(), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', scheduler.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_second_factors_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_second_factors'))
    )
    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_recovery_codes_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes'))
    )
    op.create_index('ix_recovery_codes_person_id', 'recovery_codes', ['person_id'], unique=False)


def downgrade():
    op.drop_index('ix_recovery_codes_person_id', table_name='recovery_codes')
    op.drop_table('recovery_codes')
    op.drop_table('second_factors')
    op.drop_index('ix_staff_sessions_person_id', table_name='staff_sessions')
    op.drop_table('staff_sessions')
