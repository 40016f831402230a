"""Demand from statistics: how many people each service point needs, hour band by hour
band, from the inquiries of the last comparable weeks.

For every hour the library is open, the inquiries of that weekday and hour are counted
in each of the last ``weeks`` comparable weeks (an open hour without inquiries counts
as 0). The ``quantile`` of those counts (the median by default) is the hour's expected
load; ``ceil(load / per_person)`` people handle it at a target load of ``per_person``
inquiries per person-hour. Neighbouring hours that need the same number of people make
one band: "Tuesdays 12-14: median 14 inquiries an hour over 6 weeks, 2 people needed at
8 per person-hour". Hours that need nobody are left out, so today's rules stay there.

A comparable week is a whole ISO week before the week being planned in which the
library logged at least one inquiry (weeks without any, such as a closed Christmas,
would otherwise pull every median down); the search looks back three times ``weeks``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.desk.roles import require_leader
from scheduler.models import ClosedDate, DemandRule, Inquiry, Library, Person
from scheduler.reasons import _, input_error
from scheduler.rostering.setup import DemandInput, save_demand_rule
from scheduler.timeutil import day_bounds, monday_of, to_local


@dataclass(frozen=True)
class SuggestionSettings:
    weeks: int = 6
    quantile: float = 0.5
    per_person: float = 8.0

    def check(self) -> None:
        errors = {}
        if not 1 <= self.weeks <= 26:
            errors["weeks"] = _("must be a whole number from %(low)s to %(high)s", low=1, high=26)
        if not 0 < self.quantile < 1:
            errors["quantile"] = _("must be a number from %(low)s to %(high)s", low=0.05, high=0.95)
        if not 0 < self.per_person <= 100:
            errors["per_person"] = _("must be a number from %(low)s to %(high)s", low=1, high=100)
        if errors:
            raise input_error(errors)


@dataclass(frozen=True)
class Band:
    """What a suggestion asks for: ``people`` at a point on a weekday, ``start``-``end``."""

    service_point_id: int
    weekday: int  # 0 = Monday
    start: time
    end: time
    people: int


@dataclass(frozen=True)
class SuggestedRule:
    """One band: at ``service_point_id`` on ``weekday``, ``people`` from ``start`` to ``end``."""

    service_point_id: int
    weekday: int  # 0 = Monday
    start: time
    end: time
    people: int
    # The highest hourly load in the band (the quantile of its weekly counts): the number
    # that decided the headcount.
    load: float
    weeks: int
    quantile: float
    per_person: float

    @property
    def band(self) -> Band:
        return Band(self.service_point_id, self.weekday, self.start, self.end, self.people)


def quantile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile with linear interpolation between order statistics (as
    spreadsheets and NumPy's default do): the median of 10, 12, 14, 14, 16, 20 is 14."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def people_needed(load: float, per_person: float) -> int:
    # A hair's tolerance, so 16.000000001 inquiries at 8 per person is still 2 people.
    return max(0, math.ceil(load / per_person - 1e-9))


def suggest_from_counts(
    counts: Mapping[tuple[int, int, int], Sequence[int]], settings: SuggestionSettings
) -> list[SuggestedRule]:
    """Bands from hourly counts: ``counts[(point, weekday, hour)]`` holds one count per
    comparable week in which that hour was open."""
    needs: dict[tuple[int, int], list[tuple[int, int, float]]] = defaultdict(list)
    for (point, weekday, hour), weekly in counts.items():
        load = quantile(weekly, settings.quantile)
        needs[(point, weekday)].append((hour, people_needed(load, settings.per_person), load))
    rules: list[SuggestedRule] = []
    for (point, weekday), hours in sorted(needs.items()):
        hours.sort()
        band: list[tuple[int, int, float]] = []
        for entry in [*hours, (-1, 0, 0.0)]:  # the sentinel closes the last band
            hour, people, _load = entry
            if band and (people != band[0][1] or hour != band[-1][0] + 1):
                if band[0][1] > 0:
                    rules.append(
                        SuggestedRule(
                            service_point_id=point,
                            weekday=weekday,
                            start=time(band[0][0]),
                            end=time(band[-1][0] + 1) if band[-1][0] < 23 else time(23, 59),
                            people=band[0][1],
                            load=max(b[2] for b in band),
                            weeks=max(len(counts[(point, weekday, b[0])]) for b in band),
                            quantile=settings.quantile,
                            per_person=settings.per_person,
                        )
                    )
                band = []
            if hour >= 0:
                band.append(entry)
    return rules


@dataclass(frozen=True)
class Suggestions:
    weeks: list[date]  # the Mondays of the comparable weeks used, newest first
    rules: list[SuggestedRule]

    def for_point(self, point_id: int) -> list[SuggestedRule]:
        return [r for r in self.rules if r.service_point_id == point_id]


def comparable_weeks(session: Session, library: Library, before: date, weeks: int) -> list[date]:
    """The Mondays of the last ``weeks`` whole weeks before ``before`` with inquiries."""
    monday = monday_of(before)
    earliest = monday - timedelta(weeks=3 * weeks)
    begin = day_bounds(earliest, library.timezone)[0]
    end = day_bounds(monday, library.timezone)[0]
    seen = {
        monday_of(to_local(at, library.timezone).date())
        for at in session.scalars(
            select(Inquiry.asked_at).where(
                Inquiry.library_id == library.id,
                Inquiry.asked_at >= begin,
                Inquiry.asked_at < end,
            )
        )
    }
    return sorted(seen, reverse=True)[:weeks]


def _open_hours(library: Library, day: date, closed: set[date]) -> set[int]:
    """The hours (local, by their start) in which the library is open on ``day``."""
    if day in closed:
        return set()
    hours: set[int] = set()
    for row in library.opening_hours:
        if row.weekday != day.weekday():
            continue
        if (row.valid_from and day < row.valid_from) or (row.valid_until and day > row.valid_until):
            continue
        opens = row.opens.hour
        closes = row.closes.hour + (1 if row.closes.minute else 0)
        hours.update(range(opens, closes))
    return hours


def hourly_counts(
    session: Session, library: Library, mondays: Sequence[date]
) -> dict[tuple[int, int, int], list[int]]:
    """``(point, weekday, hour) -> [count per comparable week]`` for the rosterable points."""
    points = [p.id for p in library.service_points if p.rosterable]
    closed = set(
        session.scalars(select(ClosedDate.date).where(ClosedDate.library_id == library.id))
    )
    found: dict[tuple[int, date, int], int] = defaultdict(int)
    for monday in mondays:
        begin = day_bounds(monday, library.timezone)[0]
        end = day_bounds(monday + timedelta(days=6), library.timezone)[1]
        rows = session.execute(
            select(Inquiry.service_point_id, Inquiry.asked_at).where(
                Inquiry.library_id == library.id,
                Inquiry.asked_at >= begin,
                Inquiry.asked_at < end,
                Inquiry.service_point_id.in_(points),
            )
        )
        for point_id, at in rows:
            local = to_local(at, library.timezone)
            found[(point_id, local.date(), local.hour)] += 1
    counts: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for monday in mondays:
        for offset in range(7):
            day = monday + timedelta(days=offset)
            for hour in sorted(_open_hours(library, day, closed)):
                for point in points:
                    counts[(point, day.weekday(), hour)].append(found.get((point, day, hour), 0))
    return dict(counts)


def suggest_demand(
    session: Session,
    actor: Person,
    library: Library,
    before: date,
    settings: SuggestionSettings | None = None,
) -> Suggestions:
    """Suggested demand for the week of ``before``, from the weeks before it."""
    require_leader(actor, library.id)
    settings = settings or SuggestionSettings()
    settings.check()
    mondays = comparable_weeks(session, library, before, settings.weeks)
    return Suggestions(
        mondays, suggest_from_counts(hourly_counts(session, library, mondays), settings)
    )


def block_minutes_for(start: time, end: time) -> int:
    """Shifts of the whole band up to four hours; longer bands in two-hour blocks."""
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return minutes if minutes <= 240 else 120


def accept_suggestion(
    session: Session,
    actor: Person,
    library: Library,
    rule: Band,
    label: str | None = None,
) -> DemandRule:
    """Turn a suggestion the leader accepted into a demand rule of the library.

    The roster set-up checks it like a typed rule (a first-line point on the ground
    floor, no second rule starting a shift at the same moment). ``label`` is the rule's
    label in the leader's language.
    """
    require_leader(actor, library.id)
    if not 1 <= rule.people <= 50:
        raise input_error(
            {"people": _("must be a whole number from %(low)s to %(high)s", low=1, high=50)}
        )
    return save_demand_rule(
        session,
        library,
        DemandInput(
            service_point_id=rule.service_point_id,
            weekdays=[rule.weekday],
            start_time=rule.start,
            end_time=rule.end,
            block_minutes=block_minutes_for(rule.start, rule.end),
            min_staff=rule.people,
            max_staff=rule.people,
            label=label,
        ),
        actor=actor,
    )
