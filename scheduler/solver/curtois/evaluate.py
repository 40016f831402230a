"""Exact, solver-independent evaluator for Curtois-Qu rosters.

Built as the README's "Evaluator outline" (``../shared/benchmarks/curtois/README.md``,
section 3) and nothing else, so that it can re-score the output of any solver model: for each
employee build the day list, check rules 1/3/4/9 by counting, rule 2 over consecutive day
pairs, split the work sequence into maximal runs for rules 5-7 (the minimum-run rules exempt
runs that touch day 0 or day H-1), count weekends (Saturday OR Sunday) for rule 8; then add
the three penalty sums.

A roster with a hard violation is infeasible and has no score (``Evaluation.score`` is None);
the penalty terms are still computed, to help debugging.

Command line (exit 0 = OK, 1 = FAIL, 2 = unreadable input)::

    python -m scheduler.solver.curtois.evaluate Instance1.txt roster.json
    python -m scheduler.solver.curtois.evaluate Instance1.txt roster.txt --details
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from scheduler.solver.curtois.instance import Employee, Instance, ShiftRequest
from scheduler.solver.curtois.reader import CurtoisFormatError, read_instance
from scheduler.solver.curtois.roster import Roster, RosterFile, RosterFormatError, read_roster

# Rule names, numbered as in README section 3.
ONE_SHIFT_PER_DAY = "one-shift-per-day"  # 1
SHIFT_ROTATION = "shift-rotation"  # 2
MAX_SHIFTS_PER_TYPE = "max-shifts-per-type"  # 3
MIN_TOTAL_MINUTES = "min-total-minutes"  # 4
MAX_TOTAL_MINUTES = "max-total-minutes"  # 4
MAX_CONSECUTIVE_SHIFTS = "max-consecutive-shifts"  # 5
MIN_CONSECUTIVE_SHIFTS = "min-consecutive-shifts"  # 6
MIN_CONSECUTIVE_DAYS_OFF = "min-consecutive-days-off"  # 7
MAX_WEEKENDS = "max-weekends"  # 8
FIXED_DAY_OFF = "fixed-day-off"  # 9

# Tolerance when comparing a solver's reported objective/bound (often a float) to the score.
_CLAIM_TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken hard rule; ``str()`` gives the readable line."""

    rule: str
    employee: str
    days: tuple[int, ...]
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] employee {self.employee}: {self.message}"


@dataclass(frozen=True, slots=True)
class CoverDeviation:
    """A cover row that is not met exactly, with its weighted penalty."""

    day: int
    shift: str
    requirement: int
    assigned: int
    penalty: int

    def __str__(self) -> str:
        return (
            f"day {self.day} shift {self.shift}: {self.assigned} assigned, "
            f"{self.requirement} required (penalty {self.penalty})"
        )


@dataclass(frozen=True)
class Evaluation:
    """Hard violations and the penalty breakdown of one roster."""

    instance: str
    violations: tuple[Violation, ...]
    cover_under: int
    cover_over: int
    on_requests: int
    off_requests: int
    cover_deviations: tuple[CoverDeviation, ...] = ()
    unmet_on_requests: tuple[ShiftRequest, ...] = ()
    granted_off_requests: tuple[ShiftRequest, ...] = ()

    @property
    def feasible(self) -> bool:
        return not self.violations

    @property
    def cover(self) -> int:
        return self.cover_under + self.cover_over

    @property
    def penalty(self) -> int:
        """Sum of the penalty terms, whether or not the roster is feasible."""
        return self.cover + self.on_requests + self.off_requests

    @property
    def score(self) -> int | None:
        """The benchmark objective: the penalty of a feasible roster, None otherwise."""
        return self.penalty if self.feasible else None

    def breakdown(self) -> str:
        return (
            f"{self.penalty} = cover {self.cover} (under {self.cover_under}, "
            f"over {self.cover_over}) + on-requests {self.on_requests} "
            f"+ off-requests {self.off_requests}"
        )


def evaluate(instance: Instance, roster: Roster) -> Evaluation:
    """Check every hard rule and compute the penalty of ``roster`` on ``instance``.

    ``roster`` maps each employee id to one entry per day: a shift id, ``""`` or None for a
    day off, or a list of shift ids (so that a model output with two shifts on one day can be
    reported under rule 1 rather than rejected). Raises :class:`RosterFormatError` when the
    roster does not fit the instance (missing or unknown employee, wrong number of days,
    unknown shift id): such a roster cannot be scored at all.
    """
    days = _normalise(instance, roster)
    violations: list[Violation] = []
    for employee in instance.staff:
        violations.extend(_check_employee(instance, employee, days[employee.id]))

    on_total, unmet = 0, []
    for r in instance.on_requests:
        if r.shift not in days[r.employee][r.day]:
            on_total += r.weight
            unmet.append(r)
    off_total, granted = 0, []
    for r in instance.off_requests:
        if r.shift in days[r.employee][r.day]:
            off_total += r.weight
            granted.append(r)

    assigned: dict[tuple[int, str], int] = {}
    for row in days.values():
        for day, shifts in enumerate(row):
            for shift in shifts:
                assigned[day, shift] = assigned.get((day, shift), 0) + 1
    under_total = over_total = 0
    deviations = []
    for c in instance.cover:
        n = assigned.get((c.day, c.shift), 0)
        under = c.under_weight * max(0, c.requirement - n)
        over = c.over_weight * max(0, n - c.requirement)
        under_total += under
        over_total += over
        if n != c.requirement:
            deviations.append(CoverDeviation(c.day, c.shift, c.requirement, n, under + over))

    return Evaluation(
        instance=instance.name,
        violations=tuple(violations),
        cover_under=under_total,
        cover_over=over_total,
        on_requests=on_total,
        off_requests=off_total,
        cover_deviations=tuple(deviations),
        unmet_on_requests=tuple(unmet),
        granted_off_requests=tuple(granted),
    )


def _normalise(instance: Instance, roster: Roster) -> dict[str, list[tuple[str, ...]]]:
    """Turn every day entry into the tuple of shifts worked that day; reject bad shapes."""
    unknown_employees = [e for e in roster if e not in instance.employee_by_id]
    if unknown_employees:
        raise RosterFormatError(
            f"roster has rows for employee(s) not in {instance.name}: "
            + ", ".join(map(str, unknown_employees))
        )
    missing = [e for e in instance.employee_ids if e not in roster]
    if missing:
        raise RosterFormatError(f"roster has no row for employee(s) {', '.join(missing)}")
    result: dict[str, list[tuple[str, ...]]] = {}
    for employee in instance.employee_ids:
        row = roster[employee]
        if isinstance(row, str) or len(row) != instance.horizon:
            length = "a string" if isinstance(row, str) else f"{len(row)} days"
            raise RosterFormatError(
                f"employee {employee}: row has {length}, the horizon is {instance.horizon} days"
            )
        days = []
        for day, entry in enumerate(row):
            if entry is None or entry == "":
                shifts: tuple[str, ...] = ()
            elif isinstance(entry, str):
                shifts = (entry,)
            else:
                shifts = tuple(entry)
            for shift in shifts:
                if shift not in instance.shift_by_id:
                    raise RosterFormatError(
                        f"employee {employee}, day {day}: unknown shift type {shift!r}"
                    )
            if len(set(shifts)) != len(shifts):
                raise RosterFormatError(
                    f"employee {employee}, day {day}: a shift type is listed twice {shifts!r}"
                )
            days.append(shifts)
        result[employee] = days
    return result


def _span(first: int, last: int) -> str:
    return f"day {first}" if first == last else f"days {first}-{last}"


def _runs(work: Sequence[bool]) -> Iterator[tuple[bool, int, int]]:
    """Maximal runs of equal values as ``(working, first day, last day)``."""
    start = 0
    for day in range(1, len(work) + 1):
        if day == len(work) or work[day] != work[start]:
            yield work[start], start, day - 1
            start = day


def _check_employee(
    instance: Instance, employee: Employee, days: list[tuple[str, ...]]
) -> Iterator[Violation]:
    eid = employee.id
    horizon = instance.horizon

    def violation(rule: str, span: Sequence[int], message: str) -> Violation:
        return Violation(rule, eid, tuple(span), message)

    # 1. One shift per day.
    for day, shifts in enumerate(days):
        if len(shifts) > 1:
            yield violation(
                ONE_SHIFT_PER_DAY,
                [day],
                f"day {day}: {len(shifts)} shifts ({', '.join(shifts)}), at most one per day",
            )

    # 2. Shift rotation, over consecutive pairs inside the horizon only.
    forbidden = instance.forbidden_sequences
    for day in range(horizon - 1):
        for t in days[day]:
            for u in days[day + 1]:
                if (t, u) in forbidden:
                    yield violation(
                        SHIFT_ROTATION,
                        [day, day + 1],
                        f"days {day}-{day + 1}: {u} on day {day + 1} may not follow "
                        f"{t} on day {day}",
                    )

    # 3. Maximum shifts per type.
    for shift_id, limit in employee.max_shifts.items():
        worked = [day for day, shifts in enumerate(days) if shift_id in shifts]
        if len(worked) > limit:
            yield violation(
                MAX_SHIFTS_PER_TYPE,
                worked,
                f"{len(worked)} shifts of type {shift_id}, at most {limit}",
            )

    # 4. Total minutes.
    minutes = sum(instance.shift_by_id[s].minutes for shifts in days for s in shifts)
    worked_days = [day for day, shifts in enumerate(days) if shifts]
    if minutes < employee.min_total_minutes:
        yield violation(
            MIN_TOTAL_MINUTES,
            worked_days,
            f"{minutes} minutes worked, at least {employee.min_total_minutes}",
        )
    if minutes > employee.max_total_minutes:
        yield violation(
            MAX_TOTAL_MINUTES,
            worked_days,
            f"{minutes} minutes worked, at most {employee.max_total_minutes}",
        )

    # 5-7. Runs. Days outside the horizon count as days off for rule 5; runs touching a
    # border are exempt from the minimum-run rules 6 and 7.
    work = [bool(shifts) for shifts in days]
    for working, first, last in _runs(work):
        length = last - first + 1
        inner = first > 0 and last < horizon - 1
        span = range(first, last + 1)
        if working and length > employee.max_consecutive_shifts:
            yield violation(
                MAX_CONSECUTIVE_SHIFTS,
                span,
                f"{_span(first, last)}: {length} consecutive working days, "
                f"at most {employee.max_consecutive_shifts}",
            )
        if working and inner and length < employee.min_consecutive_shifts:
            yield violation(
                MIN_CONSECUTIVE_SHIFTS,
                span,
                f"{_span(first, last)}: {length} consecutive working day(s) between days off, "
                f"at least {employee.min_consecutive_shifts}",
            )
        if not working and inner and length < employee.min_consecutive_days_off:
            yield violation(
                MIN_CONSECUTIVE_DAYS_OFF,
                span,
                f"{_span(first, last)}: {length} consecutive day(s) off between working days, "
                f"at least {employee.min_consecutive_days_off}",
            )

    # 8. Weekends: worked if Saturday OR Sunday is worked.
    worked_weekends = [(sat, sun) for sat, sun in instance.weekends if work[sat] or work[sun]]
    if len(worked_weekends) > employee.max_weekends:
        listed = ", ".join(f"{sat}-{sun}" for sat, sun in worked_weekends)
        yield violation(
            MAX_WEEKENDS,
            [d for sat, sun in worked_weekends for d in (sat, sun) if work[d]],
            f"{len(worked_weekends)} weekends worked (days {listed}), "
            f"at most {employee.max_weekends}",
        )

    # 9. Fixed days off.
    for day in employee.days_off:
        if days[day]:
            yield violation(
                FIXED_DAY_OFF,
                [day],
                f"day {day}: works {', '.join(days[day])} on a fixed day off",
            )


# -- command line --------------------------------------------------------------------------


def _claims(evaluation: Evaluation, file: RosterFile) -> list[str]:
    """Disagreements between the solver's reported numbers and the re-scored roster."""
    score = evaluation.score
    if score is None:
        return []
    problems = []
    if file.objective is not None and abs(file.objective - score) > _CLAIM_TOLERANCE:
        problems.append(f"the file reports objective {file.objective:g}, the roster scores {score}")
    if file.bound is not None and file.bound > score + _CLAIM_TOLERANCE:
        problems.append(
            f"the file reports lower bound {file.bound:g}, above the roster's score {score}"
        )
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Re-score a roster file; print OK/FAIL with the breakdown. Exit 0 OK, 1 FAIL, 2 error."""
    parser = argparse.ArgumentParser(
        prog="python -m scheduler.solver.curtois.evaluate",
        description="Check a roster against a Curtois-Qu benchmark instance and re-score it "
        "(exit 0 = OK, 1 = FAIL, 2 = unreadable input).",
    )
    parser.add_argument("instance", help="instance file, e.g. Instance1.txt")
    parser.add_argument(
        "roster", help="roster: the Curtois roster JSON, or the site's tab-separated grid"
    )
    parser.add_argument(
        "--details",
        action="store_true",
        help="also list cover deviations, unmet on-requests and granted off-requests",
    )
    args = parser.parse_args(argv)

    try:
        instance = read_instance(args.instance)
        file = read_roster(instance, args.roster)
        if file.roster is None:
            print(f"{instance.name}: FAIL, {args.roster} holds no roster (status {file.status})")
            return 1
        evaluation = evaluate(instance, file.roster)
    except (OSError, CurtoisFormatError, RosterFormatError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    name = instance.name
    if not evaluation.feasible:
        count = len(evaluation.violations)
        print(f"{name}: FAIL, {count} hard violation(s); the roster is infeasible")
        for v in evaluation.violations:
            print(f"  {v}")
        print(f"  (penalty terms, not a score: {evaluation.breakdown()})")
    else:
        problems = _claims(evaluation, file)
        verdict = "FAIL" if problems else "OK"
        print(f"{name}: {verdict}, penalty {evaluation.breakdown()}")
        for problem in problems:
            print(f"  {problem}")
    if args.details:
        for title, items in (
            ("cover deviations", evaluation.cover_deviations),
            ("unmet on-requests", evaluation.unmet_on_requests),
            ("granted off-requests", evaluation.granted_off_requests),
        ):
            print(f"{title}: {len(items)}")
            for item in items:
                print(f"  {_describe(item)}")
    return 0 if evaluation.feasible and not _claims(evaluation, file) else 1


def _describe(item: CoverDeviation | ShiftRequest) -> str:
    if isinstance(item, ShiftRequest):
        return (
            f"employee {item.employee}, day {item.day}, shift {item.shift} (weight {item.weight})"
        )
    return str(item)


if __name__ == "__main__":
    sys.exit(main())
