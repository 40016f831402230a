"""From iCalendar text to busy times in a window: what blocks the librarian, and how.

Parsing is ``icalendar``'s and recurrence is ``recurring-ical-events``' (RRULE, RDATE,
EXDATE, RECURRENCE-ID overrides, X-WR-TIMEZONE). ``icalendar`` also maps Outlook's
Windows zone names ("W. Europe Standard Time") to IANA zones with the CLDR table it
maintains, and reads a calendar's own VTIMEZONE for names it does not know (Outlook's
"Customized Time Zone"). What is decided here:

- free: STATUS:CANCELLED, TRANSP:TRANSPARENT, Outlook's X-MICROSOFT-CDO-BUSYSTATUS FREE
  or WORKINGELSEWHERE (it wins over TRANSP when present), and events the owner
  declined (their ATTENDEE line says PARTSTAT=DECLINED);
- tentative: STATUS:TENTATIVE, BUSYSTATUS TENTATIVE, or the owner's PARTSTAT TENTATIVE
  or NEEDS-ACTION; everything else is busy;
- floating times and all-day dates are the library's wall time (an all-day event runs
  from local midnight to local midnight, 23 or 25 hours on DST days);
- events without length are ignored; our own appointments, shifts and sessions are
  skipped (:mod:`.own_uids`);
- the result is clipped to the window, and overlapping times of one kind are merged.

A hostile file cannot make this run for ever: a calendar whose rules would take more
than ``max_rule_steps`` steps to expand up to the end of the window (FREQ=SECONDLY
since 1970, or many thousands of daily rules) is refused before expanding, and more
than ``max_events`` occurrences in the window stop the expansion with a clear problem.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar, Component

from scheduler.calendars.sources.own_uids import OwnUids
from scheduler.calendars.sources.problems import SourceProblem
from scheduler.models.calendar_source import BusyKind

# Seconds per step of each RRULE frequency (months and years on the long side).
_FREQ_SECONDS = {
    "SECONDLY": 1,
    "MINUTELY": 60,
    "HOURLY": 3600,
    "DAILY": 86400,
    "WEEKLY": 7 * 86400,
    "MONTHLY": 28 * 86400,
    "YEARLY": 365 * 86400,
}
# BY parts that multiply the candidates per step when finer than the frequency.
_EXPANDING = ("BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO")
_FREE_STATUSES = frozenset({"FREE", "WORKINGELSEWHERE"})


@dataclass(frozen=True)
class BusyTime:
    """One busy (or tentative) range, in UTC."""

    start: datetime
    end: datetime
    kind: BusyKind = BusyKind.BUSY


@dataclass(frozen=True)
class ExpandOptions:
    """What to read: the window, the library's zone, who the owner is, the limits."""

    window_start: datetime
    window_end: datetime
    zone: ZoneInfo
    own_uids: OwnUids = field(default_factory=lambda: OwnUids(None))
    owner_emails: frozenset[str] = frozenset()
    max_events: int = 10_000
    max_rule_steps: int = 2_000_000


@dataclass(frozen=True)
class Expansion:
    """Busy times found (merged per kind, sorted) and what was counted on the way."""

    busy: tuple[BusyTime, ...]
    events: int  # busy or tentative occurrences in the window, before merging
    skipped_own: int = 0
    skipped_free: int = 0
    occurrences: tuple[BusyTime, ...] = ()  # the same, one per event, sorted by start


def parse_calendars(data: bytes) -> list[Calendar]:
    """Parse one or more VCALENDARs; SourceProblem if it is not iCalendar at all."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<")):
        raise SourceProblem("not_calendar")
    if not head.startswith(b"begin:vcalendar"):
        raise SourceProblem("malformed", detail="it does not start with BEGIN:VCALENDAR")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            calendars = Calendar.from_ical(data, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise SourceProblem("malformed", detail=_first_line(exc)) from None
    if not calendars:
        raise SourceProblem("malformed", detail="no VCALENDAR")
    return list(calendars)


def expand(calendars: Iterable[Calendar], options: ExpandOptions) -> Expansion:
    """Busy times of these calendars inside the window (see the module's rules)."""
    found: list[BusyTime] = []
    counted = own = free = 0
    for calendar in calendars:
        _check_rules(calendar, options)
        for event in _occurrences(calendar, options):
            uid = str(event.get("UID", ""))
            if uid and uid in options.own_uids:
                own += 1
                continue
            kind = busy_kind(event, options.owner_emails)
            if kind is None:
                free += 1
                continue
            span = _span(event, options.zone)
            if span is None:
                continue
            start = max(span[0], options.window_start)
            end = min(span[1], options.window_end)
            if end <= start:
                continue
            counted += 1
            if counted > options.max_events:
                raise SourceProblem("too_many", limit=options.max_events)
            found.append(BusyTime(start, end, kind))
    found.sort(key=lambda t: (t.start, t.end))
    return Expansion(tuple(merge(found)), counted, own, free, tuple(found))


def busy_kind(event: Component, owner_emails: frozenset[str]) -> BusyKind | None:
    """BUSY, TENTATIVE, or None when the event leaves the owner free."""
    status = str(event.get("STATUS", "")).upper()
    if status == "CANCELLED":
        return None
    tentative = status == "TENTATIVE"
    ms_status = str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper()
    if ms_status:
        if ms_status in _FREE_STATUSES:
            return None
        tentative = tentative or ms_status == "TENTATIVE"
    elif str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return None
    if owner_emails:
        partstat = _owner_partstat(event, owner_emails)
        if partstat == "DECLINED":
            return None
        tentative = tentative or partstat in ("TENTATIVE", "NEEDS-ACTION")
    return BusyKind.TENTATIVE if tentative else BusyKind.BUSY


def merge(times: Iterable[BusyTime]) -> list[BusyTime]:
    """Overlapping or touching ranges of the same kind as one; sorted by start."""
    out: list[BusyTime] = []
    for kind in (BusyKind.BUSY, BusyKind.TENTATIVE):
        current: BusyTime | None = None
        for t in sorted((t for t in times if t.kind == kind), key=lambda t: t.start):
            if current is not None and t.start <= current.end:
                if t.end > current.end:
                    current = BusyTime(current.start, t.end, kind)
                continue
            if current is not None:
                out.append(current)
            current = t
        if current is not None:
            out.append(current)
    out.sort(key=lambda t: (t.start, t.end))
    return out


def _occurrences(calendar: Calendar, options: ExpandOptions) -> Iterator[Component]:
    try:
        with warnings.catch_warnings():
            # icalendar warns about guessed zone ids and the like; a feed is what it is.
            warnings.simplefilter("ignore")
            query = recurring_ical_events.of(calendar, skip_bad_series=True)
            # ``between`` is lazy enough here: the rules were bounded by _check_rules.
            yield from query.between(
                options.window_start - timedelta(days=1), options.window_end + timedelta(days=1)
            )
    except SourceProblem:
        raise
    except Exception as exc:  # the libraries raise many kinds on broken input
        raise SourceProblem("malformed", detail=_first_line(exc)) from None


def _check_rules(calendar: Calendar, options: ExpandOptions) -> None:
    """Refuse a calendar whose rules would take too many steps to expand to the window's
    end, counted over all its rules (a thousand modest rules cost as much as one wild)."""
    total = 0.0
    for event in calendar.walk("VEVENT"):
        rules = event.get("RRULE")
        if rules is None:
            continue
        for rule in rules if isinstance(rules, list) else [rules]:
            freq = str((rule.get("FREQ") or [""])[0]).upper()
            if freq not in _FREQ_SECONDS:
                raise SourceProblem("malformed", detail=f"unknown FREQ {freq or '(none)'}")
            start = _as_utc(event.get("DTSTART"), options.zone)
            if start is None:
                continue
            end = options.window_end
            until = rule.get("UNTIL")
            if until:
                until_utc = _value_as_utc(until[0], options.zone)
                if until_utc is not None:
                    end = min(end, until_utc)
            interval = max(1, int((rule.get("INTERVAL") or [1])[0]))
            seconds = max(0.0, (end - start).total_seconds())
            steps = seconds / (_FREQ_SECONDS[freq] * interval)
            per_step = math.prod(len(rule.get(part) or [None]) for part in _EXPANDING)
            total += steps * per_step
            if total > options.max_rule_steps:
                raise SourceProblem("repeats_too_often", detail=f"FREQ={freq}")


def _span(event: Component, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    start_prop = event.get("DTSTART")
    if start_prop is None:
        return None
    start = _value_as_utc(start_prop.dt, zone)
    end_prop = event.get("DTEND")
    if end_prop is not None:
        end = _value_as_utc(end_prop.dt, zone)
    elif event.get("DURATION") is not None:
        duration = event["DURATION"].dt
        end = None if start is None else _value_as_utc(start_prop.dt, zone, plus=duration)
    elif isinstance(start_prop.dt, date) and not isinstance(start_prop.dt, datetime):
        end = _value_as_utc(start_prop.dt + timedelta(days=1), zone)
    else:
        end = start
    if start is None or end is None or end <= start:
        return None
    return start, end


def _as_utc(prop: object, zone: ZoneInfo) -> datetime | None:
    value = getattr(prop, "dt", None)
    return None if value is None else _value_as_utc(value, zone)


def _value_as_utc(value: object, zone: ZoneInfo, plus: timedelta | None = None) -> datetime | None:
    """A DATE or DATE-TIME as a UTC instant; dates and floating times in ``zone``.

    ``plus`` is added in wall time (a one-day DURATION across a DST change stays a day).
    """
    if isinstance(value, datetime):
        local = value if value.tzinfo is not None else value.replace(tzinfo=zone)
    elif isinstance(value, date):
        local = datetime.combine(value, time(0), zone)
    else:
        return None
    if plus is not None:
        local = local + plus
    try:
        return local.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _owner_partstat(event: Component, owner_emails: frozenset[str]) -> str | None:
    attendees = event.get("ATTENDEE")
    if attendees is None:
        return None
    for attendee in attendees if isinstance(attendees, list) else [attendees]:
        address = str(attendee).lower().removeprefix("mailto:")
        if address in owner_emails:
            params = getattr(attendee, "params", {})
            return str(params.get("PARTSTAT", "NEEDS-ACTION")).upper()
    return None
