"""Time handling: instants are aware UTC datetimes; people see their library's local time.

Conversions go through ``zoneinfo`` so that DST transitions are handled by the tz
database, never by adding fixed offsets. Local wall-clock times that do not exist
(the skipped hour in March) or exist twice (the repeated hour in October) are resolved
the way ``zoneinfo`` does with ``fold=0``: the earlier offset.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC)


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime: give it a time zone before storing it")
    return value.astimezone(UTC)


def local_to_utc(day: date, clock: time, tz: str | ZoneInfo) -> datetime:
    """The instant at which the wall clock in ``tz`` shows ``clock`` on ``day``."""
    tzinfo = ZoneInfo(tz) if isinstance(tz, str) else tz
    naive = datetime.combine(day, clock)
    aware = naive.replace(tzinfo=tzinfo)
    # A non-existent local time (spring forward) round-trips to a different wall time;
    # normalise through UTC so the instant is well defined.
    return aware.astimezone(UTC)


def to_local(value: datetime, tz: str | ZoneInfo) -> datetime:
    tzinfo = ZoneInfo(tz) if isinstance(tz, str) else tz
    return value.astimezone(tzinfo)


def day_bounds(day: date, tz: str | ZoneInfo) -> tuple[datetime, datetime]:
    """UTC start and end of a local calendar day (23 or 25 hours long on DST days)."""
    return local_to_utc(day, time(0), tz), local_to_utc(day + timedelta(days=1), time(0), tz)


def monday_of(day: date) -> date:
    """The Monday starting the ISO week that contains ``day``."""
    return day - timedelta(days=day.weekday())


def iso_week(day: date) -> tuple[int, int]:
    year, week, _ = day.isocalendar()
    return year, week


def daterange(start: date, end: date):
    """Dates from ``start`` up to but not including ``end``."""
    d = start
    while d < end:
        yield d
        d += timedelta(days=1)
