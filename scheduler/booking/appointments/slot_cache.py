"""Free slots per librarian and day, kept in memory, trusted only while still current.

A topic's free times over four weeks mean reading everything that decides 30 librarians'
calendars and computing ~1,200 slots: ~25 ms, most of a core at exam-week rates. Between
two searches almost nothing changes, so each process keeps the computed slots of every
(librarian, local day) it has seen.

Exactness comes from the database, not from messages between processes: every write
that changes when a librarian can be booked bumps that librarian's row in
``availability_versions`` *in the same transaction* (an ORM flush event and, for bulk
statements, an execute event, so no use case has to remember). A search reads the
versions of its librarians (one indexed query) and uses an entry only if it was
computed at the current version, so a write committed by any process on any host is
seen by the next search everywhere. Writes that change everyone's calendar (closed
dates, a library's time zone) bump the row ``EVERYONE``.

What depends on the clock is applied when answering, not cached: the minimum notice,
the horizon, and pending bookings whose hold runs out (an entry that counted a hold as
busy expires when the hold does). Booking itself never uses the cache: it checks the
database under the librarian's lock, and the database's constraint has the last word.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, func, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from scheduler.booking.appointments.availability import Slot, free_slots
from scheduler.calendars.sources.busy_query import BusyPolicy
from scheduler.models import (
    Absence,
    Appointment,
    AppointmentStatus,
    AvailabilityException,
    AvailabilityRule,
    BookingSettings,
    BusyInterval,
    CalendarSource,
    ClosedDate,
    DropInSession,
    Library,
    PublishedShift,
)
from scheduler.models.dropin import session_hosts
from scheduler.models.slot_versions import EVERYONE, AvailabilityVersion

DEFAULT_ENTRIES = 50_000

# Per model: the attribute naming the librarian, and the attributes whose change matters
# (None: any change).
_OWNED: dict[type, tuple[str, tuple[str, ...] | None]] = {
    Appointment: (
        "librarian_id",
        (
            "librarian_id",
            "library_id",
            "starts_at",
            "ends_at",
            "blocked_until",
            "status",
            "hold_expires_at",
        ),
    ),
    PublishedShift: ("person_id", ("person_id", "starts_at", "ends_at", "status")),
    Absence: ("person_id", None),
    AvailabilityRule: ("person_id", None),
    AvailabilityException: ("person_id", None),
    BookingSettings: ("person_id", None),
    # Busy times read from a librarian's own calendars (connected calendars). A sync
    # replaces them with bulk statements that name their owner (OWNERS_OPTION); a removed
    # source takes its busy times with it (ON DELETE CASCADE), so its own row counts.
    BusyInterval: ("person_id", None),
    CalendarSource: ("person_id", ("person_id",)),
}
# Models whose change can move anyone's slots.
_EVERYONE: dict[type, tuple[str, ...] | None] = {ClosedDate: None, Library: ("timezone",)}
_SESSION_ATTRS = ("starts_at", "ends_at", "status", "hosts")
_TABLES = {m.__table__.name: m for m in (*_OWNED, *_EVERYONE, DropInSession)}


# Versions ----------------------------------------------------------------------------


def _changed(obj: Any, attrs: tuple[str, ...] | None) -> bool:
    state = inspect(obj)
    names = attrs or tuple(state.mapper.attrs.keys())
    return any(state.attrs[name].history.has_changes() for name in names)


def _values(obj: Any, attr: str) -> set[int]:
    """The attribute's value now and before this flush (a moved row frees its old owner)."""
    history = inspect(obj).attrs[attr].history
    found = {v for v in (*history.added, *history.unchanged, *history.deleted) if v is not None}
    current = getattr(obj, attr, None)
    if current is not None:
        found.add(current)
    return {int(v) for v in found}


def _hosts(item: DropInSession) -> set[int]:
    history = inspect(item).attrs["hosts"].history
    people = [*history.added, *history.unchanged, *history.deleted]
    if not people and "hosts" in inspect(item).dict:
        people = list(item.hosts)
    return {p.id for p in people if p is not None and p.id is not None}


def _touched(session: Session) -> set[int]:
    """Librarians (or EVERYONE) whose slots this flush changes."""
    ids: set[int] = set()
    sessions: set[int] = set()  # drop-in sessions whose hosts are to be looked up
    deleted = set(session.deleted)
    for obj in (*session.new, *session.deleted, *session.dirty):
        kind = type(obj)
        whole = obj in session.new or obj in deleted
        if kind in _OWNED:
            attr, watched = _OWNED[kind]
            if whole or _changed(obj, watched):
                ids |= _values(obj, attr)
        elif kind in _EVERYONE:
            if whole or _changed(obj, _EVERYONE[kind]):
                ids.add(EVERYONE)
        elif kind is DropInSession and (whole or _changed(obj, _SESSION_ATTRS)):
            hosts = _hosts(obj)
            ids |= hosts
            if obj in deleted and not hosts:
                ids.add(EVERYONE)  # its host rows are gone with it: who, cannot be told
            elif obj.id is not None:
                sessions.add(obj.id)
    if sessions:
        ids |= set(
            session.connection().scalars(
                select(session_hosts.c.person_id).where(session_hosts.c.session_id.in_(sessions))
            )
        )
    return ids


def bump(connection: Connection, ids: Iterable[int]) -> None:
    """Move these librarians' versions on (sorted: two writers never lock in turn)."""
    rows = [{"librarian_id": i, "version": 1} for i in sorted(set(ids))]
    if not rows:
        return
    table = AvailabilityVersion.__table__
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).values(rows)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.librarian_id], set_={"version": table.c.version + 1}
        )
    )


def _after_flush(session: Session, _context: Any) -> None:
    ids = _touched(session)
    if ids:
        bump(session.connection(), ids)


def _bulk_owners(state: Any, model: type) -> set[int] | None:
    """Librarians named in a bulk INSERT's rows; None when they cannot be told."""
    attr = _OWNED.get(model, (None, None))[0]
    params = state.parameters
    rows = params if isinstance(params, list) else [params] if params else []
    if not attr or not rows or not all(isinstance(r, dict) and r.get(attr) for r in rows):
        return None
    return {int(r[attr]) for r in rows}


def _bulk_columns(statement: Any) -> set[str] | None:
    values = getattr(statement, "_values", None)
    if not values:
        return None
    return {getattr(k, "key", None) or getattr(k, "name", None) or str(k) for k in values}


# A bulk statement may name the librarians it touches in this execution option, so that
# only theirs move on rather than everyone's (e.g. a calendar sync replacing busy times).
OWNERS_OPTION = "availability_owners"


def _on_execute(state: Any) -> None:
    """Bulk ORM statements (``session.execute(update(Appointment)...)``) skip the flush."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    named = state.execution_options.get(OWNERS_OPTION)
    if named is not None:
        bump(state.session.connection(), named)
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    model = _TABLES.get(table or "")
    if model is None:
        return
    if state.is_update:
        columns = _bulk_columns(state.statement)
        watched = _OWNED.get(model, (None, None))[1] or _EVERYONE.get(model)
        if model is DropInSession:
            watched = ("starts_at", "ends_at", "status")
        if columns is not None and watched is not None and not columns & set(watched):
            return  # e.g. reminder_sent_at, purged patron details: no slot moves
    owners = _bulk_owners(state, model) if state.is_insert else None
    bump(state.session.connection(), owners or {EVERYONE})


def install(session_factory: Any) -> None:
    """Listen on the app's session (once, however many apps are created)."""
    if not event.contains(session_factory, "after_flush", _after_flush):
        event.listen(session_factory, "after_flush", _after_flush)
        event.listen(session_factory, "do_orm_execute", _on_execute)


# The cache ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    # (the librarian's version, everyone's, the busy-time policy) when computed: a policy
    # is a setting, but one process may answer with two (a test, a settings reload).
    versions: tuple[int, int, BusyPolicy]
    computed_at: datetime
    expires: datetime | None  # a pending hold counted as busy runs out then
    notice: timedelta
    horizon_days: int
    slots: tuple[Slot, ...]


class SlotCache:
    """(librarian, local day) -> entry; least recently used out beyond ``max_entries``."""

    def __init__(self, max_entries: int = DEFAULT_ENTRIES) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[tuple[int, date], _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple[int, date]) -> _Entry | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put_many(self, items: dict[tuple[int, date], _Entry]) -> None:
        with self._lock:
            self._items.update(items)
            for key in items:
                self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)


_caches: weakref.WeakKeyDictionary[Engine, SlotCache] = weakref.WeakKeyDictionary()


def enable(engine: Engine, max_entries: int = DEFAULT_ENTRIES) -> SlotCache:
    cache = _caches.get(engine)
    if cache is None:
        cache = _caches[engine] = SlotCache(max_entries)
    return cache


def for_session(session: Session) -> SlotCache | None:
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    return _caches.get(engine)


def _daterange(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def cached_slots(
    session: Session,
    cache: SlotCache,
    librarian_ids: list[int],
    first_day: date,
    last_day: date,
    *,
    now: datetime,
    default_tz: str,
    busy_policy: BusyPolicy,
) -> list[Slot]:
    """What ``load_calendars(...).slots(first_day, last_day, now)`` answers, from the
    cache where it is current and computed (and kept) where not."""
    session.flush()
    conn = session.connection()
    ids = sorted(set(librarian_ids))
    if not ids:
        return []
    versions = dict(
        conn.execute(
            select(AvailabilityVersion.librarian_id, AvailabilityVersion.version).where(
                AvailabilityVersion.librarian_id.in_([*ids, EVERYONE])
            )
        ).all()
    )
    everyone = int(versions.get(EVERYONE, 0))
    days = _daterange(first_day, last_day)
    found: dict[tuple[int, date], _Entry] = {}
    missing: dict[int, list[date]] = defaultdict(list)
    for lid in ids:
        want = (int(versions.get(lid, 0)), everyone, busy_policy)
        for day in days:
            entry = cache.get((lid, day))
            if (
                entry is not None
                and entry.versions == want
                and entry.computed_at <= now
                and (entry.expires is None or entry.expires > now)
            ):
                found[(lid, day)] = entry
            else:
                missing[lid].append(day)
    cache.hits += len(found)
    cache.misses += sum(len(v) for v in missing.values())
    zones = {
        lib: ZoneInfo(tz or default_tz)
        for lib, tz in conn.execute(select(Library.id, Library.timezone))
    }
    if missing:
        found.update(
            _compute(
                session, cache, missing, versions, everyone, now, default_tz, zones, busy_policy
            )
        )
    out: list[Slot] = []
    default_zone = ZoneInfo(default_tz)
    for lid in ids:
        for day in days:
            entry = found[(lid, day)]
            if not entry.slots:
                continue
            earliest = now + entry.notice
            for slot in entry.slots:
                tz = zones.get(slot.library_id, default_zone)
                last_open = now.astimezone(tz).date() + timedelta(days=entry.horizon_days)
                if slot.start >= earliest and day <= last_open:
                    out.append(slot)
    out.sort(key=lambda s: (s.start, s.librarian_id, s.library_id))
    return out


def _compute(
    session: Session,
    cache: SlotCache,
    missing: dict[int, list[date]],
    versions: dict[int, int],
    everyone: int,
    now: datetime,
    default_tz: str,
    zones: dict[int, ZoneInfo],
    busy_policy: BusyPolicy,
) -> dict[tuple[int, date], _Entry]:
    from scheduler.booking.appointments.slots import load_calendars

    first = min(min(d) for d in missing.values())
    last = max(max(d) for d in missing.values())
    calendars = load_calendars(
        session,
        list(missing),
        first,
        last,
        now=now,
        default_tz=default_tz,
        busy_policy=busy_policy,
    )
    holds = dict(
        session.connection()
        .execute(
            select(Appointment.librarian_id, func.min(Appointment.hold_expires_at))
            .where(
                Appointment.librarian_id.in_(list(missing)),
                Appointment.status == AppointmentStatus.PENDING,
                Appointment.hold_expires_at > now,
            )
            .group_by(Appointment.librarian_id)
        )
        .all()
    )
    made: dict[tuple[int, date], _Entry] = {}
    default_zone = ZoneInfo(default_tz)
    for lid, wanted_days in missing.items():
        availability = calendars.librarians.get(lid)
        by_day: dict[date, list[Slot]] = defaultdict(list)
        notice, horizon = timedelta(0), 0
        if availability is not None:
            notice, horizon = availability.rules.notice, availability.rules.horizon_days
            for slot in free_slots(
                availability,
                first_day=min(wanted_days),
                last_day=max(wanted_days),
                now=None,
                zones=calendars.zones,
                closed=calendars.closed,
            ):
                tz = zones.get(slot.library_id, default_zone)
                by_day[slot.start.astimezone(tz).date()].append(slot)
        want = (int(versions.get(lid, 0)), everyone, busy_policy)
        for day in _daterange(min(wanted_days), max(wanted_days)):
            made[(lid, day)] = _Entry(
                versions=want,
                computed_at=now,
                expires=holds.get(lid),
                notice=notice,
                horizon_days=horizon,
                slots=tuple(by_day.get(day, ())),
            )
    cache.put_many(made)
    return made
