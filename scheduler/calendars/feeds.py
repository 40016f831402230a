"""What goes into each calendar feed: a person's shifts and appointments, and the public
activity calendar, with the times that tell HTTP caches whether anything changed.

A feed holds events from ``past_days`` ago onwards. Cancelled items stay in it, as
STATUS:CANCELLED and with "Cancelled:" in front of the summary (only Apple strikes them
through), for ``cancelled_days`` after the cancellation, so that clients which kept a
copy drop it; then they leave the feed. No Flask here: the web layer passes the
session, the links and the reader's language.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from sqlalchemy import and_, case, func, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased, joinedload, load_only
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from scheduler.calendars.events import (
    Colleague,
    Gettext,
    appointment_event,
    dropin_event,
    shift_event,
    untranslated,
)
from scheduler.calendars.ical import CalendarEvent, build_calendar
from scheduler.errors import InputError
from scheduler.inputs import parse_id
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
from scheduler.models.translations import localized

# Colleagues are found among shifts starting at most this long before one's own.
MAX_SHIFT_LENGTH = timedelta(hours=12)
# More filter values than this in one URL is not a calendar anyone subscribes to.
MAX_FILTER_VALUES = 50


class FeedKind(enum.StrEnum):
    SHIFTS = "shifts"
    APPOINTMENTS = "appointments"
    ALL = "all"


@dataclass(frozen=True)
class FeedOptions:
    """How feeds are cut and worded: the same for every feed of a request."""

    host: str  # UID host (see ical.uid_host)
    now: datetime
    past_days: int = 90
    cancelled_days: int = 30
    refresh: timedelta = timedelta(hours=1)
    default_tz: str = "Europe/Oslo"
    gettext: Gettext = untranslated
    locale: str = "en"

    @property
    def window_start(self) -> datetime:
        return self.now - timedelta(days=self.past_days)

    @property
    def cancelled_cut(self) -> datetime:
        return self.now - timedelta(days=self.cancelled_days)


@dataclass(frozen=True)
class FeedLinks:
    """URLs back to the pages, built by the web layer (ids in, absolute URLs out)."""

    shift: Callable[[int], str] | None = None
    appointment: Callable[[int], str] | None = None
    dropin: Callable[[int], str] | None = None
    page: str | None = None  # the page the calendar belongs to
    source: str | None = None  # the feed's own URL


class _Changes:
    """The latest moment anything shown in a feed changed (its Last-Modified)."""

    def __init__(self) -> None:
        self.latest: datetime | None = None

    def see(self, *moments: datetime | None) -> None:
        for moment in moments:
            if moment is not None and (self.latest is None or moment > self.latest):
                self.latest = moment


@dataclass
class Feed:
    name: str
    timezone: str
    events: list[CalendarEvent]
    last_modified: datetime
    refresh: timedelta
    description: str | None = None
    links: FeedLinks = field(default_factory=FeedLinks)

    def render(self) -> bytes:
        return build_calendar(
            self.events,
            stamp=self.last_modified,
            name=self.name,
            description=self.description,
            timezone=self.timezone,
            refresh=self.refresh,
            url=self.links.page,
            source=self.links.source,
        )


def _mark_cancelled(event: CalendarEvent, gettext: Gettext) -> CalendarEvent:
    if event.status != "CANCELLED":
        return event
    _ = gettext
    summary = _("Cancelled: %(summary)s") % {"summary": event.summary}
    return dataclasses.replace(event, summary=summary)


def _cancelled_at(model: type) -> object:
    return func.coalesce(model.cancelled_at, model.updated_at)


def _departures(
    session: Session, model: type, cancelled: object, owner_clause: object, options: FeedOptions
) -> list[datetime]:
    """When items last left the feed: by ageing out of the window, or ``cancelled_days``
    after their cancellation. Rows that left change the feed as much as rows that changed."""
    aged = func.max(case((model.starts_at < options.window_start, model.starts_at)))
    expired = func.max(
        case(
            (
                and_(
                    model.status == cancelled,
                    model.starts_at >= options.window_start,
                    _cancelled_at(model) < options.cancelled_cut,
                ),
                _cancelled_at(model),
            )
        )
    )
    row = session.execute(select(aged, expired).where(owner_clause)).one()
    left = []
    if row[0] is not None:
        left.append(row[0] + timedelta(days=options.past_days))
    if row[1] is not None:
        left.append(row[1] + timedelta(days=options.cancelled_days))
    return left


def _shown(model: type, cancelled: object, options: FeedOptions) -> object:
    """Rows in the window: active ones, and cancelled ones for ``cancelled_days``."""
    return and_(
        model.starts_at >= options.window_start,
        or_(
            model.status != cancelled,
            _cancelled_at(model) >= options.cancelled_cut,
        ),
    )


def shift_events(
    session: Session, person: Person, options: FeedOptions, links: FeedLinks, changes: _Changes
) -> list[CalendarEvent]:
    """The person's published shifts, each naming the colleagues on the same point."""
    shifts = session.scalars(
        select(PublishedShift)
        .options(joinedload(PublishedShift.service_point).joinedload(ServicePoint.library))
        .where(
            PublishedShift.person_id == person.id,
            _shown(PublishedShift, PublishedShiftStatus.CANCELLED, options),
        )
        .order_by(PublishedShift.starts_at, PublishedShift.id)
    ).all()
    changes.see(
        *_departures(
            session,
            PublishedShift,
            PublishedShiftStatus.CANCELLED,
            PublishedShift.person_id == person.id,
            options,
        )
    )
    colleagues = _colleagues(session, person, shifts, changes)
    events = []
    for shift in shifts:
        point = shift.service_point
        changes.see(shift.updated_at, point.updated_at, point.library.updated_at)
        events.append(
            shift_event(
                shift,
                host=options.host,
                colleagues=colleagues.get(shift.id, ()),
                url=links.shift(shift.id) if links.shift else None,
                default_tz=options.default_tz,
                gettext=options.gettext,
            )
        )
    return events


class _Earlier(ColumnElement):
    """``column - delta`` in SQL, on both databases (there is no portable spelling).

    SQLite stores instants as ISO text ("2027-03-01 08:00:00.000000"); ``datetime()``
    gives the same text without the fraction, which still compares correctly.
    """

    inherit_cache = True
    # What SQLAlchemy's statement cache keys on, so different columns never share SQL.
    _traverse_internals: ClassVar[list] = [
        ("column", InternalTraversal.dp_clauseelement),
        ("seconds", InternalTraversal.dp_plain_obj),
    ]

    def __init__(self, column: ColumnElement, delta: timedelta) -> None:
        self.column = column
        self.seconds = int(delta.total_seconds())
        self.type = column.type


@compiles(_Earlier)
def _earlier_default(element: _Earlier, compiler, **kw) -> str:
    column = compiler.process(element.column, **kw)
    return f"({column} - interval '{element.seconds} seconds')"


@compiles(_Earlier, "sqlite")
def _earlier_sqlite(element: _Earlier, compiler, **kw) -> str:
    column = compiler.process(element.column, **kw)
    return f"datetime({column}, '-{element.seconds} seconds')"


def _colleagues(
    session: Session, person: Person, shifts: Sequence[PublishedShift], changes: _Changes
) -> dict[int, list[Colleague]]:
    """Other people's shifts overlapping each confirmed shift at the same service point.

    A self-join that the (service_point_id, starts_at) index answers with one short
    range scan per own shift: colleagues start before one's shift ends and at most
    MAX_SHIFT_LENGTH before it starts. Cancelled colleague shifts are read too: their
    removal changed this feed's summaries.
    """
    if not any(s.status == PublishedShiftStatus.CONFIRMED for s in shifts):
        return {}
    mine = aliased(PublishedShift, name="mine")
    other = aliased(PublishedShift, name="other")
    rows = session.execute(
        select(
            mine.id,
            other.starts_at,
            other.ends_at,
            other.status,
            other.updated_at,
            Person.name,
            Person.updated_at,
        )
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
            mine.starts_at >= min(s.starts_at for s in shifts),
        )
        .order_by(mine.id, other.starts_at, Person.name)
    ).all()
    found: dict[int, list[Colleague]] = {}
    for shift_id, begins, finishes, status, updated, name, person_updated in rows:
        changes.see(updated, person_updated)
        if status == PublishedShiftStatus.CONFIRMED:
            found.setdefault(shift_id, []).append(Colleague(name, begins, finishes))
    return found


def appointment_events(
    session: Session,
    person: Person,
    options: FeedOptions,
    links: FeedLinks,
    changes: _Changes,
    *,
    show_patron: bool = False,
) -> list[CalendarEvent]:
    """The appointments booked with this librarian (pending ones as TENTATIVE)."""
    appointments = session.scalars(
        select(Appointment)
        .options(
            joinedload(Appointment.topic),
            joinedload(Appointment.library),
            joinedload(Appointment.librarian),
        )
        .where(
            Appointment.librarian_id == person.id,
            _shown(Appointment, AppointmentStatus.CANCELLED, options),
        )
        .order_by(Appointment.starts_at, Appointment.id)
    ).all()
    changes.see(
        *_departures(
            session,
            Appointment,
            AppointmentStatus.CANCELLED,
            Appointment.librarian_id == person.id,
            options,
        )
    )
    events = []
    for appt in appointments:
        changes.see(
            appt.updated_at,
            appt.topic.updated_at if appt.topic else None,
            appt.library.updated_at if appt.library else None,
        )
        event = appointment_event(
            appt,
            host=options.host,
            url=links.appointment(appt.id) if links.appointment else None,
            show_patron=show_patron and appt.purged_at is None,
            default_tz=options.default_tz,
            gettext=options.gettext,
            locale=options.locale,
        )
        # The organizer would be the reader; Outlook would show a meeting to answer.
        events.append(dataclasses.replace(event, organizer=None))
    return events


def person_feed(
    session: Session,
    person: Person,
    kind: FeedKind,
    options: FeedOptions,
    links: FeedLinks,
    *,
    show_patron: bool = False,
) -> Feed:
    """A person's own feed: only rows that are theirs, never anyone else's."""
    _ = options.gettext
    changes = _Changes()
    changes.see(person.updated_at)
    events: list[CalendarEvent] = []
    if kind in (FeedKind.SHIFTS, FeedKind.ALL):
        events += shift_events(session, person, options, links, changes)
    if kind in (FeedKind.APPOINTMENTS, FeedKind.ALL):
        events += appointment_events(
            session, person, options, links, changes, show_patron=show_patron
        )
    events.sort(key=lambda e: (e.start, e.uid))
    names = {
        FeedKind.SHIFTS: _("Desk shifts – %(name)s"),
        FeedKind.APPOINTMENTS: _("Appointments – %(name)s"),
        FeedKind.ALL: _("Shifts and appointments – %(name)s"),
    }
    return _feed(names[kind] % {"name": person.name}, events, options, links, changes)


def _feed(
    name: str,
    events: list[CalendarEvent],
    options: FeedOptions,
    links: FeedLinks,
    changes: _Changes,
    description: str | None = None,
) -> Feed:
    zones = [e.tz for e in events]
    timezone = max(set(zones), key=zones.count) if zones else options.default_tz
    last_modified = min(changes.latest or options.now, options.now)
    return Feed(
        name=name,
        timezone=timezone,
        events=[_mark_cancelled(e, options.gettext) for e in events],
        last_modified=last_modified.astimezone(UTC),
        refresh=options.refresh,
        description=description,
        links=links,
    )


@dataclass(frozen=True)
class PublicFilter:
    libraries: tuple[Library, ...] = ()
    topics: tuple[Topic, ...] = ()


def _values(raw: Sequence[str]) -> list[str]:
    values = [v.strip() for item in raw for v in item.split(",")]
    return [v for v in values if v]


def _lookup(session: Session, model: type, name: str, raw: Sequence[str]) -> tuple:
    values = _values(raw)
    if len(values) > MAX_FILTER_VALUES:
        raise InputError.field(name, f"at most {MAX_FILTER_VALUES} values")
    found = []
    for value in values:
        try:  # an id (what scheduler.inputs accepts as one), else a slug
            ident = parse_id(value, name)
        except InputError:
            ident = None
        condition = model.id == ident if ident is not None else model.slug == value
        row = session.scalar(select(model).where(condition))
        if row is None:
            known = ", ".join(session.scalars(select(model.slug).order_by(model.slug)).all())
            raise InputError.field(
                name, f"no {name} with id or slug {value!r} (known: {known or 'none'})"
            )
        found.append(row)
    return tuple(found)


def parse_public_filter(
    session: Session, libraries: Sequence[str] = (), topics: Sequence[str] = ()
) -> PublicFilter:
    """``?library=`` and ``?topic=`` values (ids or slugs, repeated or comma-separated).

    Raises InputError naming the parameter and the unknown value.
    """
    return PublicFilter(
        libraries=_lookup(session, Library, "library", libraries),
        topics=_lookup(session, Topic, "topic", topics),
    )


# What the public feed reads; loading whole rows costs a third more for 2,000 sessions.
_SESSION_COLUMNS = (
    DropInSession.id,
    DropInSession.title,
    DropInSession.description,
    DropInSession.location,
    DropInSession.online_url,
    DropInSession.starts_at,
    DropInSession.ends_at,
    DropInSession.registration_required,
    DropInSession.registration_deadline,
    DropInSession.status,
    DropInSession.cancelled_at,
    DropInSession.sequence,
    DropInSession.created_at,
    DropInSession.updated_at,
    DropInSession.library_id,
    DropInSession.topic_id,
)
_LIBRARY_COLUMNS = (Library.id, Library.name, Library.timezone, Library.updated_at)
_TOPIC_COLUMNS = (Topic.id, Topic.name, Topic.updated_at)


def _host_names(
    session: Session, owner_clause: object, options: FeedOptions
) -> dict[int, tuple[list[str], datetime | None]]:
    """Hosts' names per session in one query (``selectinload`` costs ~0.1 ms a session)."""
    rows = session.execute(
        select(session_hosts.c.session_id, Person.name, Person.updated_at)
        .join(Person, Person.id == session_hosts.c.person_id)
        .join(DropInSession, DropInSession.id == session_hosts.c.session_id)
        .where(owner_clause, _shown(DropInSession, SessionStatus.CANCELLED, options))
        .order_by(session_hosts.c.session_id, Person.name)
    ).all()
    found: dict[int, tuple[list[str], datetime | None]] = {}
    for session_id, name, updated in rows:
        names, latest = found.get(session_id, ([], None))
        names.append(name)
        found[session_id] = (names, max(filter(None, (latest, updated)), default=None))
    return found


def public_feed(
    session: Session, filters: PublicFilter, options: FeedOptions, links: FeedLinks
) -> Feed:
    """The shared activity calendar: announced drop-ins and events, across branches."""
    _ = options.gettext
    owner = []
    if filters.libraries:
        owner.append(DropInSession.library_id.in_([lib.id for lib in filters.libraries]))
    if filters.topics:
        owner.append(DropInSession.topic_id.in_([t.id for t in filters.topics]))
    owner_clause = and_(true(), *owner)
    sessions = session.scalars(
        select(DropInSession)
        .options(
            load_only(*_SESSION_COLUMNS),
            joinedload(DropInSession.library).load_only(*_LIBRARY_COLUMNS),
            joinedload(DropInSession.topic).load_only(*_TOPIC_COLUMNS),
        )
        .where(owner_clause, _shown(DropInSession, SessionStatus.CANCELLED, options))
        .order_by(DropInSession.starts_at, DropInSession.id)
    ).all()
    hosts = _host_names(session, owner_clause, options)
    changes = _Changes()
    changes.see(
        *_departures(session, DropInSession, SessionStatus.CANCELLED, owner_clause, options)
    )
    for lib in filters.libraries:
        changes.see(lib.updated_at)
    for topic in filters.topics:
        changes.see(topic.updated_at)
    events = []
    for item in sessions:
        names, hosts_changed = hosts.get(item.id, ((), None))
        changes.see(
            item.updated_at,
            item.library.updated_at,
            item.topic.updated_at if item.topic else None,
            hosts_changed,
        )
        events.append(
            dropin_event(
                item,
                host=options.host,
                url=links.dropin(item.id) if links.dropin else None,
                default_tz=options.default_tz,
                gettext=options.gettext,
                locale=options.locale,
                host_names=names,
            )
        )
    parts = [localized(lib, "name", options.locale) for lib in filters.libraries] + [
        localized(t, "name", options.locale) for t in filters.topics
    ]
    name = _("Library activities")
    if parts:
        name = _("Library activities – %(filter)s") % {"filter": ", ".join(parts)}
    description = _("Drop-in sessions, courses and events at the library.")
    return _feed(name, events, options, links, changes, description)
