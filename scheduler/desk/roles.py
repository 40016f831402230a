"""Who may use the desk's pages: staff log for their own libraries; leaders see the numbers.

Only :mod:`scheduler.access` decides whether someone holds a role in a library, so
roles stored per library change nothing here.
"""

from __future__ import annotations

from scheduler import access
from scheduler.errors import Forbidden
from scheduler.models import Person, Role
from scheduler.reasons import _

# Everyone who answers questions at a service point of the library may log them.
DESK_ROLES = (Role.FIRST_LINE, Role.LIBRARIAN, Role.SECTION_LEADER)


def may_log(person: Person | None, library_id: int) -> bool:
    return any(access.holds(person, role, library_id) for role in DESK_ROLES)


def require_desk(person: Person | None, library_id: int) -> None:
    """Refuse unless ``person`` works at the library's service points (or leads it)."""
    if not may_log(person, library_id):
        raise Forbidden(_("You do not work at this library's service points."))


def require_leader(person: Person | None, library_id: int) -> None:
    """Statistics, the directory's upkeep and campaigns belong to the library's leaders."""
    access.require(person, Role.SECTION_LEADER, library_id)


def desk_library_ids(person: Person | None) -> set[int] | None:
    """The libraries ``person`` may log for; None means every library (an administrator)."""
    return access.library_ids(person, *DESK_ROLES)


def leader_library_ids(person: Person | None) -> set[int] | None:
    return access.library_ids(person, Role.SECTION_LEADER)
