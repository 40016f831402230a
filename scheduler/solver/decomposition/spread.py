"""A lower bound on the unsocial spread that any roster must pay.

When a roster is decomposed week by week, the week masters leave the spread out (it is
the one term that adds up over weeks, as a maximum minus a minimum). What any roster pays
for it is bounded on its own, and a bound on a sum may add bounds on its parts:

- every unsocial shift needs ``min_staff`` people (when understaffing is not allowed), so
  at least ``U`` unsocial assignments are made;
- person p can hold at most ``cap_p`` unsocial shifts (their most, alone, under H2-H9:
  found by the same labelling as pricing);
- so the most anyone holds is at least the "water level" ``L``, the smallest with
  ``sum_p min(cap_p, L) >= U``, and the least anyone holds is at most ``min_p cap_p``.

The spread is at least ``L - min_p cap_p`` (measured: the whole-period LP pays exactly
this on M-4weeks and L-3libraries, so nothing is lost by leaving it out of the weeks).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from scheduler.solver.decomposition.blocks import Block
from scheduler.solver.decomposition.labelling import label
from scheduler.solver.index import Index

_BIG = 1e7  # per unsocial shift: dwarfs every other term of one person's schedule


def unsocial_caps(idx: Index, blocks: Sequence[Block]) -> dict[int, int]:
    """The most unsocial shifts each first-line person can hold over the period."""
    caps = dict.fromkeys(idx.first_line, 0)
    wt = idx.problem.rules.weights["target"]
    for block in blocks:
        unsocial = [s for s in block.shifts if idx.shifts[s].unsocial]
        if not unsocial:
            continue
        if block.segments is None:
            caps[block.person] += len(unsocial)  # an upper bound is enough
            continue
        price = {s: (-_BIG if idx.shifts[s].unsocial else 0.0) for s in block.shifts}
        best = label(block, price, wt, keep=1).best
        if math.isfinite(best):
            caps[block.person] += max(0, math.ceil(-best / _BIG - 1e-9))
    return caps


def spread_lower_bound(idx: Index, blocks: Sequence[Block]) -> int:
    """Unweighted: the fewest (most - least) unsocial shifts any roster can have."""
    if len(idx.first_line) < 2 or idx.problem.rules.allow_understaffing:
        return 0
    need = sum(sh.min_staff for s, sh in enumerate(idx.problem.shifts) if idx.shifts[s].unsocial)
    caps = list(unsocial_caps(idx, blocks).values())
    if need <= 0 or sum(caps) < need:
        return 0  # nothing to share out (or no roster at all: others will say so)
    level = 0
    while sum(min(c, level) for c in caps) < need:
        level += 1
    return max(0, level - min(caps))
