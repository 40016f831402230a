"""Writing an audit entry: the only code path that touches ``audit_log``.

There is no update or delete here or anywhere else in the application. The web layer
tells us the client address of the request (:data:`client_ip`); it is stored for
staff actions only, never for a patron (an actor of None).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from scheduler.audit.actions import Action
from scheduler.models.audit import AuditEntry
from scheduler.models.people import Person
from scheduler.timeutil import utcnow

# The client address of the current request, set by the web layer for each request.
client_ip: ContextVar[str | None] = ContextVar("scheduler_audit_client_ip", default=None)

# Keys that would carry a patron's personal data; ``details`` must not use them.
PATRON_FIELDS = frozenset(
    {"name", "email", "patron_name", "patron_email", "message", "answers", "phone", "note"}
)

# Anonymous, but on the staff sign-in page: the address is worth keeping.
_STAFF_SIGN_IN = frozenset({Action.SIGN_IN_FAILED, Action.SIGN_IN_LOCKED})


def record(
    session: Session,
    action: Action | str,
    *,
    actor: Person | None,
    subject: str,
    reason: str | None = None,
    details: Mapping[str, Any] | None = None,
    ip: str | None = None,
    library_id: int | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Add one entry to the session (the caller's transaction commits it).

    ``action`` must be one of :class:`Action`; ``details`` may not name patron fields
    (:data:`PATRON_FIELDS`). ``ip`` defaults to the request's client address when the
    actor is a staff member (or someone failing the staff sign-in).
    """
    action = Action(action)
    if details:
        _refuse_patron_fields(details)
    if ip is None and (actor is not None or action in _STAFF_SIGN_IN):
        ip = client_ip.get()
    entry = AuditEntry(
        at=at or utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action.value,
        subject=subject[:100],
        reason=reason,
        details=dict(details) if details else None,
        ip=ip[:45] if ip else None,
        library_id=library_id,
    )
    session.add(entry)
    return entry


def _refuse_patron_fields(details: Mapping[str, Any]) -> None:
    for key, value in details.items():
        if key in PATRON_FIELDS:
            raise ValueError(f"audit details may not hold patron data ({key!r})")
        if isinstance(value, Mapping):
            _refuse_patron_fields(value)
