"""Who may do what, where: a role is held *in a library*; only administrators are global.

Use cases call :func:`require` with the acting person and the library the object
belongs to, and let :class:`~scheduler.errors.Forbidden` travel up; views only turn it
into a 403. Queries that list what a person may manage filter by :func:`library_ids`.

Today a role is stored once per person and applies in every library the person works
at (``person_libraries``); roles stored per library (issue 14) change only this module.
"""

from __future__ import annotations

from scheduler.errors import Forbidden
from scheduler.models import Person, Role
from scheduler.reasons import _


def is_admin(person: Person | None) -> bool:
    return person is not None and Role.ADMIN in person.roles


def holds(person: Person | None, role: Role, library_id: int) -> bool:
    """True if ``person`` holds ``role`` in the library (administrators hold every role)."""
    if person is None or not person.is_active:
        return False
    if is_admin(person):
        return True
    return role in person.roles and any(lib.id == library_id for lib in person.libraries)


def library_ids(person: Person | None, *roles: Role) -> set[int] | None:
    """The libraries where ``person`` holds any of ``roles``; None means every library
    (an administrator). An empty set means none."""
    if person is None or not person.is_active:
        return set()
    if is_admin(person):
        return None
    if not person.roles.intersection(roles):
        return set()
    return {lib.id for lib in person.libraries}


def require(person: Person | None, role: Role, library_id: int, message: str | None = None) -> None:
    """Refuse with :class:`Forbidden` unless ``person`` holds ``role`` in the library."""
    if not holds(person, role, library_id):
        raise Forbidden(message or _("You do not have that role in this library."))
