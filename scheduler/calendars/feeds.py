"""What goes into each calendar feed: a person's shifts and appointments, and the public
activity calendar, with the times that tell HTTP caches whether anything changed.

A feed holds events from ``past_days`` ago onwards. Cancelled items stay in it, as
STATUS:CANCELLED and with "Cancelled:" in front of the summary (only Apple strikes them
through), for ``cancelled_days`` after the cancellation, so that clients which kept a
copy drop it; then they leave the feed. No Flask here: the web layer passes the
session, the links and the reader's language.
"""

from __future__ import annotations

import bisect
import dataclasses
import enum
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select, true
from sqlalchemy.orm import Session, joinedload, selectinload

from scheduler.calendars.events import (
    Colleague,
    Gettext,
    _same,
    appointment_event,
    session_event,
    shift_event,
)
from scheduler.calendars.ical import CalendarEvent, build_calendar
from scheduler.errors import InputError
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
    gettext: Gettext = _same
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
    session: Callable[[int], str] | None = None
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


def _merge_windows(spans: list[tuple[int, datetime, datetime]]):
    merged: list[tuple[int, datetime, datetime]] = []
    for point, lo, hi in sorted(spans):
        if merged and merged[-1][0] == point and lo <= merged[-1][2]:
            merged[-1] = (point, merged[-1][1], max(hi, merged[-1][2]))
        else:
            merged.append((point, lo, hi))
    return merged


def _colleagues(
    session: Session, person: Person, shifts: Sequence[PublishedShift], changes: _Changes
) -> dict[int, list[Colleague]]:
    """Other people's shifts overlapping each confirmed shift at the same service point.

    One query over the windows around one's own shifts (an index range scan each on
    service point and start), then a sweep in memory. Cancelled colleague shifts are
    read too: their removal changed this feed's summaries.
    """
    mine = [s for s in shifts if s.status == PublishedShiftStatus.CONFIRMED]
    if not mine:
        return {}
    windows = _merge_windows(
        [(s.service_point_id, s.starts_at - MAX_SHIFT_LENGTH, s.ends_at) for s in mine]
    )
    other = PublishedShift
    rows = session.execute(
        select(
            other.service_point_id,
            other.starts_at,
            other.ends_at,
            other.status,
            other.updated_at,
            Person.name,
            Person.updated_at,
        )
        .join(Person, Person.id == other.person_id)
        .where(
            other.person_id != person.id,
            or_(
                *(
                    and_(other.service_point_id == p, other.starts_at >= lo, other.starts_at < hi)
                    for p, lo, hi in windows
                )
            ),
        )
        .order_by(other.service_point_id, other.starts_at, Person.name)
    ).all()
    by_point: dict[int, list] = defaultdict(list)
    for row in rows:
        by_point[row[0]].append(row)
    starts = {p: [r[1] for r in rs] for p, rs in by_point.items()}
    found: dict[int, list[Colleague]] = {}
    for shift in mine:
        candidates = by_point.get(shift.service_point_id, [])
        earliest = shift.starts_at - MAX_SHIFT_LENGTH
        first = bisect.bisect_left(starts.get(shift.service_point_id, []), earliest)
        for row in candidates[first:]:
            _point, begins, ends, status, updated, name, person_updated = row
            if begins >= shift.ends_at:
                break
            if ends <= shift.starts_at:
                continue
            changes.see(updated, person_updated)
            if status == PublishedShiftStatus.CONFIRMED:
                found.setdefault(shift.id, []).append(Colleague(name, begins, ends))
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
        events.append(
            appointment_event(
                appt,
                host=options.host,
                url=links.appointment(appt.id) if links.appointment else None,
                show_patron=show_patron and appt.purged_at is None,
                default_tz=options.default_tz,
                gettext=options.gettext,
            )
        )
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
        column = model.id if value.isdigit() else model.slug
        key = int(value) if value.isdigit() else value
        row = session.scalar(select(model).where(column == key))
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
            joinedload(DropInSession.library),
            joinedload(DropInSession.topic),
            selectinload(DropInSession.hosts),
        )
        .where(owner_clause, _shown(DropInSession, SessionStatus.CANCELLED, options))
        .order_by(DropInSession.starts_at, DropInSession.id)
    ).all()
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
        changes.see(
            item.updated_at,
            item.library.updated_at,
            item.topic.updated_at if item.topic else None,
            *(p.updated_at for p in item.hosts),
        )
        events.append(
            session_event(
                item,
                host=options.host,
                url=links.session(item.id) if links.session else None,
                default_tz=options.default_tz,
                gettext=options.gettext,
                locale=options.locale,
            )
        )
    parts = [lib.name for lib in filters.libraries] + [t.name for t in filters.topics]
    name = _("Library activities")
    if parts:
        name = _("Library activities – %(filter)s") % {"filter": ", ".join(parts)}
    description = _("Drop-in sessions, courses and events at the library.")
    return _feed(name, events, options, links, changes, description)
