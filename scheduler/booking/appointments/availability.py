"""Free appointment slots from a librarian's windows and commitments: pure functions.

Nothing here touches the database. :mod:`scheduler.booking.appointments.slots` loads plain values
(weekly windows, one-off exceptions, closed dates, busy ranges, appointments per day)
and calls :func:`free_slots`, which is the only place that decides what is bookable.

Rules, in order:

- weekly windows (local wall time, per library and modes), limited by their validity;
- one-off exceptions: EXTRA adds a window on a date; BLOCKED removes the whole day or the
  given hours (for one library, or all when the exception names none);
- library closed dates remove that library's windows on that date;
- slots run from each window's start in steps of slot length plus buffer, and must end
  inside the window;
- a slot keeps the librarian busy for its length plus the buffer, and that range must not
  meet any busy range (appointments up to their own buffered end, as the database
  constraint compares them; desk shifts and hosted sessions with the buffer after them
  too; absences as they are), so there is a break before and after every commitment;
- not before ``now`` plus the minimum notice, not after today plus the horizon in days;
- no slots on a day that already has the daily maximum of appointments.

Windows are turned into instants per date with ``zoneinfo``, so 09:00 stays 09:00 on
both sides of a DST change, and steps are in real minutes, so a window that spans the
change yields exactly the appointments that fit in the real time available.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from scheduler.models.availability import ExceptionKind, Mode
from scheduler.timeutil import daterange


@dataclass(frozen=True)
class BookingRules:
    """A librarian's settings (defaults as in the issue: 45 min, 24 h notice, 8 weeks)."""

    slot_minutes: int = 45
    buffer_minutes: int = 0
    min_notice_minutes: int = 24 * 60
    horizon_days: int = 8 * 7
    max_per_day: int | None = None

    @property
    def slot(self) -> timedelta:
        return timedelta(minutes=self.slot_minutes)

    @property
    def buffer(self) -> timedelta:
        return timedelta(minutes=self.buffer_minutes)

    @property
    def notice(self) -> timedelta:
        return timedelta(minutes=self.min_notice_minutes)


@dataclass(frozen=True)
class WeeklyWindow:
    """A recurring window on one weekday (0 = Monday), in the library's wall time."""

    library_id: int
    weekday: int
    start: time
    end: time
    modes: tuple[Mode, ...]
    valid_from: date | None = None
    valid_until: date | None = None

    def applies_on(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday
            and (self.valid_from is None or day >= self.valid_from)
            and (self.valid_until is None or day <= self.valid_until)
        )


@dataclass(frozen=True)
class DateException:
    """A one-off change on one local date (see :class:`ExceptionKind`)."""

    day: date
    kind: ExceptionKind
    library_id: int | None = None
    start: time | None = None
    end: time | None = None
    modes: tuple[Mode, ...] = (Mode.IN_PERSON,)


@dataclass(frozen=True)
class Busy:
    """A range in which the librarian cannot take a new appointment (buffers included)."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Slot:
    """A bookable time: one librarian, one library, the modes offered."""

    librarian_id: int
    library_id: int
    start: datetime
    end: datetime
    modes: tuple[Mode, ...]


@dataclass(frozen=True)
class LibrarianAvailability:
    """Everything that decides one librarian's free slots over a range of dates."""

    librarian_id: int
    rules: BookingRules
    windows: tuple[WeeklyWindow, ...]
    exceptions: tuple[DateException, ...] = ()
    busy: tuple[Busy, ...] = ()
    # Active appointments per local date, for the daily maximum.
    booked_per_day: Mapping[date, int] | None = None


class _Piece(NamedTuple):
    """Part of a window on one date (a tuple: there are many of them)."""

    library_id: int
    start: time
    end: time
    modes: tuple[Mode, ...]


class _Windows:
    """A librarian's windows and exceptions, indexed by weekday and date once per search."""

    def __init__(self, availability: LibrarianAvailability) -> None:
        self.by_weekday: dict[int, list[WeeklyWindow]] = defaultdict(list)
        for w in availability.windows:
            self.by_weekday[w.weekday].append(w)
        self.exceptions: dict[date, list[DateException]] = defaultdict(list)
        for e in availability.exceptions:
            self.exceptions[e.day].append(e)

    def on(self, day: date, closed: Mapping[int, frozenset[date]]) -> list[_Piece]:
        """The windows open on ``day`` after exceptions and closed dates (local times)."""
        pieces = [
            _Piece(w.library_id, w.start, w.end, w.modes)
            for w in self.by_weekday.get(day.weekday(), ())
            if w.applies_on(day)
        ]
        todays = self.exceptions.get(day, ())
        for exc in todays:
            if (
                exc.kind == ExceptionKind.EXTRA
                and exc.library_id is not None
                and exc.start
                and exc.end
            ):
                pieces.append(_Piece(exc.library_id, exc.start, exc.end, exc.modes))
        for exc in todays:
            if exc.kind != ExceptionKind.BLOCKED:
                continue
            pieces = [
                rest
                for piece in pieces
                for rest in (
                    _subtract(piece, exc.start, exc.end)
                    if exc.library_id in (None, piece.library_id)
                    else [piece]
                )
            ]
        if closed:
            pieces = [p for p in pieces if day not in closed.get(p.library_id, ())]
        return pieces


def _subtract(piece: _Piece, start: time | None, end: time | None) -> list[_Piece]:
    """What is left of ``piece`` outside [start, end); a missing time means the whole day."""
    if start is None or end is None:
        return []
    if end <= piece.start or start >= piece.end:
        return [piece]
    out = []
    if start > piece.start:
        out.append(_Piece(piece.library_id, piece.start, start, piece.modes))
    if end < piece.end:
        out.append(_Piece(piece.library_id, end, piece.end, piece.modes))
    return out


class _BusyIndex:
    """Answers "does [start, end) meet any busy range?" in O(log n)."""

    def __init__(self, busy: Iterable[Busy]) -> None:
        ranges = sorted((b.start, b.end) for b in busy)
        self.starts = [s for s, _ in ranges]
        self.max_end: list[datetime] = []
        for _, end in ranges:
            self.max_end.append(max(end, self.max_end[-1]) if self.max_end else end)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        # Ranges that start before ``end``; one of them meets us if it ends after ``start``.
        i = bisect.bisect_left(self.starts, end)
        return i > 0 and self.max_end[i - 1] > start


def free_slots(
    availability: LibrarianAvailability,
    *,
    first_day: date,
    last_day: date,
    now: datetime,
    zones: Mapping[int, ZoneInfo],
    closed: Mapping[int, frozenset[date]] | None = None,
) -> list[Slot]:
    """Free slots on the local dates ``first_day``..``last_day`` (inclusive), by start.

    ``zones`` maps each library id to its time zone; windows at libraries missing from
    it are skipped. Slots at the same start and library from overlapping windows are
    merged into one with the union of their modes.
    """
    rules = availability.rules
    closed = closed or {}
    busy = _BusyIndex(availability.busy)
    per_day = availability.booked_per_day or {}
    slot_length = rules.slot
    step = slot_length + rules.buffer
    earliest = now + rules.notice
    horizon = timedelta(days=rules.horizon_days)
    last_open: dict[ZoneInfo, date] = {}  # per zone: the last date bookings are open
    merged: dict[tuple[datetime, int], Slot] = {}
    librarian_id = availability.librarian_id
    windows = _Windows(availability)
    for day in daterange(first_day, last_day + timedelta(days=1)):
        if rules.max_per_day is not None and per_day.get(day, 0) >= rules.max_per_day:
            continue
        for piece in windows.on(day, closed):
            tz = zones.get(piece.library_id)
            if tz is None:
                continue
            if tz not in last_open:
                last_open[tz] = now.astimezone(tz).date() + horizon
            if day > last_open[tz]:
                continue
            start = _instant(day, piece.start, tz)
            window_end = _instant(day, piece.end, tz)
            while start + slot_length <= window_end:
                if start >= earliest and not busy.overlaps(start, start + step):
                    key = (start, piece.library_id)
                    found = merged.get(key)
                    modes = piece.modes if found is None else _union(found.modes, piece.modes)
                    merged[key] = Slot(
                        librarian_id, piece.library_id, start, start + slot_length, modes
                    )
                start += step
    return sorted(merged.values(), key=lambda s: (s.start, s.library_id))


def _instant(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """What :func:`scheduler.timeutil.local_to_utc` does, inlined: it runs per window and
    day of every librarian in a search."""
    return datetime(
        day.year, day.month, day.day, clock.hour, clock.minute, clock.second, tzinfo=tz
    ).astimezone(UTC)


def _union(a: tuple[Mode, ...], b: tuple[Mode, ...]) -> tuple[Mode, ...]:
    order = list(Mode)
    return tuple(sorted(set(a) | set(b), key=order.index))
