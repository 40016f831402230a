"""Save a staff account from the people admin: who they are, where they hold which role.

Only administrators manage people. Roles are given per library (a leader of one branch
is not a leader of another); the administrator role is the only global one. Nobody is
deleted: a person who leaves is deactivated, and their rosters and history stay.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import access, accounts, audit
from scheduler.errors import Forbidden, InputError
from scheduler.models import LIBRARY_ROLES, Library, Person, Role, Topic
from scheduler.reasons import _, input_error

MAX_HOURS_PER_WEEK = 60.0


@dataclass(frozen=True)
class PersonInput:
    name: str
    email: str
    admin: bool = False
    # library id -> the roles held there
    library_roles: Mapping[int, frozenset[Role]] = field(default_factory=dict)
    active: bool = True
    bookable: bool = False
    min_hours_per_week: float = 0.0
    target_hours_per_week: float | None = None
    max_hours_per_week: float | None = None
    topic_ids: Sequence[int] = ()
    password: str | None = None


def check_hours(
    low: float, target: float | None, high: float | None, errors: dict[str, str]
) -> None:
    """min ≤ target ≤ max, each within a week; reasons go on the field at fault."""
    if low < 0 or low > MAX_HOURS_PER_WEEK:
        errors["min_hours_per_week"] = _(
            "must be between 0 and %(most)s hours", most=int(MAX_HOURS_PER_WEEK)
        )
    if high is not None and high > MAX_HOURS_PER_WEEK:
        errors["max_hours_per_week"] = _("must be at most %(most)s hours", most=60)
    elif high is not None and high < low:
        errors["max_hours_per_week"] = _("must be at least the minimum")
    if target is not None and (target < low or (high is not None and target > high)):
        errors["target_hours_per_week"] = _("must lie between the minimum and the maximum")


def save_person(
    session: Session, actor: Person | None, person: Person | None, data: PersonInput
) -> Person:
    """Create (``person`` None) or update a staff account; all or nothing. Flushes."""
    if not access.is_admin(actor):
        raise Forbidden(_("Only administrators manage people."))
    assert actor is not None
    errors: dict[str, str] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = _("is required")
    try:
        email = accounts.normalise_email(data.email)
    except InputError as exc:
        errors.update(exc.fields)
        email = ""
    if email:
        other = accounts.find_by_email(session, email)
        if other is not None and other is not person:
            errors["email"] = _("is already used by another person")
    check_hours(
        data.min_hours_per_week, data.target_hours_per_week, data.max_hours_per_week, errors
    )
    libraries = {
        lib.id: lib
        for lib in session.scalars(select(Library).where(Library.id.in_(data.library_roles)))
    }
    unknown = sorted(set(data.library_roles) - set(libraries))
    if unknown:
        errors["library_roles"] = _("library %(id)s does not exist", id=unknown[0])
    if any(role not in LIBRARY_ROLES for roles in data.library_roles.values() for role in roles):
        errors["library_roles"] = _("the administrator role is not held in a library")
    topics = list(session.scalars(select(Topic).where(Topic.id.in_(data.topic_ids))))
    if len(topics) != len(set(data.topic_ids)):
        errors["topics"] = _("does not exist")
    if person is not None and person.id == actor.id:
        if not data.admin:
            errors["admin"] = _("you cannot remove your own administrator role")
        if not data.active:
            errors["active"] = _("you cannot deactivate your own account")
    if data.password and len(data.password) < accounts.MIN_PASSWORD_LENGTH:
        errors["password"] = _(
            "must be at least %(least)s characters long", least=accounts.MIN_PASSWORD_LENGTH
        )
    if errors:
        raise input_error(errors)

    if person is None:
        person = Person(email=email, name=name)
        session.add(person)
    person.email = email
    person.name = name
    person.set_admin(data.admin)
    person.set_library_roles(
        {libraries[lib_id]: set(roles) for lib_id, roles in data.library_roles.items() if roles}
    )
    person.active = data.active
    person.bookable = data.bookable
    person.min_hours_per_week = float(data.min_hours_per_week)
    person.target_hours_per_week = data.target_hours_per_week
    person.max_hours_per_week = data.max_hours_per_week
    person.topics = sorted(topics, key=lambda t: t.name)
    if data.password:
        accounts.set_password(person, data.password)
    session.flush()
    audit.record(
        session,
        audit.Action.PERSON_SAVED,
        actor=actor,
        subject=f"person:{person.id}",
        details={
            "admin": data.admin,
            "roles": {
                str(lib_id): sorted(r.value for r in roles)
                for lib_id, roles in sorted(data.library_roles.items())
                if roles
            },
            "active": person.active,
        },
    )
    session.flush()
    return person
