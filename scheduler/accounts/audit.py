"""Audit entries for account events (links sent, passwords set, locks)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from scheduler.models.people import Person
from scheduler.models.roster import AuditEntry


def record(
    session: Session,
    *,
    actor: Person | None,
    action: str,
    person: Person,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    """One entry about ``person``; the actor is None for the command line and the system."""
    session.add(
        AuditEntry(
            at=now,
            actor_id=actor.id if actor is not None else None,
            action=action,
            subject=f"person:{person.id}",
            details=details,
        )
    )
