"""Term ``target``: per person with a target and week, |minutes worked - target|.

A deviation variable per person-week, tied exactly by an absolute-value equality and
never below what whole shifts allow (the week's shift lengths' common divisor). Weeks
without shifts, and people without any variable here, add a constant.
"""

from __future__ import annotations

import math

from scheduler.solver.rules.context import Context, Term


def target(ctx: Context) -> Term:
    idx = ctx.idx
    problem = idx.problem
    info = idx.shifts
    m = ctx.model
    terms: list = []
    const = 0
    for p in ctx.persons:
        t_hours = problem.staff[p].target_hours_per_week
        if t_hours is None:
            continue
        t = round(t_hours * 60)
        weeks = ctx.per_week(p)
        for w in sorted(ctx.weeks):
            ss = weeks.get(w)
            if not ss:
                const += abs(t)
                continue
            g = 0
            for s in ss:
                g = math.gcd(g, info[s].minutes)
            near = min(t % g, g - t % g) if g else 0
            total = sum(info[s].minutes for s in ss)
            dev = m.new_int_var(near, max(abs(t), abs(total - t)), f"deviation(p={p},w={w})")
            m.add_abs_equality(dev, ctx.minutes(p, ss) - t)
            ctx.deviation[(p, w)] = dev
            terms.append(dev)
    if ctx.whole_staff:
        inside = set(ctx.persons)
        for p, person in enumerate(problem.staff):
            if person.target_hours_per_week is not None and p not in inside:
                const += abs(round(person.target_hours_per_week * 60)) * len(ctx.weeks)
    return Term("target", ctx.rules.weights["target"], sum(terms) + const)
