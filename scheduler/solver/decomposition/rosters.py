"""Integer rosters from the relaxation: a dive per week group, then the column MIP.

- :func:`dive_group` follows the group's LP down to one column per block
  (``colgen.dive``: fix the most-used columns, re-price the rest, repeat).
- :func:`column_mip` picks one generated column per block of a group with CP-SAT, the
  unsocial spread included: the other groups' unsocial shifts come in as fixed offsets,
  so the choice is exact for the whole roster with the other weeks as they are.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from scheduler.solver import colgen
from scheduler.solver.decomposition.relaxation import Group

Pairs = frozenset[tuple[int, int]]


def dive_group(g: Group, deadline: float, stop: Any = None) -> Pairs | None:
    """A roster for the group's weeks from a dive, or None if the dive fails."""
    choice = colgen.dive(g.master.cg, g.pricer, deadline=deadline, stop=stop)
    if choice is None:
        return None
    return g.master.roster(choice)


def column_mip(
    g: Group,
    *,
    time_limit: float,
    incumbent: Iterable[tuple[int, int]],
    offsets: Mapping[int, int],
    first_line: list[int],
    seed: int = 0,
    workers: int = 1,
    stop_event: threading.Event | None = None,
    deterministic: bool = False,
) -> tuple[Pairs, bool] | None:
    """The best choice of generated columns for the group (and whether it is proven best
    among them), hinted with the incumbent's columns (added to the master if new)."""
    rm = g.master
    cg = rm.cg
    hint = []
    for col in rm.columns_of(incumbent):
        c = cg.add_column(col)
        if c is None:
            c = next(i for i in cg.by_block[col.block] if cg.columns[i].data == col.data)
        hint.append(c)
    weight = rm.weights["unsocial_spread"]

    def extend(model: Any, chosen: Mapping[int, Any]) -> Any:
        if not weight or len(first_line) < 2 or rm.spread_vars is not None:
            return 0  # no spread, or the master has it in its rows already
        held: dict[int, list] = {p: [] for p in first_line}
        for c, y in chosen.items():
            col = cg.columns[c]
            u = rm.unsocial_of(col)
            if u:
                held[rm.blocks[col.block].person].append(u * y)
        top = max(offsets.values(), default=0) + len(rm.cover)
        umax = model.new_int_var(0, top, "umax")
        umin = model.new_int_var(0, top, "umin")
        for p in first_line:
            total = sum(held[p]) + offsets.get(p, 0)
            model.add(umax >= total)
            model.add(umin <= total)
        return weight * (umax - umin)

    res = colgen.solve_integer(
        cg,
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        hint=hint,
        stop_event=stop_event,
        extend=extend,
        deterministic=deterministic,
    )
    if res is None:
        return None
    return rm.roster(res.choice), res.optimal
