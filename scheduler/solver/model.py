"""The CP-SAT model of a roster: one boolean per eligible (staff, shift) pair.

Hard rules H1–H9 are constraints; H3–H5 hold by construction (no variable for a pair
the person may not take). Every auxiliary variable (shortfall, deviation, duty day,
block start, unsocial max/min) is tied to the assignment exactly, not just bounded, so
the model's objective of *any* solution equals the objective the checker recomputes.

A model can cover only some weeks (``weeks``) with other assignments fixed
(``fixed``): the search builds one week at a time that way before it improves the
whole roster.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.solver.index import Index, cap_minutes


@dataclass
class RosterModel:
    """A built model and the handles the search needs."""

    model: cp_model.CpModel
    x: dict[tuple[int, int], cp_model.IntVar]  # (staff, shift) -> assigned
    shifts: list[int]  # the shifts this model covers
    impossible_pins: list[tuple[int, int]] = field(default_factory=list)
    var_index: dict[tuple[int, int], int] = field(default_factory=dict)


def build_model(
    idx: Index,
    *,
    weeks: Iterable[int] | None = None,
    fixed: set[tuple[int, int]] | None = None,
    fixed_weeks: Iterable[int] = (),
    unsocial_offset: dict[int, int] | None = None,
    unsocial: bool = True,
    scored: bool = True,
) -> RosterModel:
    """Build the model over ``weeks`` (all when None).

    Shifts in ``fixed_weeks`` (a subset of ``weeks``) are fixed to the pairs in ``fixed``;
    ``unsocial_offset`` adds unsocial shifts already held in weeks the model leaves out.
    ``unsocial=False`` leaves out the unsocial spread (the one term spanning weeks);
    ``scored=False`` builds the hard rules only, for a first roster fast.
    """
    problem = idx.problem
    rules = problem.rules
    wts = rules.weights
    present_weeks = set(range(problem.weeks) if weeks is None else weeks)
    frozen = set(fixed_weeks)
    fixed = fixed or set()
    shifts = [s for w in sorted(present_weeks) for s in idx.shifts_by_week[w]]
    present = set(shifts)
    m = cp_model.CpModel()
    objective: list = []
    const = 0

    # Variables: eligible pairs only (H3 availability, H4 skills, H5 first line).
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    mine: dict[int, list[int]] = {}
    for p in idx.first_line:
        ss = [s for s in idx.eligible[p] if s in present]
        ss.sort(key=lambda s: (idx.shifts[s].start, idx.shifts[s].end))
        mine[p] = ss
        for s in ss:
            v = m.new_bool_var(f"x{p}_{s}")
            x[(p, s)] = v
            if idx.shifts[s].week in frozen:
                m.add(v == int((p, s) in fixed))
    on_shift: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for (_p, s), v in x.items():
        on_shift[s].append(v)

    # H1 headcount (with a penalised shortfall when understaffing is allowed).
    for s in shifts:
        sh = problem.shifts[s]
        n = sum(on_shift[s])
        if rules.allow_understaffing:
            m.add(n <= sh.max_staff)
            if sh.min_staff > 0:
                short = m.new_int_var(0, sh.min_staff, f"short{s}")
                m.add_max_equality(short, [0, sh.min_staff - n])
                objective.append(wts["understaffing"] * idx.shifts[s].minutes * short)
        else:
            m.add_linear_constraint(n, sh.min_staff, sh.max_staff)

    # H9 pins.
    impossible = []
    for a in problem.pinned:
        s, p = idx.shift_pos[a.shift], idx.staff_pos[a.staff]
        if s not in present:
            continue
        if (p, s) in x:
            m.add(x[(p, s)] == 1)
        else:
            impossible.append((p, s))
            m.add_bool_or([])  # a pin the person cannot hold: no roster exists

    brk = rules.min_break_minutes
    max_day = {p: cap_minutes(problem.staff[p].max_hours_per_day) for p in idx.first_line}
    block_cap = (
        None if rules.max_consecutive_hours is None else cap_minutes(rules.max_consecutive_hours)
    )
    unsocial_counts = []
    for p in idx.first_line:
        ss = mine[p]
        info = [idx.shifts[s] for s in ss]
        person = problem.staff[p]

        # H2: one AtMostOne per maximal set of shifts running at one shift's start.
        # ss is sorted by start, so a sweep keeps the shifts still running.
        seen_cliques: set[frozenset[int]] = set()
        running: list[int] = []
        for k, sj in enumerate(info):
            running = [j for j in running if info[j].end > sj.start]
            running.append(k)
            clique = [ss[j] for j in running]
            if len(clique) > 1:
                key = frozenset(clique)
                if key not in seen_cliques:
                    seen_cliques.add(key)
                    m.add_at_most_one(x[(p, s)] for s in clique)

        # H6 weekly hours; target deviation per week.
        per_week: dict[int, list[int]] = defaultdict(list)
        for s in ss:
            per_week[idx.shifts[s].week].append(s)
        target = person.target_hours_per_week
        devs: dict[int, cp_model.IntVar] = {}
        for w in present_weeks:
            worked = sum(idx.shifts[s].minutes * x[(p, s)] for s in per_week.get(w, []))
            total = sum(idx.shifts[s].minutes for s in per_week.get(w, []))
            owed = idx.owed[(p, w)]
            if owed > 0:
                m.add(worked >= owed)
            if person.max_hours_per_week is not None:
                cap = cap_minutes(person.max_hours_per_week)
                if total > cap:
                    m.add(worked <= cap)
            if target is not None and scored:
                t = round(target * 60)
                if not per_week.get(w):
                    const += wts["target"] * abs(t)
                else:
                    # Hours come in whole shifts: never closer to t than the grid allows.
                    g = 0
                    for s in per_week[w]:
                        g = math.gcd(g, idx.shifts[s].minutes)
                    near = min(t % g, g - t % g) if g else 0
                    dev = m.new_int_var(near, max(abs(t), abs(total - t)), f"dev{p}_{w}")
                    m.add_abs_equality(dev, worked - t)
                    objective.append(wts["target"] * dev)
                    devs[w] = dev

        # H7 daily hours; duty days; split duty (block starts on the day).
        per_day: dict[int, list[int]] = defaultdict(list)
        for s in ss:
            per_day[idx.shifts[s].day].append(s)
        day_duty: dict[int, cp_model.IntVar] = {}
        day_starts: dict[int, list] = {}
        for d, ds in per_day.items():
            xs = [x[(p, s)] for s in ds]
            minutes = sum(idx.shifts[s].minutes * x[(p, s)] for s in ds)
            most = min(max_day[p], sum(idx.shifts[s].minutes for s in ds))
            if not scored:
                if most < sum(idx.shifts[s].minutes for s in ds):
                    m.add(minutes <= most)  # H7 alone
                continue
            duty = m.new_bool_var(f"duty{p}_{d}")
            m.add_max_equality(duty, xs)
            # H7, and a cut: no minutes on a day off.
            m.add(minutes <= most * duty)
            starts = []
            for s in ds:
                preds = [
                    q for q in ds if 0 <= idx.shifts[s].start - idx.shifts[q].end < brk and q != s
                ]
                if not preds:
                    starts.append(x[(p, s)])
                    continue
                bs = m.new_bool_var(f"bs{p}_{s}")
                m.add_implication(bs, x[(p, s)])
                for q in preds:
                    m.add_implication(bs, x[(p, q)].Not())
                m.add(bs >= x[(p, s)] - sum(x[(p, q)] for q in preds))
                starts.append(bs)
            # Blocks beyond the first: never negative (the day's first shift starts one),
            # and enough of them to fit the day's minutes into blocks of block_cap.
            extra = m.new_int_var(0, len(ds), f"split{p}_{d}")
            m.add(extra == sum(starts) - duty)
            if block_cap is not None and most > block_cap:
                m.add(minutes <= block_cap * sum(starts))
            objective.append(wts["duty_days"] * duty + wts["split_duty"] * extra)
            day_duty[d] = duty
            day_starts[d] = starts
        if scored:
            _add_week_levels(
                m,
                x,
                idx,
                p,
                per_week,
                per_day,
                day_duty,
                day_starts,
                devs,
                None if target is None else round(target * 60),
                max_day[p],
                block_cap,
            )

        # H8 duty blocks: forbid every minimal chain of shifts spanning too long.
        if block_cap is not None:
            begins = [idx.shifts[s].start for s in ss]
            succ: dict[int, list[int]] = {}
            for s in ss:
                end = idx.shifts[s].end
                lo = bisect.bisect_left(begins, end)
                hi = bisect.bisect_left(begins, end + brk)
                succ[s] = ss[lo:hi]
            for s in ss:
                _forbid_long_chains(m, x, p, idx, s, succ, block_cap)

        # Preferences.
        for s in ss:
            cost = idx.pref_cost.get((p, s))
            if cost:
                objective.append(cost * x[(p, s)])
        unsocial_counts.append(
            sum(x[(p, s)] for s in ss if idx.shifts[s].unsocial) + (unsocial_offset or {}).get(p, 0)
        )

    # Unsocial spread over every first-line person.
    if scored and unsocial and unsocial_counts and wts["unsocial_spread"]:
        hi = len(present) + max((unsocial_offset or {}).values(), default=0)
        umax = m.new_int_var(0, hi, "unsocial_max")
        umin = m.new_int_var(0, hi, "unsocial_min")
        m.add_max_equality(umax, unsocial_counts)
        m.add_min_equality(umin, unsocial_counts)
        objective.append(wts["unsocial_spread"] * (umax - umin))

    # Targets of people who hold no variables (second line, or nothing they can take).
    for p, person in enumerate(problem.staff):
        if person.target_hours_per_week is not None and p not in mine:
            const += (
                wts["target"] * abs(round(person.target_hours_per_week * 60)) * len(present_weeks)
            )

    # Changes against the previous roster.
    for a in problem.previous:
        s, p = idx.shift_pos[a.shift], idx.staff_pos[a.staff]
        if s not in present:
            continue
        const += wts["change"]
        if (p, s) in x:
            objective.append(-wts["change"] * x[(p, s)])

    if scored:
        m.minimize(sum(objective) + const)
    rm = RosterModel(model=m, x=x, shifts=shifts, impossible_pins=impossible)
    rm.var_index = {k: v.index for k, v in x.items()}
    return rm


LEVELS_MAX = 40  # worked-minute levels per person-week up to which they are encoded


def _add_week_levels(
    m: cp_model.CpModel,
    x: dict[tuple[int, int], cp_model.IntVar],
    idx: Index,
    p: int,
    per_week: dict[int, list[int]],
    per_day: dict[int, list[int]],
    day_duty: dict[int, cp_model.IntVar],
    day_starts: dict[int, list],
    devs: dict[int, cp_model.IntVar],
    target: int | None,
    most_day: int,
    block_cap: int | None,
) -> None:
    """Redundant cuts tightening the linear relaxation (the weekly bounds come from it).

    A person's minutes in a week take one of a few values (multiples of the shifts'
    common divisor); one boolean per value, exactly one true, ties the hours to the
    target deviation exactly and to the fewest duty days (days hold at most
    ``most_day`` minutes) and duty blocks (blocks span at most ``block_cap``) those
    minutes need. Integer solutions are unchanged; fractional ones lose the cheap
    "1.3 duty days" the plain model allows.
    """
    days_of: dict[int, list[int]] = defaultdict(list)
    for d, ds in per_day.items():
        days_of[idx.shifts[ds[0]].week].append(d)
    for w, ws in per_week.items():
        if w not in devs and not days_of.get(w):
            continue
        g = 0
        for s in ws:
            g = math.gcd(g, idx.shifts[s].minutes)
        total = sum(idx.shifts[s].minutes for s in ws)
        if not g or total // g + 1 > LEVELS_MAX:
            continue
        levels = list(range(0, total + 1, g))
        ys = [m.new_bool_var(f"lvl{p}_{w}_{h}") for h in levels]
        m.add_exactly_one(ys)
        m.add(
            sum(idx.shifts[s].minutes * x[(p, s)] for s in ws)
            == sum(h * y for h, y in zip(levels, ys, strict=True))
        )
        dev = devs.get(w)
        if dev is not None and target is not None:
            m.add(dev == sum(abs(h - target) * y for h, y in zip(levels, ys, strict=True)))
        days = days_of.get(w, [])
        if days and most_day > 0:
            m.add(
                sum(day_duty[d] for d in days)
                >= sum(-(-h // most_day) * y for h, y in zip(levels, ys, strict=True))
            )
        if days and block_cap:
            starts = [v for d in days for v in day_starts[d]]
            m.add(
                sum(starts) >= sum(-(-h // block_cap) * y for h, y in zip(levels, ys, strict=True))
            )


def _forbid_long_chains(
    m: cp_model.CpModel,
    x: dict[tuple[int, int], cp_model.IntVar],
    p: int,
    idx: Index,
    first: int,
    succ: dict[int, list[int]],
    cap: int,
) -> None:
    """Every chain from ``first`` whose span first exceeds ``cap`` cannot be held whole."""
    start = idx.shifts[first].start
    stack: list[list[int]] = [[first]]
    while stack:
        path = stack.pop()
        end = idx.shifts[path[-1]].end
        if end - start > cap:
            m.add_bool_or([x[(p, s)].Not() for s in path])
            continue
        for q in succ[path[-1]]:
            stack.append([*path, q])
