"""When a task is next due: "every 10m" (absolute time) or "daily 03:00" (the library's
wall clock, across summer-time changes), or "off".

Plain values and arithmetic, no database: the lease keeps the due time in a row, this
module only says what the next one is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_EVERY = re.compile(r"every\s+(\d{1,6})\s*([smhd])")
_DAILY = re.compile(r"daily\s+(\d{1,2}):(\d{2})")


@dataclass(frozen=True)
class Schedule:
    """A task's schedule: ``every`` (an interval), ``at`` (a time of day), or neither (off)."""

    text: str
    every: timedelta | None = None
    at: time | None = None
    zone: str = "UTC"

    @property
    def key(self) -> str:
        """What the task row remembers: a change of schedule or zone shows as a new key."""
        return f"{self.text} {self.zone}" if self.at is not None else self.text

    @property
    def off(self) -> bool:
        return self.every is None and self.at is None

    def first(self, now: datetime) -> datetime | None:
        """When a task never run before is due: an interval at once (it catches up on
        start), a time of day at its next occurrence; None when off."""
        if self.every is not None:
            return now
        return self.next_after(now, now)

    def next_after(self, planned: datetime | None, now: datetime) -> datetime | None:
        """The next due time after a run that was due at ``planned`` and ended at
        ``now``: always later than ``now``, and one run only for time missed while down."""
        if self.every is not None:
            base = planned if planned is not None and planned <= now else now
            missed = (now - base) // self.every + 1
            return base + missed * self.every
        if self.at is not None:
            return next_wall_clock(self.at, ZoneInfo(self.zone), now)
        return None


def next_wall_clock(at: time, zone: ZoneInfo, now: datetime) -> datetime:
    """The first instant after ``now`` when the clock in ``zone`` shows ``at``.

    On the night the clocks go forward a time that does not exist (02:30 in Oslo) runs
    an hour later by the clock (03:30, the same instant as 01:30 UTC); on the night
    they go back a time that happens twice runs the first time only.
    """
    day = now.astimezone(zone).date()
    for offset in range(3):
        local = datetime.combine(day + timedelta(days=offset), at, tzinfo=zone)  # fold=0
        instant = local.astimezone(ZoneInfo("UTC"))
        if instant > now:
            return instant
    raise AssertionError("unreachable: a day has a wall-clock time within three days")


def parse_schedule(text: object, zone: str = "UTC", setting: str = "schedule") -> Schedule:
    """``"every 90s"``, ``"every 10m"``, ``"every 1h"``, ``"every 1d"``, ``"daily 03:00"``
    or ``"off"``; ValueError naming ``setting`` and the reason otherwise."""
    raw = str(text or "").strip().lower()
    if raw in ("off", "none", "never"):
        return Schedule("off", zone=zone)
    if match := _EVERY.fullmatch(raw):
        amount = int(match.group(1))
        if amount <= 0:
            raise ValueError(f"{setting}: {text!r}: the interval must be more than zero")
        every = timedelta(seconds=amount * _UNITS[match.group(2)])
        return Schedule(f"every {amount}{match.group(2)}", every=every, zone=zone)
    if match := _DAILY.fullmatch(raw):
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 23 or minute > 59:
            raise ValueError(f"{setting}: {text!r}: {hour:02d}:{minute:02d} is not a time of day")
        return Schedule(f"daily {hour:02d}:{minute:02d}", at=time(hour, minute), zone=zone)
    raise ValueError(
        f"{setting}: {text!r} is not a schedule "
        '(expected "every 10m", "every 1h", "daily 03:00" or "off")'
    )
