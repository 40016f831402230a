"""Libraries: list, create and edit, remove (deactivate when history refers to them)."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from functools import cache

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from scheduler import accounts
from scheduler.administration.common import (
    Removal,
    audit,
    audit_removal,
    check_unique,
    clean_slug,
    clean_text,
    count,
    require_admin,
)
from scheduler.errors import InputError
from scheduler.models import (
    Appointment,
    AvailabilityRule,
    DropInSession,
    Library,
    Person,
    RosterPeriod,
)
from scheduler.models.people import person_libraries
from scheduler.reasons import _


@cache
def time_zones() -> tuple[str, ...]:
    """The IANA zones a library may be in, sorted (the form's list)."""
    return tuple(sorted(zoneinfo.available_timezones()))


@dataclass(frozen=True)
class LibraryInput:
    name: str
    slug: str
    timezone: str = "Europe/Oslo"
    address: str | None = None
    email: str | None = None
    is_main: bool = False
    position: int = 0


def list_libraries(session: Session, actor: Person, q: str = "") -> list[Library]:
    """Every library (deactivated ones too), in their order; ``q`` searches name and slug."""
    require_admin(actor)
    stmt = select(Library).order_by(Library.position, Library.name)
    q = q.strip().lower()
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(func.lower(Library.name).like(like), Library.slug.like(like)))
    return list(session.scalars(stmt))


def save_library(
    session: Session, actor: Person, library: Library | None, data: LibraryInput
) -> Library:
    """Create (``library`` None) or change a library; only one library is the main one."""
    require_admin(actor)
    name = clean_text(data.name, "name", max_length=200, required=True)
    slug = clean_slug(data.slug)
    own_id = library.id if library is not None else None
    check_unique(session, Library.slug, slug, own_id, "slug")
    if data.timezone not in time_zones():
        raise InputError.field("timezone", _("is not a known time zone"))
    address = clean_text(data.address, "address", max_length=300) or None
    email = (data.email or "").strip()
    if email:
        try:
            email = accounts.normalise_email(email, "email")
        except InputError:
            raise InputError.field("email", _("is not a valid e-mail address")) from None
    email = email or None
    if not 0 <= data.position <= 10_000:
        raise InputError.field("position", _("must be between 0 and 10000"))
    if library is None:
        library = Library()
        session.add(library)
    library.name, library.slug, library.timezone = name, slug, data.timezone
    library.address, library.email, library.position = address, email, data.position
    library.is_main = data.is_main
    session.flush()
    audit(session, actor, "library.saved", f"library:{library.id}", {"slug": slug})
    if data.is_main:
        session.execute(
            update(Library).where(Library.id != library.id).values(is_main=False),
            execution_options={"synchronize_session": "fetch"},
        )
    return library


def library_references(session: Session, library_id: int) -> dict[str, int]:
    """What refers to the library, by kind; only kinds with at least one row."""
    found = {
        "appointments": count(
            session, select(Appointment.id).where(Appointment.library_id == library_id)
        ),
        "dropin_sessions": count(
            session, select(DropInSession.id).where(DropInSession.library_id == library_id)
        ),
        "roster_periods": count(
            session, select(RosterPeriod.id).where(RosterPeriod.library_id == library_id)
        ),
        "availability": count(
            session,
            select(AvailabilityRule.id).where(AvailabilityRule.library_id == library_id),
        ),
        "staff": count(
            session,
            select(person_libraries.c.person_id).where(person_libraries.c.library_id == library_id),
        ),
    }
    return {kind: n for kind, n in found.items() if n}


def remove_library(session: Session, actor: Person, library: Library) -> Removal:
    """Delete a library nothing refers to; otherwise deactivate it and say why."""
    require_admin(actor)
    references = library_references(session, library.id)
    removal = Removal(deleted=not references, references=references)
    audit_removal(session, actor, "library", library.id, removal)
    if references:
        library.active = False
        library.is_main = False
    else:
        session.delete(library)
    session.flush()
    return removal


def reactivate_library(session: Session, actor: Person, library: Library) -> Library:
    require_admin(actor)
    library.active = True
    audit(session, actor, "library.reactivated", f"library:{library.id}")
    session.flush()
    return library
