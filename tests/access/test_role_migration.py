"""The roles-per-library migration: today's global roles hold where the person works."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from scheduler import create_app
from scheduler.extensions import db
from tests.test_migrations import empty_database  # noqa: F401 - the fixture

BEFORE = "3c9e2f7a5b14"  # the last revision with global roles only
AFTER = "4c2e8a61d9b7"
NOW = "2026-12-01 10:00:00+00:00"


def _old_shape(conn) -> None:
    for lib_id, slug in ((1, "main"), (2, "law"), (3, "arts")):
        conn.execute(
            text(
                "INSERT INTO libraries (id, slug, name, timezone, is_main, position, "
                "created_at, updated_at) VALUES (:id, :slug, :slug, 'Europe/Oslo', :main, :id, "
                ":now, :now)"
            ),
            {"id": lib_id, "slug": slug, "now": NOW, "main": slug == "main"},
        )
    for person_id, email in ((1, "leader@x.example"), (2, "admin@x.example"), (3, "new@x.example")):
        conn.execute(
            text(
                "INSERT INTO people (id, email, name, active, session_nonce, bookable, "
                "min_hours_per_week, created_at, updated_at) VALUES (:id, :email, :email, true, "
                "'n', false, 4, :now, :now)"
            ),
            {"id": person_id, "email": email, "now": NOW},
        )
    rows = [
        ("person_roles", 1, "section_leader"),
        ("person_roles", 1, "first_line"),
        ("person_roles", 2, "admin"),
        ("person_roles", 3, "librarian"),  # works nowhere yet
    ]
    for _table, person_id, role in rows:
        conn.execute(
            text("INSERT INTO person_roles (person_id, role) VALUES (:p, :r)"),
            {"p": person_id, "r": role},
        )
    for person_id, lib_id in ((1, 1), (1, 2), (2, 1)):
        conn.execute(
            text("INSERT INTO person_libraries (person_id, library_id) VALUES (:p, :l)"),
            {"p": person_id, "l": lib_id},
        )


def test_global_roles_become_roles_in_each_library_the_person_works_at(
    empty_database,  # noqa: F811 - the fixture
    tmp_path,
) -> None:
    app = create_app({"DATABASE_URL": empty_database, "INSTANCE": str(tmp_path / "inst")})
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            _old_shape(conn)
        upgrade(revision=AFTER)
        with db.engine.connect() as conn:
            per_library = set(
                conn.execute(text("SELECT person_id, library_id, role FROM person_library_roles"))
            )
            global_roles = set(conn.execute(text("SELECT person_id, role FROM person_roles")))
        assert per_library == {
            (1, 1, "section_leader"),
            (1, 1, "first_line"),
            (1, 2, "section_leader"),
            (1, 2, "first_line"),
            (3, 1, "librarian"),  # kept in the main library
        }
        assert global_roles == {(2, "admin")}  # only administrators stay global

        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            back = set(conn.execute(text("SELECT person_id, role FROM person_roles")))
        assert back == {(1, "section_leader"), (1, "first_line"), (2, "admin"), (3, "librarian")}
        db.engine.dispose()
