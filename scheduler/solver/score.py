"""Score a set of assignments exactly as ROSTER-FORMAT.md counts the objective.

The search uses it to compare rosters it builds piecewise and to report each term's
weighted contribution; it mirrors ``check_roster.py`` term by term in integer minutes.
:func:`person_counts` is the part that belongs to one person over some weeks: the
decomposition prices a person's week with exactly these counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from scheduler.solver.index import Index
from scheduler.solver.problem import TERMS, Uncovered


@dataclass(frozen=True, slots=True)
class PersonCounts:
    """Unweighted counts of one person's schedule over some weeks."""

    target: int  # minutes away from the weekly target, summed over the weeks
    preference: int  # preference overlap minutes x weight
    duty_days: int
    split_duty: int  # duty blocks beyond the first, summed over days
    kept: int  # previous assignments kept
    unsocial: int  # unsocial shifts held

    def cost(self, weights: dict[str, int]) -> int:
        """The weighted part of the objective this schedule decides on its own (a kept
        previous assignment saves one ``change``)."""
        return (
            weights["target"] * self.target
            + weights["preference"] * self.preference
            + weights["duty_days"] * self.duty_days
            + weights["split_duty"] * self.split_duty
            - weights["change"] * self.kept
        )


def person_counts(idx: Index, p: int, shifts: Iterable[int], weeks: Iterable[int]) -> PersonCounts:
    """Counts for person ``p`` holding ``shifts`` (all inside ``weeks``).

    One pass over the shifts in time order (the descent asks hundreds of thousands of
    times): a day's duty blocks are counted as its shifts come."""
    info = idx.shifts
    brk = idx.problem.rules.min_break_minutes
    pref = idx.pref_cost
    previous = idx.previous
    worked: dict[int, int] = {}
    preference = kept = unsocial = days = split = 0
    day = last_end = -1
    for s in sorted(shifts, key=idx.rank.__getitem__):
        sh = info[s]
        worked[sh.week] = worked.get(sh.week, 0) + sh.minutes
        if pref:
            preference += pref.get((p, s), 0)
        if previous and (p, s) in previous:
            kept += 1
        if sh.unsocial:
            unsocial += 1
        if sh.day != day:
            days += 1
            day, last_end = sh.day, sh.end
        elif sh.start - last_end < brk:
            last_end = max(last_end, sh.end)
        else:
            split += 1  # a new duty block that day
            last_end = sh.end
    target = 0
    t_hours = idx.problem.staff[p].target_hours_per_week
    if t_hours is not None:
        t = round(t_hours * 60)
        target = sum(abs(worked.get(w, 0) - t) for w in weeks)
    return PersonCounts(target, preference, days, split, kept, unsocial)


def score(idx: Index, pairs: Iterable[tuple[int, int]]) -> tuple[dict[str, int], list[Uncovered]]:
    """Weighted contribution per term, and the shifts short of ``min_staff``."""
    problem = idx.problem
    rules = problem.rules
    held = set(pairs)
    counts = dict.fromkeys(TERMS, 0)
    on_shift: dict[int, int] = defaultdict(int)
    by_person: dict[int, list[int]] = defaultdict(list)
    for p, s in held:
        on_shift[s] += 1
        by_person[p].append(s)

    uncovered = []
    for s, sh in enumerate(problem.shifts):
        missing = sh.min_staff - on_shift[s]
        if missing > 0:
            uncovered.append(Uncovered(sh.id, missing))
            if rules.allow_understaffing:
                counts["understaffing"] += missing * idx.shifts[s].minutes

    weeks = range(problem.weeks)
    unsocial = {}
    for p in range(len(problem.staff)):
        c = person_counts(idx, p, by_person.get(p, ()), weeks)
        counts["target"] += c.target
        counts["preference"] += c.preference
        counts["duty_days"] += c.duty_days
        counts["split_duty"] += c.split_duty
        unsocial[p] = c.unsocial
    if idx.first_line:
        held_unsocial = [unsocial[p] for p in idx.first_line]
        counts["unsocial_spread"] = max(held_unsocial) - min(held_unsocial)
    for a in problem.previous:
        if (idx.staff_pos[a.staff], idx.shift_pos[a.shift]) not in held:
            counts["change"] += 1
    terms = {k: rules.weights[k] * v for k, v in counts.items()}
    uncovered.sort(key=lambda u: idx.shift_pos[u.shift])
    return terms, uncovered
