"""desk inquiry log, actors, routines, campaigns

The first line's own knowledge (issue 20): inquiries logged at the desk (idempotent by
the browser's UUID, no patron identity), the library's categories, the actor directory,
the routine matrix, and question inventory campaigns.

Revision ID: fc6712411502
Revises: b7d2e4f6a8c1
Create Date: 2026-12-06 04:22:35.965469

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text  # noqa: F401  (JSONB columns render astext_type=Text())

import scheduler.models.base


# revision identifiers, used by Alembic.
revision = 'fc6712411502'
down_revision = 'b7d2e4f6a8c1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('desk_actors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('library_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('helps_with', sa.Text(), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('phone', sa.String(length=50), nullable=True),
    sa.Column('opening_hours', sa.String(length=200), nullable=True),
    sa.Column('languages', sa.String(length=200), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['library_id'], ['libraries.id'], name=op.f('fk_desk_actors_library_id_libraries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_actors')),
    sa.UniqueConstraint('library_id', 'name', name=op.f('uq_desk_actors_library_id'))
    )
    op.create_table('desk_campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('library_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_desk_campaigns_ends_after_start')),
    sa.ForeignKeyConstraint(['library_id'], ['libraries.id'], name=op.f('fk_desk_campaigns_library_id_libraries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opened_by_id'], ['people.id'], name=op.f('fk_desk_campaigns_opened_by_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_campaigns'))
    )
    op.create_table('inquiry_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('library_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['library_id'], ['libraries.id'], name=op.f('fk_inquiry_categories_library_id_libraries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inquiry_categories')),
    sa.UniqueConstraint('library_id', 'name', name=op.f('uq_inquiry_categories_library_id'))
    )
    op.create_table('desk_campaign_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('asked_on', sa.Date(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('reflection', sa.Text(), nullable=True),
    sa.Column('chafing', sa.Boolean(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reviewed', sa.Boolean(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['desk_actors.id'], name=op.f('fk_desk_campaign_questions_actor_id_desk_actors'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['added_by_id'], ['people.id'], name=op.f('fk_desk_campaign_questions_added_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['campaign_id'], ['desk_campaigns.id'], name=op.f('fk_desk_campaign_questions_campaign_id_desk_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['inquiry_categories.id'], name=op.f('fk_desk_campaign_questions_category_id_inquiry_categories'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_campaign_questions'))
    )
    op.create_table('desk_routines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('library_id', sa.Integer(), nullable=False),
    sa.Column('question_type', sa.String(length=200), nullable=False),
    sa.Column('solution', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['desk_actors.id'], name=op.f('fk_desk_routines_actor_id_desk_actors'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['library_id'], ['libraries.id'], name=op.f('fk_desk_routines_library_id_libraries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_routines'))
    )
    op.create_table('inquiries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('library_id', sa.Integer(), nullable=False),
    sa.Column('service_point_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.Enum('desk', 'phone', 'email', 'chat', name='inquiry_channel', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('duration', sa.Enum('under_5', '5_15', '15_30', 'over_30', name='duration_band', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('read_scale', sa.Integer(), nullable=True),
    sa.Column('referred_to_id', sa.Integer(), nullable=True),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('handed_over', sa.Boolean(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('reflection', sa.Text(), nullable=True),
    sa.Column('anonymised', sa.Boolean(), nullable=False),
    sa.Column('text_purged_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('asked_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('read_scale IS NULL OR read_scale BETWEEN 1 AND 6', name=op.f('ck_inquiries_read_range')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_inquiries_appointment_id_appointments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['category_id'], ['inquiry_categories.id'], name=op.f('fk_inquiries_category_id_inquiry_categories'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['library_id'], ['libraries.id'], name=op.f('fk_inquiries_library_id_libraries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['people.id'], name=op.f('fk_inquiries_recorded_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referred_to_id'], ['desk_actors.id'], name=op.f('fk_inquiries_referred_to_id_desk_actors'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_point_id'], ['service_points.id'], name=op.f('fk_inquiries_service_point_id_service_points'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inquiries')),
    sa.UniqueConstraint('client_uuid', name=op.f('uq_inquiries_client_uuid'))
    )
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.create_index('ix_inquiries_library_asked', ['library_id', 'asked_at'], unique=False)



def downgrade():
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.drop_index('ix_inquiries_library_asked')

    op.drop_table('inquiries')
    op.drop_table('desk_routines')
    op.drop_table('desk_campaign_questions')
    op.drop_table('inquiry_categories')
    op.drop_table('desk_campaigns')
    op.drop_table('desk_actors')
