"""Who may do what, where: a role is held *in a library*; only administrators are global.

Use cases call :func:`require` with the acting person and the library the object
belongs to, and let :class:`~scheduler.errors.Forbidden` travel up; views only turn it
into a 403. Queries that list what a person may manage filter by :func:`library_ids`.

Roles are stored per library (``person_library_roles``); the administrator role is the
only global one (``person_roles``). Working at a library (``person_libraries``) gives no
rights by itself.
"""

from __future__ import annotations

from scheduler.errors import Forbidden
from scheduler.models import Person, Role
from scheduler.reasons import _


def is_admin(person: Person | None) -> bool:
    return person is not None and person.is_active and person.is_admin


def holds(person: Person | None, role: Role, library_id: int) -> bool:
    """True if ``person`` holds ``role`` in the library (administrators hold every role)."""
    if person is None or not person.is_active:
        return False
    if is_admin(person):
        return True
    return role in person.roles_in(library_id)


def library_ids(person: Person | None, *roles: Role) -> set[int] | None:
    """The libraries where ``person`` holds any of ``roles``; None means every library
    (an administrator). An empty set means none."""
    if person is None or not person.is_active:
        return set()
    if is_admin(person):
        return None
    return {r.library_id for r in person.library_roles if r.role in roles}


def rostered_libraries(person: Person | None) -> set[int]:
    """The libraries whose first-line pool ``person`` is in: where they hold the first-line
    role themselves. Administrators too only there: the roster is built from the pool, so
    elsewhere no shift can be theirs, and checking one against that roster is wasted work
    (a page for an administrator built every library's roster, seconds with many periods)."""
    if person is None or not person.is_active:
        return set()
    return {r.library_id for r in person.library_roles if r.role == Role.FIRST_LINE}


def require(person: Person | None, role: Role, library_id: int, message: str | None = None) -> None:
    """Refuse with :class:`Forbidden` unless ``person`` holds ``role`` in the library."""
    if not holds(person, role, library_id):
        raise Forbidden(message or _("You do not have that role in this library."))
