"""Score a set of assignments exactly as ROSTER-FORMAT.md counts the objective.

The search uses it to compare rosters it builds piecewise and to report each term's
weighted contribution; it mirrors ``check_roster.py`` term by term in integer minutes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from scheduler.solver.index import Index
from scheduler.solver.problem import TERMS, Uncovered


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

    worked: dict[tuple[int, int], int] = defaultdict(int)
    for p, ss in by_person.items():
        for s in ss:
            worked[(p, idx.shifts[s].week)] += idx.shifts[s].minutes
    for p, person in enumerate(problem.staff):
        if person.target_hours_per_week is not None:
            t = round(person.target_hours_per_week * 60)
            counts["target"] += sum(abs(worked[(p, w)] - t) for w in range(problem.weeks))

    brk = rules.min_break_minutes
    for p, ss in by_person.items():
        counts["preference"] += sum(idx.pref_cost.get((p, s), 0) for s in ss)
        days: dict[int, list[int]] = defaultdict(list)
        for s in ss:
            days[idx.shifts[s].day].append(s)
        counts["duty_days"] += len(days)
        for ds in days.values():
            blocks, last_end = 0, None
            for s in sorted(ds, key=lambda s: idx.shifts[s].start):
                info = idx.shifts[s]
                if last_end is not None and info.start - last_end < brk:
                    last_end = max(last_end, info.end)
                else:
                    blocks += 1
                    last_end = info.end
            counts["split_duty"] += blocks - 1

    if idx.first_line:
        unsocial = [
            sum(1 for s in by_person.get(p, []) if idx.shifts[s].unsocial) for p in idx.first_line
        ]
        counts["unsocial_spread"] = max(unsocial) - min(unsocial)
    for a in problem.previous:
        if (idx.staff_pos[a.staff], idx.shift_pos[a.shift]) not in held:
            counts["change"] += 1
    terms = {k: rules.weights[k] * v for k, v in counts.items()}
    uncovered.sort(key=lambda u: idx.shift_pos[u.shift])
    return terms, uncovered
