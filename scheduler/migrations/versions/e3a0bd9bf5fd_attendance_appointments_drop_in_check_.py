"""attendance: appointments, drop-in check-in, walk-ins, waitlist promotions

For the second line's reports (issue 20): a librarian marks an appointment attended,
no-show or cancelled late; drop-in hosts check registrants in and count walk-ins; a
registration remembers when it moved up from the waitlist.

Revision ID: e3a0bd9bf5fd
Revises: fc6712411502
Create Date: 2026-12-06 04:47:02.296790

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text  # noqa: F401  (JSONB columns render astext_type=Text())

import scheduler.models.base


# revision identifiers, used by Alembic.
revision = 'e3a0bd9bf5fd'
down_revision = 'fc6712411502'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attendance', sa.Enum('attended', 'no_show', 'late_cancel', name='attendance', native_enum=False, create_constraint=True), nullable=True))
        batch_op.add_column(sa.Column('attendance_marked_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('dropin_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('walk_ins', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('promoted_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('attended_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('attended_at')
        batch_op.drop_column('promoted_at')

    with op.batch_alter_table('dropin_sessions', schema=None) as batch_op:
        batch_op.drop_column('walk_ins')

    with op.batch_alter_table('appointments', schema=None) as batch_op:
        # The enum's CHECK constraint goes first: SQLite's table copy would still name it.
        batch_op.drop_constraint(batch_op.f('ck_appointments_attendance'), type_='check')
        batch_op.drop_column('attendance_marked_at')
        batch_op.drop_column('attendance')

