"""H9 pins: every pinned assignment is in the roster.

A pin the person may not hold (away, unskilled, not first line) has no variable: the
model then has no solution (or, in the explanation core, the pin's assumption is false).
"""

from __future__ import annotations

from scheduler.solver.rules.context import Context


def add_h9_pins(ctx: Context) -> None:
    idx = ctx.idx
    in_scope = set(ctx.shifts)
    persons = set(ctx.persons)
    for a in idx.problem.pinned:
        s, p = idx.shift_pos[a.shift], idx.staff_pos[a.staff]
        if s not in in_scope or (not ctx.whole_staff and p not in persons):
            continue
        lit = ctx.guard("H9", (p, s))
        var = ctx.vars.is_assigned(p, s)
        if var is not None:
            pin = ctx.model.add(var == 1)
            if lit is not None:
                pin.only_enforce_if(lit)
            continue
        ctx.impossible_pins.append((p, s))
        ctx.model.add_bool_or([] if lit is None else [~lit])
