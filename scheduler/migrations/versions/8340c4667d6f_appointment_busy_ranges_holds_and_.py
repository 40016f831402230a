"""appointment busy ranges, holds and verification; no overlapping appointments

Adds what "book a librarian" needs on appointments: the busy range end (``ends_at``
plus the buffer), the hold of a pending booking, the e-mail verification token digest
and the patron's language. On PostgreSQL it adds the exclusion constraint that makes
overlapping appointments of one librarian impossible (btree_gist comes from the
initial revision).

Revision ID: 8340c4667d6f
Revises: a8551cfc9675
Create Date: 2026-11-22 05:23:14.568092

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text  # noqa: F401  (JSONB columns render astext_type=Text())

import scheduler.models.base


# revision identifiers, used by Alembic.
revision = '8340c4667d6f'
down_revision = 'a8551cfc9675'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blocked_until', scheduler.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('hold_expires_at', scheduler.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('verify_token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('locale', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('token_salt', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_appointments_starts', ['starts_at'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_appointments_verify_token_hash'), ['verify_token_hash'])

    # Existing appointments block exactly their own time, and get a random token salt.
    op.execute("UPDATE appointments SET blocked_until = ends_at WHERE blocked_until IS NULL")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE appointments SET token_salt = md5(random()::text || id::text)")
    else:
        op.execute("UPDATE appointments SET token_salt = lower(hex(randomblob(16)))")
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.alter_column('blocked_until', existing_type=scheduler.models.base.UTCDateTime(timezone=True), nullable=False)
        batch_op.alter_column('token_salt', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_check_constraint('blocked_after_end', 'blocked_until >= ends_at')

    if op.get_bind().dialect.name == "postgresql":
        # Written out: Alembic's create_exclude_constraint takes columns, not expressions.
        op.execute(
            "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_no_overlap "
            "EXCLUDE USING gist (librarian_id WITH =, tstzrange(starts_at, blocked_until) WITH &&) "
            "WHERE (status <> 'cancelled')"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE appointments DROP CONSTRAINT ex_appointments_no_overlap")
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_appointments_blocked_after_end'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_appointments_verify_token_hash'), type_='unique')
        batch_op.drop_index('ix_appointments_starts')
        batch_op.drop_column('token_salt')
        batch_op.drop_column('locale')
        batch_op.drop_column('verify_token_hash')
        batch_op.drop_column('hold_expires_at')
        batch_op.drop_column('blocked_until')
