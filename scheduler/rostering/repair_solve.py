"""Solve a sick-day repair by widening neighbourhoods, so few published shifts move.

A search over the whole period drifts from the published roster (the engine trades
moves for a slightly better week), so a repair is minimal-change by construction:
every published assignment that is still legal and lies outside the affected days is
pinned, and only the affected days are solved. Only when that leaves more shifts
short than the published roster had (or finds nothing) does the neighbourhood widen:
the affected days ± 1, the affected ISO weeks, and finally the whole period with a
high ``change`` weight. The roster returned is scored on the real problem by
:func:`scheduler.solver.check`, so its objective is the one the checker recomputes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from scheduler.solver import problem as sp
from scheduler.solver.check import check

# Per moved published assignment inside a neighbourhood: dearer than any other soft
# term, cheaper than leaving a shift short (understaffing is 100 per missing minute).
REPAIR_CHANGE_WEIGHT = 1000
SCOPES = ("days", "days+-1", "weeks", "whole")
# Share of the time still left that each scope may use (the last takes the rest).
SHARE = {"days": 0.3, "days+-1": 0.4, "weeks": 0.5, "whole": 1.0}
# Hard rules one assignment breaks on its own: it cannot simply be kept.
OWN_RULES = {"H0", "H3", "H4", "H5"}


@dataclass
class RepairResult:
    solution: sp.Solution
    scope: str | None  # the neighbourhood whose roster was kept
    tried: list[dict[str, Any]]  # per scope: status, missing minutes, moved, seconds


def _missing(problem: sp.Problem, assignments: list[sp.Assignment]) -> list[sp.Uncovered]:
    count: dict[str, int] = {}
    for a in assignments:
        count[a.shift] = count.get(a.shift, 0) + 1
    return [
        sp.Uncovered(s.id, s.min_staff - count.get(s.id, 0))
        for s in problem.shifts
        if count.get(s.id, 0) < s.min_staff
    ]


def _missing_minutes(problem: sp.Problem, assignments: list[sp.Assignment]) -> int:
    by_id = {s.id: s for s in problem.shifts}
    return sum(
        u.missing * int((by_id[u.shift].end - by_id[u.shift].start).total_seconds() // 60)
        for u in _missing(problem, assignments)
    )


def illegal_previous(problem: sp.Problem) -> set[sp.Assignment]:
    """Previous assignments that break a rule on their own (the absence, mostly)."""
    report = check(problem, list(problem.previous))
    return {
        sp.Assignment(v.shift, v.staff)
        for v in report.violations
        if v.rule in OWN_RULES and v.shift is not None and v.staff is not None
    }


def week_of(d: date) -> date:
    return d - timedelta(days=d.weekday())


def neighbourhood(
    problem: sp.Problem, free_days: set[date] | None
) -> tuple[sp.Problem, list[sp.Assignment]]:
    """``problem`` with every legal previous assignment off ``free_days`` pinned.

    Shifts off those days are closed to anyone not pinned there (max_staff = pins), and
    weeks without a free day leave the problem altogether (every hard rule and soft
    term is per day or per ISO week): their pins come back as the second value, to be
    added to the roster found. None frees everything (with the change weight up).
    """
    weights = {**problem.rules.weights, "change": REPAIR_CHANGE_WEIGHT}
    rules = replace(problem.rules, weights=weights, allow_understaffing=True)
    if free_days is None:
        return replace(problem, rules=rules), []
    day = {s.id: s.start.date() for s in problem.shifts}
    weeks = {week_of(d) for d in free_days}
    bad = illegal_previous(problem)
    pins = list(problem.pinned)
    for a in problem.previous:
        if a not in bad and a not in pins and day.get(a.shift) not in free_days:
            pins.append(a)
    held: dict[str, int] = {}
    for a in pins:
        held[a.shift] = held.get(a.shift, 0) + 1
    shifts = []
    for s in problem.shifts:
        if week_of(day[s.id]) not in weeks:
            continue
        if day[s.id] in free_days:
            shifts.append(s)
        elif held.get(s.id):
            n = held[s.id]
            shifts.append(replace(s, min_staff=min(s.min_staff, n), max_staff=max(n, 1)))
    kept = {s.id for s in shifts}
    # Someone the absence took below their weekly minimum is not given extra shifts to
    # make it up (the check reports that H6 shortfall; the repair does not cause it).
    legal = [a for a in problem.previous if a not in bad]
    short = {v.staff for v in check(problem, legal).violations if v.rule == "H6"}
    staff = tuple(replace(p, min_hours_per_week=0.0) if p.id in short else p for p in problem.staff)
    derived = replace(
        problem,
        shifts=tuple(shifts),
        staff=staff,
        rules=rules,
        pinned=tuple(a for a in pins if a.shift in kept),
        previous=tuple(a for a in problem.previous if a.shift in kept),
    )
    outside = [a for a in pins if week_of(day[a.shift]) not in weeks]
    return derived, outside


def scope_days(problem: sp.Problem, scope: str, affected: set[date]) -> set[date] | None:
    last = problem.start + timedelta(days=7 * problem.weeks - 1)
    if scope == "days":
        return set(affected)
    if scope == "days+-1":
        near = {d + timedelta(days=k) for d in affected for k in (-1, 0, 1)}
        return {d for d in near if problem.start <= d <= last}
    if scope == "weeks":
        mondays = {week_of(d) for d in affected}
        return {m + timedelta(days=k) for m in mondays for k in range(7)}
    return None


def solve_repair(
    solve: Callable[..., sp.Solution],
    problem: sp.Problem,
    *,
    time_limit: float,
    workers: int = 2,
    on_progress: Callable[[sp.Progress], None] | None = None,
    stop_event: threading.Event | None = None,
) -> RepairResult:
    """Repair ``problem`` (its ``previous`` is the published roster); see the module doc.

    Stops at the first neighbourhood that leaves no more minutes short than the
    published roster did; otherwise keeps the best roster (real objective) found.
    """
    t0 = time.monotonic()
    previous = list(problem.previous)
    baseline = _missing_minutes(problem, previous)
    day = {s.id: s.start.date() for s in problem.shifts}
    affected = {day[a.shift] for a in illegal_previous(problem)}
    if not affected:  # nothing published is broken: solve only what is short
        short = {u.shift for u in _missing(problem, previous)}
        affected = {day[s] for s in short}
    # Rules the published roster minus the absence already breaks (a sick person under
    # their weekly minimum, say) do not disqualify a repair; new breaks do.
    legal = [a for a in previous if a not in illegal_previous(problem)]
    known = {(v.rule, v.staff, v.shift) for v in check(problem, legal).violations}
    best: tuple[int, sp.Solution, str] | None = None
    found: sp.Solution | None = None
    tried: list[dict[str, Any]] = []
    scopes = [s for s in SCOPES if s == "whole" or affected]
    for i, scope in enumerate(scopes):
        left = time_limit - (time.monotonic() - t0)
        if left <= 0.2 or (stop_event is not None and stop_event.is_set()):
            break
        budget = left if i == len(scopes) - 1 else max(1.0, left * SHARE[scope])
        derived, outside = neighbourhood(problem, scope_days(problem, scope, affected))
        t = time.monotonic()
        found = solve(
            derived,
            time_limit=min(budget, left),
            workers=workers,
            on_progress=on_progress,
            stop_event=stop_event,
        )
        entry: dict[str, Any] = {
            "scope": scope,
            "status": found.status,
            "seconds": round(time.monotonic() - t, 2),
        }
        tried.append(entry)
        if found.status not in ("OPTIMAL", "FEASIBLE"):
            continue
        roster = [*outside, *found.assignments]
        report = check(problem, roster)
        if any((v.rule, v.staff, v.shift) not in known for v in report.violations):
            entry["status"] = "BROKEN"
            continue
        missing = _missing_minutes(problem, roster)
        kept = set(roster)
        entry.update(missing_minutes=missing, moved=sum(a not in kept for a in previous))
        solution = sp.Solution(
            status="FEASIBLE",
            objective=report.objective,
            bound=None,
            wall_time_s=round(time.monotonic() - t0, 3),
            assignments=roster,
            uncovered=_missing(problem, roster),
            terms=dict(report.terms),
        )
        if best is None or report.objective < best[0]:
            best = (report.objective, solution, scope)
        if missing <= baseline:
            break
    if best is None:
        last = found if found is not None else sp.Solution("UNKNOWN", None, None, 0.0)
        last.wall_time_s = round(time.monotonic() - t0, 3)
        return RepairResult(last, None, tried)
    return RepairResult(best[1], best[2], tried)
