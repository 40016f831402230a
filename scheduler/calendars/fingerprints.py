"""What a feed's body depends on, in a few aggregate queries: its ETag without building it.

Calendar apps poll feeds every few minutes and almost always get "nothing changed". A
body-hash ETag makes every such poll build the calendar (a year of shifts: ~35 ms; the
public feed of 2,000 sessions: ~130 ms) only to answer 304. A fingerprint instead hashes
the facts the body is made of: for each kind of row the feed shows, how many, which
(sum of ids), and their latest change; the same for the rows it names (colleagues,
hosts, service points, libraries, topics); the rows that left it (the same query the
builder uses for Last-Modified); the reader's options (language, links, windows) and the
code that renders. The window moves with the clock, so a row that ages out changes the
count, and the fingerprint, at that moment.

Every change a row can undergo bumps its ``updated_at`` (``onupdate``), adds or removes
a row, or changes a count: the fingerprint then changes. Same fingerprint, same body.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from sqlalchemy import BigInteger, and_, cast, func, select, true
from sqlalchemy.orm import Session, aliased

from scheduler.calendars.feeds import (
    MAX_SHIFT_LENGTH,
    FeedKind,
    FeedLinks,
    FeedOptions,
    PublicFilter,
    _departures,
    _Earlier,
    _shown,
)
from scheduler.models import (
    Appointment,
    AppointmentStatus,
    DropInSession,
    Library,
    Person,
    PublishedShift,
    PublishedShiftStatus,
    ServicePoint,
    SessionStatus,
    Topic,
)
from scheduler.models.dropin import session_hosts

_PROBE_ID = 987654321


@cache
def code_version() -> str:
    """The rendering code itself: a deployment that changes how feeds look changes every
    fingerprint (the same on every host running the same code)."""
    digest = hashlib.sha256()
    folder = Path(__file__).parent
    for name in ("events.py", "feeds.py", "ical.py", "fingerprints.py"):
        path = folder / name
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _digest(parts: Iterable[object]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()[:32]


def _options(options: FeedOptions, links: FeedLinks) -> tuple:
    probes = tuple(
        link(_PROBE_ID) if link else None for link in (links.shift, links.appointment, links.dropin)
    )
    return (
        code_version(),
        options.host,
        options.past_days,
        options.cancelled_days,
        options.refresh,
        options.default_tz,
        options.locale,
        options.gettext("Cancelled: %(summary)s"),  # the catalogue in use
        links.page,
        links.source,
        probes,
    )


def _shifts(session: Session, person: Person, options: FeedOptions) -> tuple:
    shown = _shown(PublishedShift, PublishedShiftStatus.CANCELLED, options)
    own = session.execute(
        select(
            func.count(PublishedShift.id),
            func.sum(PublishedShift.id),
            func.max(PublishedShift.updated_at),
            func.max(ServicePoint.updated_at),
            func.max(Library.updated_at),
        )
        .join(ServicePoint, ServicePoint.id == PublishedShift.service_point_id)
        .join(Library, Library.id == ServicePoint.library_id)
        .where(PublishedShift.person_id == person.id, shown)
    ).one()
    # The colleagues named in the summaries: the builder's self-join, aggregated.
    mine = aliased(PublishedShift, name="mine")
    other = aliased(PublishedShift, name="other")
    colleagues = session.execute(
        select(
            func.count(other.id),
            func.sum(other.id),
            func.max(other.updated_at),
            func.max(Person.updated_at),
        )
        .select_from(mine)
        .join(
            other,
            and_(
                other.service_point_id == mine.service_point_id,
                other.starts_at < mine.ends_at,
                other.ends_at > mine.starts_at,
                other.starts_at >= _Earlier(mine.starts_at, MAX_SHIFT_LENGTH),
                other.person_id != mine.person_id,
            ),
        )
        .join(Person, Person.id == other.person_id)
        .where(
            mine.person_id == person.id,
            mine.status == PublishedShiftStatus.CONFIRMED,
            mine.starts_at >= options.window_start,
        )
    ).one()
    left = _departures(
        session,
        PublishedShift,
        PublishedShiftStatus.CANCELLED,
        PublishedShift.person_id == person.id,
        options,
    )
    return ("shifts", *own, *colleagues, *left)


def _appointments(session: Session, person: Person, options: FeedOptions) -> tuple:
    shown = _shown(Appointment, AppointmentStatus.CANCELLED, options)
    row = session.execute(
        select(
            func.count(Appointment.id),
            func.sum(Appointment.id),
            func.max(Appointment.updated_at),
            func.max(Topic.updated_at),
            func.max(Library.updated_at),
        )
        .outerjoin(Topic, Topic.id == Appointment.topic_id)
        .outerjoin(Library, Library.id == Appointment.library_id)
        .where(Appointment.librarian_id == person.id, shown)
    ).one()
    left = _departures(
        session,
        Appointment,
        AppointmentStatus.CANCELLED,
        Appointment.librarian_id == person.id,
        options,
    )
    return ("appointments", *row, *left)


def person_fingerprint(
    session: Session,
    person: Person,
    kind: FeedKind,
    options: FeedOptions,
    links: FeedLinks,
    *,
    show_patron: bool = False,
) -> str:
    """The ETag of :func:`scheduler.calendars.feeds.person_feed` with the same arguments."""
    parts: list[object] = [
        "person",
        kind.value,
        person.id,
        person.updated_at,
        show_patron,
        *_options(options, links),
    ]
    if kind in (FeedKind.SHIFTS, FeedKind.ALL):
        parts += _shifts(session, person, options)
    if kind in (FeedKind.APPOINTMENTS, FeedKind.ALL):
        parts += _appointments(session, person, options)
    return _digest(parts)


def public_fingerprint(
    session: Session, filters: PublicFilter, options: FeedOptions, links: FeedLinks
) -> str:
    """The ETag of :func:`scheduler.calendars.feeds.public_feed` with the same arguments."""
    owner = []
    if filters.libraries:
        owner.append(DropInSession.library_id.in_([lib.id for lib in filters.libraries]))
    if filters.topics:
        owner.append(DropInSession.topic_id.in_([t.id for t in filters.topics]))
    owner_clause = and_(true(), *owner)
    shown = _shown(DropInSession, SessionStatus.CANCELLED, options)
    sessions = session.execute(
        select(
            func.count(DropInSession.id),
            func.sum(DropInSession.id),
            func.max(DropInSession.updated_at),
            func.max(Library.updated_at),
            func.max(Topic.updated_at),
        )
        .join(Library, Library.id == DropInSession.library_id)
        .outerjoin(Topic, Topic.id == DropInSession.topic_id)
        .where(owner_clause, shown)
    ).one()
    hosts = session.execute(
        select(
            func.count(session_hosts.c.person_id),
            func.sum(session_hosts.c.person_id),
            # Who hosts which session (a swap of two hosts keeps both sums above).
            func.sum(cast(session_hosts.c.person_id, BigInteger) * session_hosts.c.session_id),
            func.max(Person.updated_at),
        )
        .join(Person, Person.id == session_hosts.c.person_id)
        .join(DropInSession, DropInSession.id == session_hosts.c.session_id)
        .where(owner_clause, shown)
    ).one()
    left = _departures(session, DropInSession, SessionStatus.CANCELLED, owner_clause, options)
    named = [(lib.id, lib.updated_at) for lib in filters.libraries]
    named += [(t.id, t.updated_at) for t in filters.topics]
    return _digest(["public", *_options(options, links), *sessions, *hosts, *left, *named])
