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
from collections.abc import Iterable, Mapping, Sequence

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


# Spread prices go on this many people at each end (measured on the 10-library, 8-week
# scenario, seed 1: the week LPs' bound 26,610 rises to 27,570 with 2 or 3 people, to
# 27,528 with 5, 27,240 with 10 and 27,093 with 20).
SPREAD_PRICE_PEOPLE = 2


def total_usage(usages: Iterable[Mapping[int, float]], people: Iterable[int]) -> dict[int, float]:
    """The unsocial shifts each of ``people`` holds over the period, from each week
    group's (``Relaxation.usage``)."""
    total = dict.fromkeys(people, 0.0)
    for held in usages:
        for p, u in held.items():
            total[p] = total.get(p, 0.0) + u
    return total


def spread_prices(
    usage: Mapping[int, float], weight: float, people: int = SPREAD_PRICE_PEOPLE
) -> dict[int, float]:
    """A price per unsocial shift and person that week LPs may carry in place of the
    spread, from how many unsocial shifts each first-line person holds (``usage``, e.g.
    in the week LPs' solutions): ``weight / people`` on the ``people`` who hold the most,
    minus the same on those who hold the fewest.

    Why it keeps the week LPs a relaxation: for any a, b >= 0 with sum a = sum b = w,
    ``w * (max U - min U) >= sum_p a_p U_p - sum_p b_p U_p`` (a weighted mean lies
    between the least and the most). So the objective is at least the sum over week
    groups of each group's part with a price ``a_p - b_p`` on each unsocial shift of p,
    and the groups' LP bounds with those prices add up to a bound on the roster: a
    Lagrangian relaxation of the spread's rows. Where the same few people hold the most
    unsocial shifts in every roster (they like evenings and weekends), the price makes
    the bound pay their share of the spread, which the week LPs alone leave at 0."""
    order = sorted(usage, key=lambda p: (usage[p], p))
    k = min(people, len(order) // 2)
    if k < 1 or not weight:
        return {}
    prices = dict.fromkeys(order, 0.0)
    for p in order[-k:]:
        prices[p] += weight / k
    for p in order[:k]:
        prices[p] -= weight / k
    return prices
