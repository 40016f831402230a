"""Read-side queries for booking pages and the API: profiles, topics, appointment lists."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from scheduler.booking.appointments.slots import bookable_librarian_ids
from scheduler.models import (
    Appointment,
    AppointmentStatus,
    AvailabilityRule,
    Library,
    Mode,
    Person,
    Topic,
    TopicGroup,
)
from scheduler.models.availability import parse_modes
from scheduler.models.people import person_topics


@dataclass(frozen=True)
class TopicRef:
    id: int
    slug: str
    name: str
    translations: dict[str, Any] | None = field(default=None, compare=False, hash=False)

    def localized(self, field_name: str, lang: str | None) -> Any:
        """The topic's name in ``lang`` when written in it (as :class:`Translatable`)."""
        text = ((self.translations or {}).get(lang or "") or {}).get(field_name)
        return text or getattr(self, field_name)


@dataclass
class LibrarianProfile:
    """What the public may see of a librarian: no e-mail, no schedule details."""

    id: int
    name: str
    title: str | None
    bio: str | None
    topics: list[TopicRef] = field(default_factory=list)
    library_ids: list[int] = field(default_factory=list)
    modes: list[Mode] = field(default_factory=list)


def librarian_profiles(session: Session, ids: Iterable[int]) -> dict[int, LibrarianProfile]:
    """Public profiles of these people, keyed by id (three queries for any number)."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    profiles = {
        row.id: LibrarianProfile(row.id, row.name, row.title, row.bio)
        for row in session.execute(
            select(Person.id, Person.name, Person.title, Person.bio).where(Person.id.in_(ids))
        )
    }
    for person_id, topic_id, slug, name, translations in session.execute(
        select(person_topics.c.person_id, Topic.id, Topic.slug, Topic.name, Topic.translations)
        .join(Topic, Topic.id == person_topics.c.topic_id)
        .where(person_topics.c.person_id.in_(ids))
        .order_by(Topic.name)
    ):
        profiles[person_id].topics.append(TopicRef(topic_id, slug, name, translations))
    libraries: dict[int, set[int]] = defaultdict(set)
    modes: dict[int, set[Mode]] = defaultdict(set)
    for person_id, library_id, raw_modes in session.execute(
        select(AvailabilityRule.person_id, AvailabilityRule.library_id, AvailabilityRule.modes)
        .join(Library, Library.id == AvailabilityRule.library_id)
        .where(AvailabilityRule.person_id.in_(ids))
    ):
        libraries[person_id].add(library_id)
        modes[person_id].update(parse_modes(raw_modes))
    order = list(Mode)
    for person_id, profile in profiles.items():
        profile.library_ids = sorted(libraries[person_id])
        profile.modes = sorted(modes[person_id], key=order.index)
    return profiles


def public_librarians(
    session: Session, *, topic_id: int | None = None, library_id: int | None = None
) -> list[LibrarianProfile]:
    """Bookable librarians for a topic and/or library, by name."""
    ids = bookable_librarian_ids(session, topic_id=topic_id, library_id=library_id)
    return sorted(librarian_profiles(session, ids).values(), key=lambda p: p.name)


def topic_groups(session: Session) -> list[TopicGroup]:
    """Booking pages in their order, with their topics (for the start page)."""
    return list(
        session.scalars(
            select(TopicGroup)
            .options(selectinload(TopicGroup.topics.and_(Topic.active.is_(True))))
            .where(TopicGroup.active.is_(True))
            .order_by(TopicGroup.position, TopicGroup.name)
        )
    )


def ungrouped_topics(session: Session) -> list[Topic]:
    return list(
        session.scalars(
            select(Topic)
            .where(Topic.group_id.is_(None), Topic.active.is_(True))
            .order_by(Topic.name)
        )
    )


def topic_by_slug(session: Session, slug: str) -> Topic | None:
    return session.scalar(
        select(Topic)
        .options(joinedload(Topic.group))
        .where(Topic.slug == slug, Topic.active.is_(True))
    )


def group_by_slug(session: Session, slug: str) -> TopicGroup | None:
    return session.scalar(
        select(TopicGroup).where(TopicGroup.slug == slug, TopicGroup.active.is_(True))
    )


def upcoming_for_librarian(
    session: Session, librarian_id: int, *, now: datetime, limit: int = 200
) -> list[Appointment]:
    """Booked and pending appointments that have not ended yet, soonest first."""
    return list(
        session.scalars(
            select(Appointment)
            .options(joinedload(Appointment.topic), joinedload(Appointment.library))
            .where(
                Appointment.librarian_id == librarian_id,
                Appointment.status != AppointmentStatus.CANCELLED,
                Appointment.ends_at > now,
            )
            .order_by(Appointment.starts_at)
            .limit(limit)
        )
    )


def recent_cancellations(
    session: Session, librarian_id: int, *, now: datetime, limit: int = 20
) -> list[Appointment]:
    """Cancelled appointments still ahead, so the librarian sees what was dropped."""
    return list(
        session.scalars(
            select(Appointment)
            .options(joinedload(Appointment.topic))
            .where(
                Appointment.librarian_id == librarian_id,
                Appointment.status == AppointmentStatus.CANCELLED,
                Appointment.cancelled_by != "expired",
                Appointment.starts_at > now,
            )
            .order_by(Appointment.starts_at)
            .limit(limit)
        )
    )


def bookable_people(session: Session) -> list[Person]:
    """Everyone who can take appointments (for an administrator's picker)."""
    return list(
        session.scalars(select(Person).where(Person.bookable.is_(True)).order_by(Person.name))
    )
