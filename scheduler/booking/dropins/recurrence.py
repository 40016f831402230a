"""When a session happens: once, weekly for N weeks, or on a list of dates.

Pure functions on dates: the library's closed days come in as a mapping, and the
result is the list of local dates to create sessions on. Times of day are applied
later, per date, in the library's zone (so DST never moves a session's wall-clock time).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from scheduler.reasons import _, input_error

# A series longer than a year is more likely a typo than a plan.
MAX_OCCURRENCES = 52


class Repeat(enum.StrEnum):
    ONCE = "once"
    WEEKLY = "weekly"
    DATES = "dates"


@dataclass(frozen=True)
class Recurrence:
    """``first_date`` for once and weekly; ``dates`` for a list of dates."""

    repeat: Repeat = Repeat.ONCE
    first_date: date | None = None
    weeks: int | None = None
    dates: tuple[date, ...] = ()


@dataclass(frozen=True)
class Occurrences:
    dates: list[date]
    # Closed days left out of a weekly series, with the reason (shown to staff).
    skipped: list[tuple[date, str]] = field(default_factory=list)


def parse_dates(text: str, field_name: str = "dates") -> tuple[date, ...]:
    """Dates as ``YYYY-MM-DD``, separated by commas, spaces or new lines."""
    out = []
    for token in re.split(r"[\s,;]+", text or ""):
        if not token:
            continue
        try:
            out.append(date.fromisoformat(token))
        except ValueError:
            raise input_error(
                {field_name: _("%(value)s is not a date like 2027-01-05", value=token)}
            ) from None
    return tuple(out)


def occurrence_dates(
    recurrence: Recurrence, *, today: date, closed: Mapping[date, str]
) -> Occurrences:
    """The local dates of the sessions, or InputError naming the field that is wrong."""
    if recurrence.repeat == Repeat.DATES:
        return _listed(recurrence.dates, today=today, closed=closed)
    first = recurrence.first_date
    if first is None:
        raise input_error({"date": _("is required")})
    if first < today:
        raise input_error({"date": _("is in the past")})
    if recurrence.repeat == Repeat.ONCE:
        if first in closed:
            raise input_error(
                {"date": _("the library is closed that day (%(reason)s)", reason=closed[first])}
            )
        return Occurrences([first])
    weeks = recurrence.weeks
    if weeks is None:
        raise input_error({"weeks": _("is required for a weekly series")})
    if not 1 <= weeks <= MAX_OCCURRENCES:
        raise input_error({"weeks": _("must be between 1 and %(most)s", most=MAX_OCCURRENCES)})
    candidates = [first + timedelta(weeks=n) for n in range(weeks)]
    dates = [d for d in candidates if d not in closed]
    skipped = [(d, closed[d]) for d in candidates if d in closed]
    if not dates:
        raise input_error(
            {"weeks": _("gives no dates: the library is closed on every one of them")}
        )
    return Occurrences(dates, skipped)


def _listed(listed: tuple[date, ...], *, today: date, closed: Mapping[date, str]) -> Occurrences:
    dates = sorted(set(listed))
    if not dates:
        raise input_error({"dates": _("gives no dates: list at least one")})
    if len(dates) > MAX_OCCURRENCES:
        raise input_error({"dates": _("at most %(most)s dates", most=MAX_OCCURRENCES)})
    past = [d for d in dates if d < today]
    if past:
        raise input_error({"dates": _("%(day)s is in the past", day=past[0].isoformat())})
    shut = [d for d in dates if d in closed]
    if shut:
        raise input_error(
            {
                "dates": _(
                    "the library is closed on %(day)s (%(reason)s)",
                    day=shut[0].isoformat(),
                    reason=closed[shut[0]],
                )
            }
        )
    return Occurrences(dates)
