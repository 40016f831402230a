"""Free slots from the database: the one query-side source for pages and the API.

Loads, in a handful of set-based queries, what decides the free slots of the librarians
in question (settings, weekly windows, exceptions, closed dates, absences, published
desk shifts, drop-in sessions they host, active appointments) and hands plain values to
:func:`scheduler.booking.appointments.availability.free_slots`. Rows are read as tuples, not ORM
objects: a topic over four weeks at consortium scale must answer in milliseconds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from scheduler.booking.appointments import slot_cache
from scheduler.booking.appointments.availability import (
    BookingRules,
    Busy,
    DateException,
    LibrarianAvailability,
    Slot,
    WeeklyWindow,
    free_slots,
)
from scheduler.calendars.sources.busy_query import BusyPolicy, connected_busy
from scheduler.errors import InputError
from scheduler.models import (
    Absence,
    Appointment,
    AppointmentStatus,
    AvailabilityException,
    AvailabilityRule,
    BookingSettings,
    ClosedDate,
    DropInSession,
    Library,
    Mode,
    Person,
    PublishedShift,
    PublishedShiftStatus,
    SessionStatus,
)
from scheduler.models.availability import parse_modes
from scheduler.models.dropin import session_hosts
from scheduler.models.people import person_topics

MAX_RANGE_DAYS = 62
DEFAULT_BUSY_POLICY = BusyPolicy()


@dataclass(frozen=True)
class SlotQuery:
    """Which slots to find: by topic, librarian, library and mode, on local dates."""

    first_day: date
    last_day: date  # inclusive
    topic_id: int | None = None
    librarian_id: int | None = None
    library_id: int | None = None
    mode: Mode | None = None

    def check(self) -> None:
        if self.last_day < self.first_day:
            raise InputError.field("to", "is before from")
        if (self.last_day - self.first_day).days > MAX_RANGE_DAYS:
            raise InputError.field("to", f"is more than {MAX_RANGE_DAYS} days after from")


@dataclass
class Calendars:
    """Loaded availability for some librarians, with what the slot function needs."""

    librarians: dict[int, LibrarianAvailability]
    zones: dict[int, ZoneInfo]
    closed: dict[int, frozenset[date]]

    def slots(self, first_day: date, last_day: date, now: datetime) -> list[Slot]:
        out: list[Slot] = []
        for availability in self.librarians.values():
            out.extend(
                free_slots(
                    availability,
                    first_day=first_day,
                    last_day=last_day,
                    now=now,
                    zones=self.zones,
                    closed=self.closed,
                )
            )
        out.sort(key=lambda s: (s.start, s.librarian_id, s.library_id))
        return out


def bookable_librarian_ids(
    session: Session,
    *,
    topic_id: int | None = None,
    librarian_id: int | None = None,
    library_id: int | None = None,
) -> list[int]:
    """Active, bookable people, narrowed by topic, person and library (weekly windows or
    extra dates there)."""
    stmt = select(Person.id).where(Person.bookable.is_(True), Person.active.is_(True))
    if topic_id is not None:
        stmt = stmt.join(person_topics, person_topics.c.person_id == Person.id).where(
            person_topics.c.topic_id == topic_id
        )
    if librarian_id is not None:
        stmt = stmt.where(Person.id == librarian_id)
    if library_id is not None:
        at_library = select(AvailabilityRule.person_id).where(
            AvailabilityRule.library_id == library_id
        )
        extra_there = select(AvailabilityException.person_id).where(
            AvailabilityException.library_id == library_id
        )
        stmt = stmt.where(or_(Person.id.in_(at_library), Person.id.in_(extra_there)))
    return list(session.scalars(stmt.order_by(Person.id)))


def _utc_bounds(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """UTC instants that surely contain every local day in range, whatever the zone."""
    lo = datetime.combine(first_day - timedelta(days=1), time(0), UTC)
    hi = datetime.combine(last_day + timedelta(days=2), time(0), UTC)
    return lo, hi


def load_calendars(
    session: Session,
    librarian_ids: Iterable[int],
    first_day: date,
    last_day: date,
    *,
    now: datetime,
    default_tz: str,
    exclude_appointment_id: int | None = None,
    include_appointments: bool = True,
    busy_policy: BusyPolicy = DEFAULT_BUSY_POLICY,
) -> Calendars:
    """Read everything that decides the free slots of ``librarian_ids`` on these dates.

    ``exclude_appointment_id`` leaves one appointment out (the one being moved);
    ``include_appointments=False`` ignores bookings and the busy times of connected
    calendars (to tell "taken" from "never bookable" when a start is refused);
    ``busy_policy`` says how connected calendars count (tentative times, failing sources).
    """
    ids = sorted(set(librarian_ids))
    # Plain rows through the session's connection: same transaction, no ORM loading cost
    # (and so no autoflush: flush pending changes first, as session.execute would).
    session.flush()
    conn = session.connection()
    zones_by_name: dict[str, ZoneInfo] = {}

    def zone(name: str | None) -> ZoneInfo:
        name = name or default_tz
        if name not in zones_by_name:
            zones_by_name[name] = ZoneInfo(name)
        return zones_by_name[name]

    rows = conn.execute(select(Library.id, Library.timezone))
    zones = {library_id: zone(tz) for library_id, tz in rows}
    if not ids:
        return Calendars({}, zones, {})
    lo, hi = _utc_bounds(first_day, last_day)

    rules = {
        row.person_id: BookingRules(
            slot_minutes=row.slot_minutes,
            buffer_minutes=row.buffer_minutes,
            min_notice_minutes=row.min_notice_minutes,
            horizon_days=row.horizon_days,
            max_per_day=row.max_per_day,
        )
        for row in conn.execute(
            select(
                BookingSettings.person_id,
                BookingSettings.slot_minutes,
                BookingSettings.buffer_minutes,
                BookingSettings.min_notice_minutes,
                BookingSettings.horizon_days,
                BookingSettings.max_per_day,
            ).where(BookingSettings.person_id.in_(ids))
        )
    }
    defaults = BookingRules()

    windows: dict[int, list[WeeklyWindow]] = defaultdict(list)
    for row in conn.execute(
        select(
            AvailabilityRule.person_id,
            AvailabilityRule.library_id,
            AvailabilityRule.weekday,
            AvailabilityRule.start_time,
            AvailabilityRule.end_time,
            AvailabilityRule.modes,
            AvailabilityRule.valid_from,
            AvailabilityRule.valid_until,
        ).where(
            AvailabilityRule.person_id.in_(ids),
            or_(AvailabilityRule.valid_until.is_(None), AvailabilityRule.valid_until >= first_day),
            or_(AvailabilityRule.valid_from.is_(None), AvailabilityRule.valid_from <= last_day),
        )
    ):
        windows[row.person_id].append(
            WeeklyWindow(
                row.library_id,
                row.weekday,
                row.start_time,
                row.end_time,
                tuple(parse_modes(row.modes)),
                row.valid_from,
                row.valid_until,
            )
        )

    exceptions: dict[int, list[DateException]] = defaultdict(list)
    for row in conn.execute(
        select(
            AvailabilityException.person_id,
            AvailabilityException.date,
            AvailabilityException.kind,
            AvailabilityException.library_id,
            AvailabilityException.start_time,
            AvailabilityException.end_time,
            AvailabilityException.modes,
        ).where(
            AvailabilityException.person_id.in_(ids),
            AvailabilityException.date >= first_day,
            AvailabilityException.date <= last_day,
        )
    ):
        exceptions[row.person_id].append(
            DateException(
                row.date,
                row.kind,
                row.library_id,
                row.start_time,
                row.end_time,
                tuple(parse_modes(row.modes)),
            )
        )

    busy: dict[int, list[Busy]] = defaultdict(list)
    per_day: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))

    def buffer_of(person_id: int) -> timedelta:
        return (rules.get(person_id) or defaults).buffer

    # Absences block exactly their time.
    for person_id, start, end in conn.execute(
        select(Absence.person_id, Absence.starts_at, Absence.ends_at).where(
            Absence.person_id.in_(ids), Absence.starts_at < hi, Absence.ends_at > lo
        )
    ):
        busy[person_id].append(Busy(start, end))

    # Desk shifts and hosted sessions keep the buffer on both sides (walking, setting up):
    # a new slot carries its own buffer after it, so the range here only adds it after.
    commitments = conn.execute(
        select(PublishedShift.person_id, PublishedShift.starts_at, PublishedShift.ends_at).where(
            PublishedShift.person_id.in_(ids),
            PublishedShift.status == PublishedShiftStatus.CONFIRMED,
            PublishedShift.starts_at < hi,
            PublishedShift.ends_at > lo,
        )
    ).all()
    commitments += conn.execute(
        select(session_hosts.c.person_id, DropInSession.starts_at, DropInSession.ends_at)
        .join(DropInSession, DropInSession.id == session_hosts.c.session_id)
        .where(
            session_hosts.c.person_id.in_(ids),
            DropInSession.status != SessionStatus.CANCELLED,
            DropInSession.starts_at < hi,
            DropInSession.ends_at > lo,
        )
    ).all()
    for person_id, start, end in commitments:
        busy[person_id].append(Busy(start, end + buffer_of(person_id)))

    # Busy times from the librarian's own calendars count like commitments (the buffer
    # after them). A source failing for too long withholds the person's slots if the
    # policy says so.
    withheld: set[int] = set()
    if include_appointments:
        connected = connected_busy(session, ids, lo, hi, now=now, policy=busy_policy)
        withheld = connected.withheld
        for person_id, ranges in connected.busy.items():
            pad = buffer_of(person_id)
            for start, end in ranges:
                busy[person_id].append(Busy(start, end + pad))

    if include_appointments:
        # Appointments keep the librarian busy up to their own buffered end, exactly the
        # range the database constraint compares.
        stmt = select(
            Appointment.librarian_id,
            Appointment.starts_at,
            Appointment.blocked_until,
            Appointment.library_id,
        )
        stmt = stmt.where(
            Appointment.librarian_id.in_(ids),
            Appointment.starts_at < hi,
            Appointment.starts_at > lo - timedelta(days=1),
            Appointment.blocked_until > lo,
            active_appointment(now),
        )
        if exclude_appointment_id is not None:
            stmt = stmt.where(Appointment.id != exclude_appointment_id)
        counted = {pid for pid, r in rules.items() if r.max_per_day is not None}
        default_zone = zone(default_tz)
        for person_id, start, blocked_until, library_id in conn.execute(stmt).all():
            busy[person_id].append(Busy(start, blocked_until))
            if person_id in counted:  # the local date matters only for a daily maximum
                local = start.astimezone(zones.get(library_id, default_zone))
                per_day[person_id][local.date()] += 1

    closed: dict[int, set[date]] = defaultdict(set)
    for library_id, day in conn.execute(
        select(ClosedDate.library_id, ClosedDate.date).where(
            ClosedDate.date >= first_day, ClosedDate.date <= last_day
        )
    ):
        closed[library_id].add(day)

    calendars = {
        person_id: LibrarianAvailability(
            librarian_id=person_id,
            rules=rules.get(person_id, defaults),
            windows=tuple(windows.get(person_id, ())),
            exceptions=tuple(exceptions.get(person_id, ())),
            busy=tuple(busy.get(person_id, ())),
            booked_per_day=dict(per_day.get(person_id, {})),
        )
        for person_id in ids
        if (person_id in windows or person_id in exceptions) and person_id not in withheld
    }
    return Calendars(calendars, zones, {k: frozenset(v) for k, v in closed.items()})


def active_appointment(now: datetime):
    """SQL condition: the appointment holds its time (booked, or pending and not expired)."""
    return or_(
        Appointment.status == AppointmentStatus.BOOKED,
        and_(
            Appointment.status == AppointmentStatus.PENDING,
            Appointment.hold_expires_at > now,
        ),
    )


def find_slots(
    session: Session,
    query: SlotQuery,
    *,
    now: datetime,
    default_tz: str,
    busy_policy: BusyPolicy = DEFAULT_BUSY_POLICY,
) -> list[Slot]:
    """Free slots matching ``query``, sorted by start (then librarian, library)."""
    query.check()
    ids = bookable_librarian_ids(
        session,
        topic_id=query.topic_id,
        librarian_id=query.librarian_id,
        library_id=query.library_id,
    )
    cache = slot_cache.for_session(session)
    # "Stop offering slots when a calendar has failed for N hours" turns on the clock, not
    # on a write; the cache cannot tell when it does, so that setting bypasses it.
    if cache is not None and not busy_policy.stop_when_failing:
        slots = slot_cache.cached_slots(
            session,
            cache,
            ids,
            query.first_day,
            query.last_day,
            now=now,
            default_tz=default_tz,
            busy_policy=busy_policy,
        )
    else:
        calendars = load_calendars(
            session,
            ids,
            query.first_day,
            query.last_day,
            now=now,
            default_tz=default_tz,
            busy_policy=busy_policy,
        )
        slots = calendars.slots(query.first_day, query.last_day, now)
    if query.library_id is not None:
        slots = [s for s in slots if s.library_id == query.library_id]
    if query.mode is not None:
        slots = [s for s in slots if query.mode in s.modes]
    return slots


def slot_at(
    session: Session,
    librarian_id: int,
    start: datetime,
    *,
    now: datetime,
    default_tz: str,
    library_id: int | None = None,
    exclude_appointment_id: int | None = None,
    include_appointments: bool = True,
    busy_policy: BusyPolicy = DEFAULT_BUSY_POLICY,
) -> Slot | None:
    """The free slot of this librarian starting exactly at ``start``, or None."""
    day = start.astimezone(UTC).date()
    # The local date may differ from the UTC date by one either way.
    first, last = day - timedelta(days=1), day + timedelta(days=1)
    calendars = load_calendars(
        session,
        [librarian_id],
        first,
        last,
        now=now,
        default_tz=default_tz,
        exclude_appointment_id=exclude_appointment_id,
        include_appointments=include_appointments,
        busy_policy=busy_policy,
    )
    for slot in calendars.slots(first, last, now):
        if slot.start == start and library_id in (None, slot.library_id):
            return slot
    return None
