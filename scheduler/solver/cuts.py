"""Redundant constraints that only tighten the linear relaxation of a scored model.

Integer solutions are unchanged; fractional ones lose the cheap "1.3 duty days" the plain
model allows, which is what CP-SAT's bounds (and its LP-guided search) live on.
"""

from __future__ import annotations

import math
from collections import defaultdict

from scheduler.solver.index import cap_minutes
from scheduler.solver.rules.context import Context

LEVELS_MAX = 40  # worked-minute levels per person-week up to which they are encoded


def add_cuts(ctx: Context) -> None:
    """Per day: no minutes without a duty day, and enough duty blocks for the minutes;
    per week: the minutes' levels tied to the deviation, duty days and blocks."""
    info = ctx.idx.shifts
    rules = ctx.rules
    block_cap = (
        None if rules.max_consecutive_hours is None else cap_minutes(rules.max_consecutive_hours)
    )
    for p in ctx.persons:
        most_day = cap_minutes(ctx.idx.problem.staff[p].max_hours_per_day)
        for d, ds in ctx.per_day(p).items():
            most = min(most_day, sum(info[s].minutes for s in ds))
            minutes = ctx.minutes(p, ds)
            ctx.model.add(minutes <= most * ctx.duty(p, d))
            if block_cap is not None and most > block_cap:
                ctx.model.add(minutes <= block_cap * sum(ctx.block_starts(p, d)))
        _week_levels(ctx, p, most_day, block_cap)


def _week_levels(ctx: Context, p: int, most_day: int, block_cap: int | None) -> None:
    """A person's minutes in a week take one of a few values (multiples of the shifts'
    common divisor); one Boolean per value, exactly one true, ties the minutes to the
    target deviation exactly and to the fewest duty days (days hold at most
    ``most_day`` minutes) and duty blocks (blocks span at most ``block_cap``) they need.
    """
    info = ctx.idx.shifts
    m = ctx.model
    t_hours = ctx.idx.problem.staff[p].target_hours_per_week
    target = None if t_hours is None else round(t_hours * 60)
    days_of: dict[int, list[int]] = defaultdict(list)
    for d, ds in ctx.per_day(p).items():
        days_of[info[ds[0]].week].append(d)
    for w, ws in ctx.per_week(p).items():
        dev = ctx.deviation.get((p, w))
        if dev is None and not days_of.get(w):
            continue
        g = 0
        for s in ws:
            g = math.gcd(g, info[s].minutes)
        total = sum(info[s].minutes for s in ws)
        if not g or total // g + 1 > LEVELS_MAX:
            continue
        levels = list(range(0, total + 1, g))
        ys = [m.new_bool_var(f"level(p={p},w={w},m={h})") for h in levels]
        m.add_exactly_one(ys)
        m.add(ctx.minutes(p, ws) == sum(h * y for h, y in zip(levels, ys, strict=True)))
        if dev is not None and target is not None:
            m.add(dev == sum(abs(h - target) * y for h, y in zip(levels, ys, strict=True)))
        days = days_of.get(w, [])
        if days and most_day > 0:
            m.add(
                sum(ctx.duty(p, d) for d in days)
                >= sum(-(-h // most_day) * y for h, y in zip(levels, ys, strict=True))
            )
        if days and block_cap:
            starts = [v for d in days for v in ctx.block_starts(p, d)]
            m.add(
                sum(starts) >= sum(-(-h // block_cap) * y for h, y in zip(levels, ys, strict=True))
            )
