"""self-service requests, open shifts and settings

Staff requests on a published roster (time off, swaps and give-aways, claims), open
shifts posted for claiming, and each library's auto-approval setting for swaps.

Revision ID: 661892b2106f
Revises: 662ea658d219
Create Date: 2026-12-06 04:23:38.347650

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text  # noqa: F401  (JSONB columns render astext_type=Text())

import scheduler.models.base
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '661892b2106f'
down_revision = '662ea658d219'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('self_service_settings',
    sa.Column('library_id', sa.Integer(), nullable=False),
    sa.Column('auto_approve_swaps', sa.Boolean(), nullable=False),
    sa.Column('auto_approve_max_worsening', sa.Integer(), nullable=False),
    sa.CheckConstraint('auto_approve_max_worsening >= 0', name=op.f('ck_self_service_settings_worsening_nonnegative')),
    sa.ForeignKeyConstraint(['library_id'], ['libraries.id'], name=op.f('fk_self_service_settings_library_id_libraries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('library_id', name=op.f('pk_self_service_settings'))
    )
    op.create_table('open_shifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('library_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('filled', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'filled', 'withdrawn', name='open_shift_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('posted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('filled >= 0 AND filled <= places', name=op.f('ck_open_shifts_filled_range')),
    sa.CheckConstraint('places > 0', name=op.f('ck_open_shifts_places_positive')),
    sa.ForeignKeyConstraint(['library_id'], ['libraries.id'], name=op.f('fk_open_shifts_library_id_libraries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['period_id'], ['roster_periods.id'], name=op.f('fk_open_shifts_period_id_roster_periods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['posted_by_id'], ['people.id'], name=op.f('fk_open_shifts_posted_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shift_id'], ['shifts.id'], name=op.f('fk_open_shifts_shift_id_shifts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_shifts'))
    )
    with op.batch_alter_table('open_shifts', schema=None) as batch_op:
        batch_op.create_index('uq_open_shifts_shift_open', ['shift_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    op.create_table('staff_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('library_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('time_off', 'swap', 'claim', name='staff_request_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('offered', 'pending', 'approved', 'declined', 'withdrawn', name='staff_request_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('absence_kind', sa.Enum('leave', 'sick', 'course', 'other', name='staff_request_absence_kind', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('published_shift_id', sa.Integer(), nullable=True),
    sa.Column('shift_sequence', sa.Integer(), nullable=True),
    sa.Column('shift_id', sa.Integer(), nullable=True),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('trade_published_shift_id', sa.Integer(), nullable=True),
    sa.Column('trade_sequence', sa.Integer(), nullable=True),
    sa.Column('trade_shift_id', sa.Integer(), nullable=True),
    sa.Column('taker_id', sa.Integer(), nullable=True),
    sa.Column('open_shift_id', sa.Integer(), nullable=True),
    sa.Column('objective_delta', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('auto_approved', sa.Boolean(), nullable=False),
    sa.Column('applied', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('created_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_staff_requests_end_after_start')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['people.id'], name=op.f('fk_staff_requests_decided_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['library_id'], ['libraries.id'], name=op.f('fk_staff_requests_library_id_libraries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['open_shift_id'], ['open_shifts.id'], name=op.f('fk_staff_requests_open_shift_id_open_shifts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['period_id'], ['roster_periods.id'], name=op.f('fk_staff_requests_period_id_roster_periods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_shift_id'], ['published_shifts.id'], name=op.f('fk_staff_requests_published_shift_id_published_shifts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requester_id'], ['people.id'], name=op.f('fk_staff_requests_requester_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shift_id'], ['shifts.id'], name=op.f('fk_staff_requests_shift_id_shifts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['taker_id'], ['people.id'], name=op.f('fk_staff_requests_taker_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['target_id'], ['people.id'], name=op.f('fk_staff_requests_target_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['trade_published_shift_id'], ['published_shifts.id'], name=op.f('fk_staff_requests_trade_published_shift_id_published_shifts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['trade_shift_id'], ['shifts.id'], name=op.f('fk_staff_requests_trade_shift_id_shifts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_requests'))
    )
    with op.batch_alter_table('staff_requests', schema=None) as batch_op:
        batch_op.create_index('ix_staff_requests_library_status', ['library_id', 'status'], unique=False)
        batch_op.create_index('ix_staff_requests_requester', ['requester_id', 'created_at'], unique=False)
        batch_op.create_index('uq_staff_requests_open_shift', ['published_shift_id'], unique=True, sqlite_where=sa.text("status IN ('offered', 'pending')"), postgresql_where=sa.text("status IN ('offered', 'pending')"))



def downgrade():
    with op.batch_alter_table('staff_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_staff_requests_open_shift', sqlite_where=sa.text("status IN ('offered', 'pending')"), postgresql_where=sa.text("status IN ('offered', 'pending')"))
        batch_op.drop_index('ix_staff_requests_requester')
        batch_op.drop_index('ix_staff_requests_library_status')

    op.drop_table('staff_requests')
    with op.batch_alter_table('open_shifts', schema=None) as batch_op:
        batch_op.drop_index('uq_open_shifts_shift_open', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    op.drop_table('open_shifts')
    op.drop_table('self_service_settings')
