"""H2 one place at a time: nobody holds two shifts that overlap in time.

One at-most-one per maximal set of a person's shifts running at one shift's start (a
sweep over the shifts by start), rather than one clause per overlapping pair.
"""

from __future__ import annotations

from scheduler.solver.rules.context import Context


def add_h2_one_place(ctx: Context) -> None:
    info = ctx.idx.shifts
    for p in ctx.persons:
        ss = ctx.vars.by_person.get(p, [])  # sorted by start
        seen: set[frozenset[int]] = set()
        running: list[int] = []
        for s in ss:
            running = [q for q in running if info[q].end > info[s].start]
            running.append(s)
            if len(running) > 1:
                key = frozenset(running)
                if key not in seen:
                    seen.add(key)
                    ctx.model.add_at_most_one(ctx.x(p, q) for q in running)
