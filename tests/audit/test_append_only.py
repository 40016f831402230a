"""The audit log is append-only: the database itself refuses UPDATE and DELETE."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from scheduler import audit
from scheduler.models import AuditEntry, Role


@pytest.fixture
def entry_id(db, create_person) -> int:
    admin = create_person(Role.ADMIN)
    entry = audit.record(
        db.session, audit.Action.PERSON_SAVED, actor=admin, subject=f"person:{admin.id}"
    )
    db.session.commit()
    return entry.id


def test_the_database_refuses_to_change_an_entry(db, entry_id) -> None:
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(
            update(AuditEntry).where(AuditEntry.id == entry_id).values(action="sign_in")
        )
    db.session.rollback()
    assert db.session.scalar(select(AuditEntry.action)) == "person.saved"


def test_the_database_refuses_to_delete_an_entry(db, entry_id) -> None:
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(delete(AuditEntry).where(AuditEntry.id == entry_id))
    db.session.rollback()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("DELETE FROM audit_log"))
    db.session.rollback()
    assert db.session.scalar(select(AuditEntry.id)) == entry_id


def test_an_orm_change_to_a_loaded_entry_is_refused_too(db, entry_id) -> None:
    entry = db.session.get(AuditEntry, entry_id)
    entry.reason = "rewritten history"
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(AuditEntry, entry_id).reason is None


def test_new_entries_can_still_be_added(db, entry_id) -> None:
    audit.record(db.session, audit.Action.SIGN_OUT, actor=None, subject="person:1")
    db.session.commit()
    assert db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc())) > entry_id


def test_a_migrated_database_refuses_too(empty_database, tmp_path) -> None:
    """The triggers come from the migration as well as from ``create_all``."""
    from flask_migrate import upgrade

    from scheduler import create_app
    from scheduler.extensions import db as _db

    app = create_app({"DATABASE_URL": empty_database, "INSTANCE": str(tmp_path / "inst")})
    with app.app_context():
        upgrade()
        audit.record(_db.session, audit.Action.SIGN_OUT, actor=None, subject="person:1")
        _db.session.commit()
        with pytest.raises(DatabaseError, match="append-only"):
            _db.session.execute(update(AuditEntry).values(subject="person:2"))
        _db.session.rollback()
        with pytest.raises(DatabaseError, match="append-only"):
            _db.session.execute(delete(AuditEntry))
        _db.session.rollback()
        _db.session.remove()
        _db.engine.dispose()
