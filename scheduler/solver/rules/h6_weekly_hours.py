"""H6 weekly hours: at most ``max_hours_per_week``, at least ``min(min_hours_per_week, E)``.

E (``Index.owed``) is the length of the union of the week's shifts the person could take,
so someone away all week owes nothing. The minimum is behind a guard: the explanation
core names it when it clashes with other requirements.
"""

from __future__ import annotations

from scheduler.solver.index import cap_minutes
from scheduler.solver.rules.context import Context


def add_h6_weekly_hours(ctx: Context) -> None:
    idx = ctx.idx
    for p in ctx.persons:
        person = idx.problem.staff[p]
        cap = None if person.max_hours_per_week is None else cap_minutes(person.max_hours_per_week)
        weeks = ctx.per_week(p)
        for w in sorted(ctx.weeks):
            ss = weeks.get(w, [])
            worked = ctx.minutes(p, ss)
            owed = idx.owed[(p, w)]
            if owed > 0:
                need = ctx.model.add(worked >= owed)
                lit = ctx.guard("H6", (p, w))
                if lit is not None:
                    need.only_enforce_if(lit)
            if cap is not None and sum(idx.shifts[s].minutes for s in ss) > cap:
                ctx.model.add(worked <= cap)
