"""roles per library: a person holds a role in a library; only admin stays global

Every non-admin role a person held globally becomes that role in each library the person
works at (``person_libraries``; someone who works nowhere yet is placed in the main
library); ``person_roles`` keeps only administrators. Downgrading
folds the per-library roles back into global ones.

Revision ID: 4c2e8a61d9b7
Revises: 3c9e2f7a5b14
Create Date: 2026-12-06 04:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4c2e8a61d9b7'
down_revision = '3c9e2f7a5b14'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('person_library_roles',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('library_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('admin', 'section_leader', 'librarian', 'first_line', name='library_role', native_enum=False, create_constraint=True, length=14), nullable=False),
    sa.CheckConstraint("role <> 'admin'", name=op.f('ck_person_library_roles_library_role_not_admin')),
    sa.ForeignKeyConstraint(['library_id'], ['libraries.id'], name=op.f('fk_person_library_roles_library_id_libraries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_person_library_roles_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', 'library_id', 'role', name=op.f('pk_person_library_roles'))
    )
    with op.batch_alter_table('person_library_roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_library_roles_library_id'), ['library_id'], unique=False)

    # Someone with a role who works nowhere yet keeps it in the main library.
    op.execute(
        "INSERT INTO person_libraries (person_id, library_id) "
        "SELECT DISTINCT pr.person_id, "
        "(SELECT id FROM libraries ORDER BY is_main DESC, position, id LIMIT 1) "
        "FROM person_roles pr WHERE pr.role <> 'admin' "
        "AND EXISTS (SELECT 1 FROM libraries) "
        "AND NOT EXISTS (SELECT 1 FROM person_libraries pl WHERE pl.person_id = pr.person_id)"
    )
    # Today's global roles hold in every library the person works at.
    op.execute(
        "INSERT INTO person_library_roles (person_id, library_id, role) "
        "SELECT pr.person_id, pl.library_id, pr.role "
        "FROM person_roles pr JOIN person_libraries pl ON pl.person_id = pr.person_id "
        "WHERE pr.role <> 'admin'"
    )
    op.execute("DELETE FROM person_roles WHERE role <> 'admin'")


def downgrade():
    op.execute(
        "INSERT INTO person_roles (person_id, role) "
        "SELECT DISTINCT plr.person_id, plr.role FROM person_library_roles plr "
        "WHERE NOT EXISTS (SELECT 1 FROM person_roles pr "
        "WHERE pr.person_id = plr.person_id AND pr.role = plr.role)"
    )
    with op.batch_alter_table('person_library_roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_library_roles_library_id'))

    op.drop_table('person_library_roles')
