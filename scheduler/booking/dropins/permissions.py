"""Who may run a drop-in session: its hosts, its creator and the library's leaders.

Librarians and section leaders create sessions in the libraries where they hold that
role; a session is then managed (edited, cancelled, its registrants seen) by its hosts,
whoever created it, and the section leaders of its library. Administrators may do all.
"""

from __future__ import annotations

from collections.abc import Iterable

from scheduler import access
from scheduler.booking.dropins.details import HOST_ROLES
from scheduler.errors import Forbidden
from scheduler.models import DropInSession, Person, Role
from scheduler.reasons import _


def may_create_in(person: Person | None, library_id: int) -> bool:
    """Librarians and section leaders of the library put sessions on its calendar."""
    return any(access.holds(person, role, library_id) for role in HOST_ROLES)


def may_manage(person: Person | None, dropin: DropInSession) -> bool:
    """The session's hosts, its creator and the section leaders of its library."""
    if person is None or not person.is_active:
        return False
    return (
        access.holds(person, Role.SECTION_LEADER, dropin.library_id)
        or dropin.created_by_id == person.id
        or any(h.id == person.id for h in dropin.hosts)
    )


def require_create_in(person: Person | None, library_id: int) -> None:
    if not may_create_in(person, library_id):
        raise Forbidden(
            _("You can only add sessions in libraries where you are a librarian or leader."),
            {"library": _("not one of your libraries")},
        )


def require_manage(person: Person | None, dropins: Iterable[DropInSession]) -> None:
    """Refuse unless ``person`` may manage every one of ``dropins``."""
    if not all(may_manage(person, d) for d in dropins):
        raise Forbidden(
            _("Only the hosts, the creator and the library's section leaders change this session.")
        )
