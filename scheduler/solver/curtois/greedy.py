"""A fast row-by-row greedy for the first roster of the large instances.

Why: on the 364-day instances even one employee's CP-SAT row model takes about a second
(tight minute windows), too slow for 150 employees within a minute. This greedy walks the
days once per employee, choosing the shift with the best gain against the still-missing
cover while keeping every hard rule satisfiable (run lengths, rest, weekends, caps, minutes,
rotation). Each row is checked with the independent evaluator's rules; a row that fails is
left to the CP-SAT row model (the caller's fallback).
"""

from __future__ import annotations

from scheduler.solver.curtois.evaluate import _check_employee
from scheduler.solver.curtois.model import OFF, Grid, Tables


def row_is_feasible(tables: Tables, e: int, row: list[int]) -> bool:
    ids = tables.instance.shift_ids
    days = [() if t == OFF else (ids[t],) for t in row]
    employee = tables.instance.staff[e]
    return next(iter(_check_employee(tables.instance, employee, days)), None) is None


def greedy_row(tables: Tables, grid: Grid, e: int, pace: float = 0.8) -> list[int]:
    """A row for employee ``e`` given the other rows in ``grid`` (may break rules; check it)."""
    inst = tables.instance
    emp = inst.staff[e]
    n_days = tables.horizon
    counts: dict[tuple[int, int], int] = {}
    for i, row in enumerate(grid):
        if i == e:
            continue
        for d, t in enumerate(row):
            if t != OFF:
                counts[d, t] = counts.get((d, t), 0) + 1

    def gain(d: int, t: int) -> int:
        g = 0
        cover = tables.cover.get((d, t))
        if cover is not None:
            req, wu, wo = cover
            g += wu if counts.get((d, t), 0) < req else -wo
        for u, w in tables.on_req.get((e, d), ()):
            g += w if u == t else 0
        for u, w in tables.off_req.get((e, d), ()):
            g -= w if u == t else 0
        return g

    fixed_off = tables.day_off[e]
    cmax, kmin, omin = (
        emp.max_consecutive_shifts,
        emp.min_consecutive_shifts,
        emp.min_consecutive_days_off,
    )
    avg_len = sum(tables.minutes[t] for t in tables.allowed[e]) / max(1, len(tables.allowed[e]))
    weeks = n_days // 7
    row = [OFF] * n_days
    minutes = 0
    used = [0] * tables.n_shifts
    weekends_used = 0
    weekend_worked = [False] * weeks
    run_work = 0  # length of the current working run (0 when off)
    run_off = 0  # length of the current off run
    worked_before = False
    for d in range(n_days):
        w = d // 7
        is_weekend = d % 7 >= 5
        prev = row[d - 1] if d else OFF
        options: list[tuple[int, int]] = []
        if d not in fixed_off and run_work < cmax:
            start = prev == OFF
            ok_start = not start or not worked_before or run_off >= omin
            if start and ok_start:
                # A new run must be able to reach kmin days (or the horizon's end): no fixed
                # day off and no weekend beyond the budget in its first kmin days.
                new_weekends = set()
                for j in range(kmin):
                    k = d + j
                    if k >= n_days:
                        break
                    if k in fixed_off:
                        ok_start = False
                        break
                    if k % 7 >= 5 and not weekend_worked[k // 7]:
                        new_weekends.add(k // 7)
                if ok_start and new_weekends:
                    cap = min(emp.max_weekends, emp.max_weekends * (w + 1) / weeks + 1)
                    ok_start = weekends_used + len(new_weekends) <= cap
            elif ok_start and is_weekend and not weekend_worked[w]:
                # Continuing a run into a new weekend.
                if weekends_used >= emp.max_weekends:
                    ok_start = False
                elif weekends_used >= emp.max_weekends * (w + 1) / weeks + 1:
                    ok_start = run_work < kmin
            run_start = d - run_work
            needs_next = run_work + 1 < kmin and d + 1 < n_days and run_start > 0
            if ok_start:
                forbidden = set(tables.successors_of[prev]) if prev != OFF else set()
                for t in tables.allowed[e]:
                    if used[t] >= tables.max_shifts[e][t] or t in forbidden:
                        continue
                    if minutes + tables.minutes[t] > emp.max_total_minutes:
                        continue
                    if needs_next and not _has_next(tables, e, d + 1, t, used, minutes):
                        continue
                    options.append((gain(d, t), t))
        must_work = (
            0 < run_work < kmin and d > 0 and run_work < d + 1 and _run_is_inner(row, d, run_work)
        )
        need = emp.min_total_minutes - minutes
        remaining = sum(1 for k in range(d, n_days) if k not in fixed_off)
        behind = need > 0 and need / avg_len >= remaining * cmax / (cmax + omin) * pace
        choice = OFF
        if options:
            best_gain, best_t = max(options)
            if (
                must_work
                or behind
                or (best_gain > 0 and need > 0)
                or (
                    best_gain > 0
                    and minutes + tables.minutes[best_t] <= emp.max_total_minutes
                    and need > -avg_len
                )
            ):
                choice = best_t
        if choice == OFF and run_work and run_work < kmin and must_work and options:
            choice = max(options)[1]
        row[d] = choice
        if choice == OFF:
            run_off += 1
            run_work = 0
        else:
            worked_before = True
            run_work += 1
            run_off = 0
            minutes += tables.minutes[choice]
            used[choice] += 1
            if is_weekend and not weekend_worked[w]:
                weekend_worked[w] = True
                weekends_used += 1
    return row


def _run_is_inner(row: list[int], d: int, run_work: int) -> bool:
    """The working run ending at day d-1 started after day 0 (so it must reach kmin)."""
    return d - run_work > 0


def _has_next(tables: Tables, e: int, d: int, t: int, used: list[int], minutes: int) -> bool:
    """Some shift can follow ``t`` on day ``d`` (so a short run can be extended)."""
    if d in tables.day_off[e]:
        return False
    emp = tables.instance.staff[e]
    minutes += tables.minutes[t]
    forbidden = tables.successors_of[t]
    for u in tables.allowed[e]:
        if u in forbidden:
            continue
        if used[u] + (1 if u == t else 0) >= tables.max_shifts[e][u]:
            continue
        if minutes + tables.minutes[u] <= emp.max_total_minutes:
            return True
    return False
