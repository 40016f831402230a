"""H8 breaks: no duty block longer than ``max_consecutive_hours``.

A duty block is a run of a person's shifts each starting less than ``min_break_minutes``
after the previous one ends. Every *minimal* chain of shifts that would form a block
longer than the limit gets the clause "not all of these"; longer chains contain one.
"""

from __future__ import annotations

import bisect

from scheduler.solver.index import cap_minutes
from scheduler.solver.rules.context import Context


def add_h8_breaks(ctx: Context) -> None:
    rules = ctx.rules
    if rules.max_consecutive_hours is None:
        return
    cap = cap_minutes(rules.max_consecutive_hours)
    brk = rules.min_break_minutes
    info = ctx.idx.shifts
    for p in ctx.persons:
        ss = ctx.vars.by_person.get(p, [])
        begins = [info[s].start for s in ss]
        succ: dict[int, list[int]] = {}
        for s in ss:
            lo = bisect.bisect_left(begins, info[s].end)
            hi = bisect.bisect_left(begins, info[s].end + brk)
            succ[s] = ss[lo:hi]
        for first in ss:
            start = info[first].start
            stack = [[first]]
            while stack:
                path = stack.pop()
                if info[path[-1]].end - start > cap:
                    ctx.model.add_bool_or([~ctx.x(p, s) for s in path])
                    continue
                stack.extend([*path, q] for q in succ[path[-1]])
