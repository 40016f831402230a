"""Compact, correct VTIMEZONE components for the zones and dates a calendar uses.

icalendar's own ``Timezone.from_tzid`` lists every transition from 1970 to 2038 as
RDATEs (about 3 KB per zone, "only works until 2038") and writes a DAYLIGHT onset in
the wall time *after* the jump, an hour late for RFC 5545, which reads DTSTART in the
TZOFFSETFROM offset. Here the transitions around the calendar's date range are read
from the tz database, summarised as yearly RRULEs where a rule fits ("last Sunday of
March at 02:00"), and the result is checked against the tz database before use: if
the summary does not reproduce every transition, the observances list them as RDATEs
instead. Clients that extend an open RRULE past the range get the zone's current rule,
which is what the tz database itself assumes for the future.
"""

from __future__ import annotations

import calendar as _calendar
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

UTC_NAMES = frozenset(
    {"UTC", "ETC/UTC", "Z", "ZULU", "ETC/ZULU", "UNIVERSAL", "ETC/UNIVERSAL", "UCT", "ETC/UCT"}
)
_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Transitions closer together than this do not occur in the tz database.
_PROBE_STEP = timedelta(hours=12)


def is_utc(tzid: str) -> bool:
    """Zones written as UTC ("...Z") need no VTIMEZONE at all."""
    return tzid.upper() in UTC_NAMES


@dataclass(frozen=True)
class Transition:
    """One change of a zone's UTC offset, at a UTC instant."""

    at: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_dst: bool

    @property
    def local_onset(self) -> datetime:
        """The wall time at which it happens, read in the old offset (RFC 5545 DTSTART)."""
        return (self.at + self.offset_from).replace(tzinfo=None)


@dataclass(frozen=True)
class Observance:
    """A STANDARD or DAYLIGHT part of a VTIMEZONE, before it becomes an icalendar component."""

    is_dst: bool
    name: str
    offset_from: timedelta
    offset_to: timedelta
    start: datetime  # naive local onset, in offset_from
    rule: tuple[int, int, int] | None = None  # (month, week: 1..4 or -1 for last, weekday)
    rdates: tuple[datetime, ...] = ()  # further naive local onsets

    def onsets(self, end: datetime) -> list[datetime]:
        """UTC instants at which this observance begins, up to ``end`` (UTC)."""
        local = [self.start, *self.rdates]
        if self.rule is not None:
            month, week, weekday = self.rule
            year = self.start.year + 1
            while True:
                day = nth_weekday(year, month, week, weekday)
                onset = datetime.combine(day, self.start.time())
                instant = (onset - self.offset_from).replace(tzinfo=UTC)
                if instant > end:
                    break
                local.append(onset)
                year += 1
        return sorted((d - self.offset_from).replace(tzinfo=UTC) for d in local)


def nth_weekday(year: int, month: int, week: int, weekday: int) -> date:
    """The ``week``-th ``weekday`` (0 = Monday) of the month; ``week == -1`` is the last."""
    days = _calendar.monthrange(year, month)[1]
    if week == -1:
        last = date(year, month, days)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1))


def _state(tz: ZoneInfo, instant: datetime) -> tuple[timedelta, timedelta, str]:
    local = instant.astimezone(tz)
    return local.utcoffset() or timedelta(0), local.dst() or timedelta(0), local.tzname() or ""


def transitions(tz: ZoneInfo, start: datetime, end: datetime) -> list[Transition]:
    """Every change of offset or abbreviation of ``tz`` between two UTC instants."""

    def key(instant: datetime) -> tuple[timedelta, str]:
        offset, _dst, name = _state(tz, instant)
        return offset, name

    found: list[Transition] = []
    t = start
    while t < end:
        nxt = min(t + _PROBE_STEP, end)
        if key(nxt) != key(t):
            lo, hi = t, nxt  # key(lo) is the old state, key(hi) the new: bisect to the second
            while hi - lo > timedelta(seconds=1):
                mid = (lo + (hi - lo) / 2).replace(microsecond=0)
                if key(mid) == key(lo):
                    lo = mid
                else:
                    hi = mid
            offset, _dst, name = _state(tz, hi)
            # A jump forward starts daylight time. (Reading dst() instead would call
            # Irish winter time "daylight": the tz database models it as negative DST.)
            found.append(Transition(hi, key(lo)[0], offset, name, offset > key(lo)[0]))
        t = nxt
    return found


def _rule_for(group: list[Transition]) -> tuple[int, int, int] | None:
    """A yearly (month, week, weekday) rule matching every transition of ``group``."""
    if len(group) < 2:
        return None
    onsets = [t.local_onset for t in group]
    first = onsets[0]
    years = [d.year for d in onsets]
    if years != list(range(years[0], years[0] + len(years))):
        return None
    shape = (first.month, first.weekday(), first.time())
    if any((d.month, d.weekday(), d.time()) != shape for d in onsets):
        return None
    for week in (-1, (first.day - 1) // 7 + 1):
        if week <= 4 and all(
            nth_weekday(d.year, d.month, week, d.weekday()) == d.date() for d in onsets
        ):
            return first.month, week, first.weekday()
    return None


def _grouped(found: list[Transition]) -> list[list[Transition]]:
    groups: dict[tuple, list[Transition]] = defaultdict(list)
    for t in found:
        groups[(t.is_dst, t.name, t.offset_from, t.offset_to)].append(t)
    return list(groups.values())


def _as_rule(group: list[Transition], hi: datetime) -> Observance | None:
    """An open-ended yearly RRULE, if ``group`` follows one up to the end of the window.

    A rule that stopped inside the window is listed as RDATEs instead of being given an
    UNTIL: clients disagree about UNTIL in VTIMEZONE, and the list is short.
    """
    rule = _rule_for(group)
    if rule is None:
        return None
    month, week, weekday = rule
    head = group[0]
    start = head.local_onset
    following = datetime.combine(
        nth_weekday(group[-1].at.year + 1, month, week, weekday), start.time()
    )
    if (following - head.offset_from).replace(tzinfo=UTC) <= hi:
        return None
    return Observance(head.is_dst, head.name, head.offset_from, head.offset_to, start, rule)


def _as_rdates(group: list[Transition]) -> Observance:
    head = group[0]
    onsets = [t.local_onset for t in group]
    return Observance(
        head.is_dst,
        head.name,
        head.offset_from,
        head.offset_to,
        onsets[0],
        rdates=tuple(onsets[1:]),
    )


def observances(tzid: str, first: datetime, last: datetime) -> list[Observance]:
    """Observances that reproduce ``tzid`` from ``first`` to ``last`` (UTC instants).

    The window starts a year before ``first`` so that each observance's first onset
    lies before the calendar's first event, as RFC 5545 requires; where nothing changed
    in that year, one fixed observance covers the start.
    """
    tz = ZoneInfo(tzid)
    lo = first - timedelta(days=366)
    hi = last + timedelta(days=366)
    found = transitions(tz, lo, hi)
    base: list[Observance] = []
    if not found or found[0].at > first:
        offset, dst, name = _state(tz, lo)
        start = (lo + offset).replace(tzinfo=None, microsecond=0)
        base.append(Observance(dst > timedelta(0), name, offset, offset, start))
    groups = _grouped(found)
    compact = [_as_rule(g, hi) or _as_rdates(g) for g in groups]
    if _reproduces(compact, found, hi):
        return base + compact
    return base + [_as_rdates(g) for g in groups]


def _reproduces(items: list[Observance], found: list[Transition], hi: datetime) -> bool:
    """True if the observances begin exactly where the tz database changes, no more."""
    produced = sorted((at, o.offset_to, o.name) for o in items for at in o.onsets(hi))
    expected = [(t.at, t.offset_to, t.name) for t in found]
    return produced == expected


def _component(tzid: str, items: Iterable[Observance]) -> Timezone:
    tz = Timezone()
    tz.add("tzid", tzid)
    for o in sorted(items, key=lambda o: o.start):
        sub = TimezoneDaylight() if o.is_dst else TimezoneStandard()
        sub.add("dtstart", o.start)
        if o.rule is not None:
            month, week, weekday = o.rule
            recur = {"freq": "yearly", "bymonth": month, "byday": f"{week}{_DAY_CODES[weekday]}"}
            sub.add("rrule", vRecur(recur))
        for rdate in o.rdates:
            sub.add("rdate", rdate)
        sub.add("tzname", o.name)
        sub.add("tzoffsetfrom", o.offset_from)
        sub.add("tzoffsetto", o.offset_to)
        tz.add_component(sub)
    return tz


@functools.lru_cache(maxsize=256)
def _vtimezone_bytes(tzid: str, first_year: int, last_year: int) -> bytes:
    first = datetime(first_year, 1, 1, tzinfo=UTC)
    last = datetime(last_year, 12, 31, 23, 59, tzinfo=UTC)
    return _component(tzid, observances(tzid, first, last)).to_ical()


def vtimezone(tzid: str, first: datetime, last: datetime) -> bytes:
    """The serialised VTIMEZONE for ``tzid`` covering the instants ``first``..``last``.

    Whole years are used as the cache key, so every feed of a year shares one result.
    """
    return _vtimezone_bytes(tzid, first.astimezone(UTC).year, last.astimezone(UTC).year)
