"""Exact pricing of a person-block by labelling over its days.

Given a linear price per shift (preference, previous roster, duals), the cheapest
schedule of a block is found in two steps: per segment (a day, almost always), the best
pattern for each number of minutes worked; then, week by week, a min-plus combination of
those tables over the minutes worked so far, closed by the weekly terms that depend only
on the week's total — the target deviation and the H6 minimum and maximum. Days are
independent given the week's minutes, so this is exact, and far faster than a CP-SAT
model per block (measured by ``bench/engine_probe.py --pricing``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scheduler.solver.decomposition.blocks import Block

INF = math.inf


@dataclass(frozen=True, slots=True)
class Labelled:
    """The block's best price (``inf`` when it has no schedule) and a few good schedules."""

    best: float
    schedules: list[tuple[float, tuple[int, ...]]]  # (price, shifts), cheapest first


def _week_table(
    block: Block, week: int, price: Sequence[float] | dict[int, float]
) -> dict[int, tuple[float, tuple]]:
    """Minutes worked in ``week`` -> (cheapest price, the shifts held as a linked list)."""
    segments = block.segments or ()
    table: dict[int, tuple[float, tuple]] = {0: (0.0, ())}
    cap = block.cap[block.weeks.index(week)]
    for seg in segments:
        if seg.week != week:
            continue
        costs = []
        best_shift = []
        for members in seg.classes:
            s = min(members, key=price.__getitem__)
            best_shift.append(s)
            costs.append(price[s])
        by_minutes: dict[int, tuple[float, int]] = {}
        for k, pat in enumerate(seg.patterns):
            v = pat.fixed
            for c in pat.classes:
                v += costs[c]
            old = by_minutes.get(pat.minutes)
            if old is None or v < old[0]:
                by_minutes[pat.minutes] = (v, k)
        merged: dict[int, tuple[float, tuple]] = {}
        for m1, (v1, held1) in table.items():
            for m2, (v2, k) in by_minutes.items():
                m = m1 + m2
                if cap is not None and m > cap:
                    continue
                v = v1 + v2
                old = merged.get(m)
                if old is None or v < old[0]:
                    merged[m] = (v, (held1, seg, k, best_shift))
        table = merged
        if not table:
            break
    return table


def _unwind(link: tuple) -> tuple[int, ...]:
    out: list[int] = []
    while link:
        link, seg, k, best_shift = link
        out.extend(best_shift[c] for c in seg.patterns[k].classes)
    return tuple(sorted(out))


def label(
    block: Block, price: Sequence[float] | dict[int, float], w_target: int, keep: int = 3
) -> Labelled:
    """The cheapest schedules of ``block`` under per-shift ``price`` (labelling only:
    ``block.segments`` must not be None)."""
    if block.segments is None:
        raise ValueError("block.segments: this block is priced with CP-SAT, not by labelling")
    best_total = 0.0
    per_week: list[list[tuple[float, tuple[int, ...]]]] = []
    for i, w in enumerate(block.weeks):
        table = _week_table(block, w, price)
        closed = []
        for m, (v, link) in table.items():
            if m < block.owed[i]:
                continue
            if block.target is not None:
                v += w_target * abs(m - block.target)
            closed.append((v, m, link))
        if not closed:
            return Labelled(INF, [])
        closed.sort(key=lambda t: (t[0], t[1]))
        best_total += closed[0][0]
        per_week.append([(v, _unwind(link)) for v, _, link in closed[:keep]])
    if len(per_week) == 1:
        return Labelled(best_total, per_week[0])
    # Several linked weeks: the best of each week together, and each week's runner-up
    # with the others at their best.
    best = [wk[0] for wk in per_week]
    schedules = [(best_total, tuple(sorted(s for _, part in best for s in part)))]
    for i, wk in enumerate(per_week):
        for v, part in wk[1:2]:
            parts = [part if j == i else best[j][1] for j in range(len(best))]
            schedules.append(
                (best_total - best[i][0] + v, tuple(sorted(s for p in parts for s in p)))
            )
    return Labelled(best_total, schedules)
