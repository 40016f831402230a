"""What a read found, in the shape the page shows it ("14 busy events in the next 8
weeks; next: Tue 12:00–13:30")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from scheduler.calendars.sources.expand import BusyTime

SUMMARY_WEEKS = 8


@dataclass(frozen=True)
class Summary:
    events: int  # busy or tentative events starting in the next ``weeks`` weeks
    weeks: int
    next_busy: BusyTime | None  # the first one not yet over


def summarise(
    occurrences: Iterable[BusyTime], now: datetime, weeks: int = SUMMARY_WEEKS
) -> Summary:
    """Count the events ahead and find the next one (``occurrences`` sorted by start)."""
    until = now + timedelta(weeks=weeks)
    count = 0
    upcoming: BusyTime | None = None
    for t in occurrences:
        if t.end <= now:
            continue
        if upcoming is None:
            upcoming = t
        if t.start < until:
            count += 1
    return Summary(count, weeks, upcoming)
