"""H7 daily hours: at most ``max_hours_per_day`` on a local day (a shift counts on the
day it starts)."""

from __future__ import annotations

from scheduler.solver.index import cap_minutes
from scheduler.solver.rules.context import Context


def add_h7_daily_hours(ctx: Context) -> None:
    info = ctx.idx.shifts
    for p in ctx.persons:
        cap = cap_minutes(ctx.idx.problem.staff[p].max_hours_per_day)
        for ds in ctx.per_day(p).values():
            if sum(info[s].minutes for s in ds) > cap:
                ctx.model.add(ctx.minutes(p, ds) <= cap)
