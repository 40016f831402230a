"""Turn a Problem's wall-clock times into the integers the model works with.

Every time becomes real elapsed minutes since the period starts (local midnight on
``Problem.start`` converted through UTC), so a shift across a DST change has its true
length. Weeks and days are the local calendar ones of the shift's start, exactly as the
rules count them. Eligibility (H5 first line, H4 skills, H3 availability, each tested by
its rule module) and each person's preference cost per shift are computed once here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from scheduler.solver.problem import Problem
from scheduler.solver.rules.h3_availability import available
from scheduler.solver.rules.h4_skills import has_skills
from scheduler.solver.rules.h5_first_line import may_work


@dataclass(frozen=True, slots=True)
class ShiftInfo:
    start: int  # elapsed minutes since the period starts
    end: int
    minutes: int
    week: int  # 0-based ISO week of the period, by local start date
    day: int  # 0-based local day of the period, by local start date
    unsocial: bool  # starts at or after 17:00, or on a Saturday or Sunday


@dataclass
class Index:
    """Integer view of a problem: shifts and staff by position, eligible pairs."""

    problem: Problem
    shifts: list[ShiftInfo]
    shift_pos: dict[str, int]
    staff_pos: dict[str, int]
    eligible: list[list[int]]  # staff index -> sorted shift indices they may take
    pref_cost: dict[tuple[int, int], int]  # (staff, shift) -> preference minutes x weight
    owed: dict[tuple[int, int], int]  # (staff, week) -> minimum minutes (H6 lower bound)
    first_line: list[int]  # staff indices with first_line true
    shifts_by_week: list[list[int]] = field(default_factory=list)
    previous: frozenset[tuple[int, int]] = frozenset()  # (staff, shift) of the previous roster

    def is_eligible(self, p: int, s: int) -> bool:
        return s in self._eligible_sets[p]

    def __post_init__(self) -> None:
        self._eligible_sets = [set(e) for e in self.eligible]
        # Each shift's place in time order (start, then end): a person's shifts sorted
        # by it come day by day, each day's in the order they are worked.
        order = sorted(
            range(len(self.shifts)), key=lambda s: (self.shifts[s].start, self.shifts[s].end)
        )
        self.rank = [0] * len(self.shifts)
        for r, s in enumerate(order):
            self.rank[s] = r


def to_utc(dt: datetime, tz: ZoneInfo) -> datetime:
    """The instant a naive local time names (the earlier one when the clock repeats)."""
    return dt.replace(tzinfo=tz).astimezone(UTC)


def union_minutes(intervals: list[tuple[int, int]]) -> int:
    total, cur_s, cur_e = 0, None, None
    for s, e in sorted(intervals):
        if cur_e is None or s > cur_e:
            if cur_e is not None and cur_s is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None and cur_s is not None:
        total += cur_e - cur_s
    return total


def build_index(problem: Problem) -> Index:
    tz = ZoneInfo(problem.timezone)
    origin = to_utc(datetime.combine(problem.start, datetime.min.time()), tz)

    def minutes(dt: datetime) -> int:
        return int((to_utc(dt, tz) - origin).total_seconds() // 60)

    shifts = []
    for sh in problem.shifts:
        s, e = minutes(sh.start), minutes(sh.end)
        day = (sh.start.date() - problem.start).days
        shifts.append(
            ShiftInfo(
                start=s,
                end=e,
                minutes=e - s,
                week=day // 7,
                day=day,
                unsocial=sh.start.hour >= 17 or sh.start.weekday() >= 5,
            )
        )
    by_week: list[list[int]] = [[] for _ in range(problem.weeks)]
    for i, info in enumerate(shifts):
        by_week[info.week].append(i)

    eligible: list[list[int]] = []
    pref_cost: dict[tuple[int, int], int] = {}
    owed: dict[tuple[int, int], int] = {}
    first_line = []
    needs = [frozenset(sh.skills) for sh in problem.shifts]
    by_needs: dict[frozenset[str], list[int]] = defaultdict(list)
    for i, need in enumerate(needs):
        by_needs[need].append(i)
    for p, person in enumerate(problem.staff):
        if not may_work(person):  # H5
            eligible.append([])
            continue
        first_line.append(p)
        skills = set(person.skills)
        away = [(minutes(u.start), minutes(u.end)) for u in person.unavailable]
        prefs = [(minutes(q.start), minutes(q.end), q.weight) for q in person.preferences]
        mine = []
        for need, group in by_needs.items():
            if has_skills(skills, need):  # H4
                mine.extend(group)
        mine.sort()
        if away:
            mine = [i for i in mine if available(shifts[i].start, shifts[i].end, away)]  # H3
        for i in mine if prefs else ():
            info = shifts[i]
            cost = sum(max(0, min(info.end, qe) - max(info.start, qs)) * w for qs, qe, w in prefs)
            if cost:
                pref_cost[(p, i)] = cost
        eligible.append(mine)
        per_week: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for i in mine:
            per_week[shifts[i].week].append((shifts[i].start, shifts[i].end))
        for w in range(problem.weeks):
            can = union_minutes(per_week.get(w, []))
            owed[(p, w)] = min(_ceil(person.min_hours_per_week * 60), can)
    shift_pos = {sh.id: i for i, sh in enumerate(problem.shifts)}
    staff_pos = {p.id: i for i, p in enumerate(problem.staff)}
    return Index(
        problem=problem,
        shifts=shifts,
        shift_pos=shift_pos,
        staff_pos=staff_pos,
        eligible=eligible,
        pref_cost=pref_cost,
        owed=owed,
        first_line=first_line,
        shifts_by_week=by_week,
        previous=frozenset(
            (i, j)
            for a in problem.previous
            if (i := staff_pos.get(a.staff)) is not None
            and (j := shift_pos.get(a.shift)) is not None
        ),
    )


def _ceil(x: float) -> int:
    n = int(x)
    return n if n >= x else n + 1


def _floor(x: float) -> int:
    n = int(x)
    return n if n <= x else n - 1


def cap_minutes(hours: float) -> int:
    """The most whole minutes within ``hours`` (a limit the checker compares as m > h*60)."""
    return _floor(hours * 60 + 1e-9)
