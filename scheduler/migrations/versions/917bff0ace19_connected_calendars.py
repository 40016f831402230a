"""connected calendars: sources and busy intervals

A librarian's connected calendars (secret .ics addresses, CalDAV collections; the
address and credentials encrypted) and the busy times read from them: only start, end
and busy/tentative.

Revision ID: 917bff0ace19
Revises: e5b7c9d1f3a2
Create Date: 2026-12-06 01:02:40.382551

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import scheduler.models.base


# revision identifiers, used by Alembic.
revision = '917bff0ace19'
down_revision = 'e5b7c9d1f3a2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('ics', 'caldav', name='calendar_source_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('url_sealed', sa.Text(), nullable=False),
    sa.Column('username_sealed', sa.Text(), nullable=True),
    sa.Column('password_sealed', sa.Text(), nullable=True),
    sa.Column('url_hint', sa.String(length=200), nullable=False),
    sa.Column('last_attempt_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error_code', sa.String(length=40), nullable=True),
    sa.Column('error_params', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('failing_since', scheduler.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failure_notified_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('etag', sa.String(length=255), nullable=True),
    sa.Column('last_modified', sa.String(length=64), nullable=True),
    sa.Column('event_count', sa.Integer(), nullable=True),
    sa.Column('window_start', scheduler.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('window_end', scheduler.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind = 'ics' OR (username_sealed IS NOT NULL AND password_sealed IS NOT NULL)", name=op.f('ck_calendar_sources_caldav_has_credentials')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_calendar_sources_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_sources'))
    )
    with op.batch_alter_table('calendar_sources', schema=None) as batch_op:
        batch_op.create_index('ix_calendar_sources_person_id', ['person_id'], unique=False)

    op.create_table('calendar_busy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.Enum('busy', 'tentative', name='calendar_busy_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_calendar_busy_positive_length')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_calendar_busy_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['calendar_sources.id'], name=op.f('fk_calendar_busy_source_id_calendar_sources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_busy'))
    )
    with op.batch_alter_table('calendar_busy', schema=None) as batch_op:
        batch_op.create_index('ix_calendar_busy_person_starts', ['person_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_calendar_busy_source_id', ['source_id'], unique=False)



def downgrade():
    with op.batch_alter_table('calendar_busy', schema=None) as batch_op:
        batch_op.drop_index('ix_calendar_busy_source_id')
        batch_op.drop_index('ix_calendar_busy_person_starts')

    op.drop_table('calendar_busy')
    with op.batch_alter_table('calendar_sources', schema=None) as batch_op:
        batch_op.drop_index('ix_calendar_sources_person_id')

    op.drop_table('calendar_sources')
