"""The audit log: who did what to which record, when, from where and why.

Append-only. Nothing in the application updates or deletes an entry, and the
database refuses to: triggers on ``audit_log`` raise on UPDATE and DELETE, on
PostgreSQL and on SQLite. They are created with the table (``create_all``, as the
tests do) and by the migration that made the log append-only.

``library_id`` is a plain number, not a foreign key: an entry outlives what it names.
Entries hold no patron data (see :mod:`scheduler.audit`), so the retention purge never
needs to touch them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import DDL, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.models.base import Base, JSONType, utcnow

if TYPE_CHECKING:
    from scheduler.models.people import Person

APPEND_ONLY_MESSAGE = "audit_log is append-only"


class AuditEntry(Base):
    """One recorded action (see :class:`scheduler.audit.Action` for the vocabulary)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_subject", "subject"),
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_actor_at", "actor_id", "at"),
        Index("ix_audit_log_action_at", "action", "at"),
        Index("ix_audit_log_library_at", "library_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # People are deactivated, never deleted; the triggers would refuse the SET NULL.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(100))  # e.g. "roster_period:12"
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict | None] = mapped_column(JSONType)
    # The client address of a staff member's request (never a patron's).
    ip: Mapped[str | None] = mapped_column(String(45))
    library_id: Mapped[int | None]

    actor: Mapped[Person | None] = relationship()


# The database's own refusal, created with the table (the migration writes the same).
_SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
)
_POSTGRESQL_TRIGGERS = (
    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}' USING ERRCODE = 'restrict_violation'; "
    "END $$",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
)

for _statement in _SQLITE_TRIGGERS:
    event.listen(AuditEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in _POSTGRESQL_TRIGGERS:
    event.listen(
        AuditEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql")
    )
