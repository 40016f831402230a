"""What the roster review pages show, as plain values: the grid, coverage, hours, objective.

A section leader checks a roster by looking at it four ways: who is where (days × time
slots × service points), whether every shift has the people it needs, whether each
person's weekly hours sit between their minimum and maximum and near their target, and
what the engine's objective is made of. All times here are local to the library.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scheduler.models import (
    Absence,
    Assignment,
    AssignmentSource,
    Person,
    RosterPeriod,
    ServicePoint,
    Shift,
)
from scheduler.rostering.problem import pool
from scheduler.rostering.roster_check import RosterChecker, draft_pairs, roster_checker
from scheduler.solver.check import Violation
from scheduler.solver.problem import DEFAULT_WEIGHTS, TERMS
from scheduler.timeutil import day_bounds, to_local

# Service points are told apart by one of this many colours (CSS classes sp-0 .. sp-7),
# always together with their name, never by colour alone.
POINT_COLOURS = 8


@dataclass(frozen=True)
class Placed:
    """A person on a shift, as the grid shows them."""

    assignment_id: int
    person_id: int
    name: str
    pinned: bool
    manual: bool
    override_reason: str | None


@dataclass(frozen=True)
class ShiftView:
    """One shift with its people and how well it is covered."""

    id: int
    point_id: int
    point_name: str
    colour: int
    day: date
    start: time
    end: time
    starts_at: datetime
    ends_at: datetime
    min_staff: int
    max_staff: int
    people: tuple[Placed, ...]

    @property
    def assigned(self) -> int:
        return len(self.people)

    @property
    def missing(self) -> int:
        return max(0, self.min_staff - self.assigned)

    @property
    def excess(self) -> int:
        return max(0, self.assigned - self.max_staff)

    @property
    def coverage(self) -> str:
        """``short``, ``over``, ``open`` (room for more) or ``full``: the heat-map class."""
        if self.missing:
            return "short"
        if self.excess:
            return "over"
        return "open" if self.assigned < self.max_staff else "full"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


@dataclass(frozen=True)
class PointView:
    id: int
    name: str
    colour: int


@dataclass
class WeekGrid:
    """One ISO week of the grid: rows are time slots, columns are days."""

    number: int  # 1-based week of the period
    iso_week: int
    days: list[date]
    slots: list[tuple[time, time]]
    cells: dict[tuple[date, int], list[ShiftView]] = field(default_factory=dict)

    def cell(self, day: date, slot: int) -> list[ShiftView]:
        return self.cells.get((day, slot), [])

    def point_rows(self) -> list[tuple[PointView, int]]:
        """(service point, slot) pairs that have a shift on some day: heat-map rows."""
        seen: dict[tuple[int, int], PointView] = {}
        for (_day, slot), shifts in self.cells.items():
            for s in shifts:
                seen[(s.point_id, slot)] = PointView(s.point_id, s.point_name, s.colour)
        return [
            (point, slot)
            for (_pid, slot), point in sorted(seen.items(), key=lambda kv: (kv[1].colour, kv[0][1]))
        ]

    def shift_at(self, day: date, slot: int, point_id: int) -> ShiftView | None:
        return next((s for s in self.cell(day, slot) if s.point_id == point_id), None)


@dataclass(frozen=True)
class WeekHours:
    """A person's hours in one week against their contract."""

    week: int  # 1-based
    monday: date
    minutes: int
    min_hours: float
    target_hours: float | None
    max_hours: float | None

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)

    @property
    def status(self) -> str:
        """``under`` the minimum, ``over`` the maximum, or ``ok``."""
        if self.max_hours is not None and self.minutes > self.max_hours * 60:
            return "over"
        if self.minutes < self.min_hours * 60:
            return "under"
        return "ok"

    @property
    def scale_hours(self) -> float:
        """The length of the bar chart's axis: room for the largest of the four values."""
        values = [self.hours, self.min_hours, self.target_hours or 0, self.max_hours or 0]
        return max(1.0, max(values) * 1.1)

    def percent(self, hours: float | None) -> float:
        return 0.0 if hours is None else round(100 * hours / self.scale_hours, 1)


@dataclass(frozen=True)
class PersonHours:
    person_id: int
    name: str
    weeks: tuple[WeekHours, ...]

    @property
    def total_hours(self) -> float:
        return round(sum(w.minutes for w in self.weeks) / 60, 2)


@dataclass(frozen=True)
class TermRow:
    name: str
    count: int
    weight: int
    value: int


@dataclass(frozen=True)
class ObjectiveView:
    terms: tuple[TermRow, ...]
    total: int
    violations: tuple[Violation, ...]

    @property
    def ok(self) -> bool:
        return not self.violations


@dataclass
class RosterReview:
    period: RosterPeriod
    timezone: str
    points: list[PointView]
    shifts: list[ShiftView]
    weeks: list[WeekGrid]
    people: list[PersonHours]
    objective: ObjectiveView | None

    @property
    def assignment_count(self) -> int:
        return sum(s.assigned for s in self.shifts)

    @property
    def short_shifts(self) -> list[ShiftView]:
        return [s for s in self.shifts if s.missing]


def load_shifts(session: Session, period: RosterPeriod) -> list[ShiftView]:
    """Every shift of the period with its people, in time order."""
    tz = period.library.timezone
    shifts = session.scalars(
        select(Shift)
        .where(Shift.period_id == period.id)
        .options(
            selectinload(Shift.assignments).selectinload(Assignment.person),
            selectinload(Shift.service_point),
        )
        .order_by(Shift.starts_at, Shift.service_point_id, Shift.id)
    ).all()
    colours = point_colours(s.service_point for s in shifts)
    out = []
    for s in shifts:
        start, end = to_local(s.starts_at, tz), to_local(s.ends_at, tz)
        people = tuple(
            Placed(
                assignment_id=a.id,
                person_id=a.person_id,
                name=a.person.name,
                pinned=a.pinned,
                manual=a.source == AssignmentSource.MANUAL,
                override_reason=a.override_reason,
            )
            for a in sorted(s.assignments, key=lambda a: (a.person.name, a.id))
        )
        out.append(
            ShiftView(
                id=s.id,
                point_id=s.service_point_id,
                point_name=s.service_point.name,
                colour=colours[s.service_point_id].colour,
                day=start.date(),
                start=start.time(),
                end=end.time(),
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                min_staff=s.min_staff,
                max_staff=s.max_staff,
                people=people,
            )
        )
    return out


def point_colours(points) -> dict[int, PointView]:
    """A stable colour per service point: by its position, then its id."""
    unique = {p.id: p for p in points}
    ordered = sorted(unique.values(), key=lambda p: (p.position, p.id))
    return {
        p.id: PointView(id=p.id, name=p.name, colour=i % POINT_COLOURS)
        for i, p in enumerate(ordered)
    }


def week_grids(period: RosterPeriod, shifts: list[ShiftView]) -> list[WeekGrid]:
    """The grid, one table per week (a month on one table would not fit a page)."""
    weeks = []
    for w in range(period.weeks):
        monday = period.start_date + timedelta(days=7 * w)
        days = [monday + timedelta(days=i) for i in range(7)]
        mine = [s for s in shifts if monday <= s.day < monday + timedelta(days=7)]
        slots = sorted({(s.start, s.end) for s in mine})
        grid = WeekGrid(w + 1, monday.isocalendar()[1], days, slots)
        index = {slot: i for i, slot in enumerate(slots)}
        for s in mine:
            grid.cells.setdefault((s.day, index[(s.start, s.end)]), []).append(s)
        weeks.append(grid)
    return weeks


def hours_by_person(
    session: Session, period: RosterPeriod, shifts: list[ShiftView]
) -> list[PersonHours]:
    """Hours per person per week, for the pool and anyone else on the roster."""
    minutes: dict[tuple[int, int], int] = defaultdict(int)
    for s in shifts:
        week = (s.day - period.start_date).days // 7
        for p in s.people:
            minutes[(p.person_id, week)] += s.minutes
    people = {p.id: p for p in pool(session, period.library_id)}
    others = {pid for pid, _w in minutes} - set(people)
    if others:
        people.update(
            {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(others)))}
        )
    out = []
    for person in sorted(people.values(), key=lambda p: (p.name, p.id)):
        weeks = tuple(
            WeekHours(
                week=w + 1,
                monday=period.start_date + timedelta(days=7 * w),
                minutes=minutes[(person.id, w)],
                min_hours=float(person.min_hours_per_week),
                target_hours=person.target_hours_per_week,
                max_hours=person.max_hours_per_week,
            )
            for w in range(period.weeks)
        )
        out.append(PersonHours(person.id, person.name, weeks))
    return out


def objective_view(checker: RosterChecker, pairs: list[tuple[int, int]]) -> ObjectiveView:
    """The objective of the draft, term by term, and every hard rule it breaks."""
    report = checker.check(pairs)
    weights = {**DEFAULT_WEIGHTS, **(checker.problem.rules.weights or {})}
    rows = tuple(
        TermRow(name, report.counts.get(name, 0), weights.get(name, 0), report.terms.get(name, 0))
        for name in TERMS
    )
    return ObjectiveView(rows, report.objective, tuple(report.violations))


def build_review(session: Session, period: RosterPeriod, *, with_objective: bool = True):
    """Everything the review page shows about ``period``'s draft roster."""
    shifts = load_shifts(session, period)
    points = sorted(
        point_colours(
            session.scalars(
                select(ServicePoint).where(
                    ServicePoint.id.in_({s.point_id for s in shifts} or {-1})
                )
            )
        ).values(),
        key=lambda p: p.colour,
    )
    objective = None
    if with_objective and shifts:
        objective = objective_view(roster_checker(session, period), draft_pairs(session, period))
    return RosterReview(
        period=period,
        timezone=period.library.timezone,
        points=points,
        shifts=shifts,
        weeks=week_grids(period, shifts),
        people=hours_by_person(session, period, shifts),
        objective=objective,
    )


@dataclass(frozen=True)
class PersonRoster:
    """One person's part of the roster: their shifts, weekly hours and absences."""

    person: Person
    shifts: list[ShiftView]
    hours: PersonHours | None
    absences: list[Absence] = field(default_factory=list)

    def by_day(self) -> list[tuple[date, list[ShiftView]]]:
        days: dict[date, list[ShiftView]] = defaultdict(list)
        for s in self.shifts:
            days[s.day].append(s)
        return sorted(days.items())


def person_roster(session: Session, period: RosterPeriod, person: Person) -> PersonRoster:
    shifts = load_shifts(session, period)
    mine = [s for s in shifts if any(p.person_id == person.id for p in s.people)]
    hours = next(
        (h for h in hours_by_person(session, period, shifts) if h.person_id == person.id), None
    )
    tz = period.library.timezone
    begin = day_bounds(period.start_date, tz)[0]
    end = day_bounds(period.start_date + timedelta(days=7 * period.weeks - 1), tz)[1]
    absences = list(
        session.scalars(
            select(Absence)
            .where(
                Absence.person_id == person.id,
                Absence.starts_at < end,
                Absence.ends_at > begin,
            )
            .order_by(Absence.starts_at)
        )
    )
    return PersonRoster(person=person, shifts=mine, hours=hours, absences=absences)
