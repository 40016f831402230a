"""Audit entries for account events (links sent, passwords set, locks), through
:func:`scheduler.audit.record`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.models.people import Person


def record(
    session: Session,
    *,
    actor: Person | None,
    action: audit.Action | str,
    person: Person,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    """One entry about ``person``; the actor is None for the command line and the system."""
    audit.record(
        session, action, actor=actor, subject=f"person:{person.id}", details=details, at=now
    )
