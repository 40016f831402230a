"""A week's roster carried to the other weeks: most library weeks repeat.

Desks open at the same hours every week and most people's lectures, limits and
preferences repeat, so a good roster for one week is usually nearly a good roster for
the next. Carrying a solved week onto an unsolved one gives the search a good roster for
every week after the first week's dive (measured in ``bench/engine_probe.py``), and its
columns warm-start that week's master.

A shift is carried to the shift of the other week with the same service point, weekday,
local times and needs (and only when that match is one to one). A person's carried week
is kept only if it is one of their legal schedules there (``legal``: the same facts the
labelling enumerates); the others are left free for the caller to complete.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from scheduler.solver.decomposition.blocks import Block
from scheduler.solver.index import Index

Pairs = frozenset[tuple[int, int]]


def _key(idx: Index, s: int) -> tuple:
    sh = idx.problem.shifts[s]
    return (
        sh.service_point,
        sh.start.weekday(),
        sh.start.time(),
        (sh.end - sh.start),
        sh.min_staff,
        sh.max_staff,
        tuple(sorted(sh.skills)),
    )


def shift_map(idx: Index, src: int, dst: int) -> dict[int, int]:
    """Week ``src``'s shifts -> their twins in week ``dst`` (only one-to-one matches)."""
    a = {s: _key(idx, s) for s in idx.shifts_by_week[src]}
    b = {s: _key(idx, s) for s in idx.shifts_by_week[dst]}
    na, nb = Counter(a.values()), Counter(b.values())
    there = {k: s for s, k in b.items() if nb[k] == 1}
    return {s: there[k] for s, k in a.items() if na[k] == 1 and k in there}


Lookup = dict[int, dict[tuple[int, ...], int]]


def legal(block: Block, shifts: Iterable[int], lookup: Lookup | None = None) -> bool:
    """Whether ``shifts`` is a schedule the block's person may hold: eligible shifts, one
    of each segment's patterns (H2, H7, H8, pins) and the H6 limits of every week.
    ``lookup`` caches each pattern list's index (blocks share pattern lists)."""
    lookup = {} if lookup is None else lookup
    if block.segments is None:
        return False
    held = set(shifts)
    if not held <= set(block.shifts):
        return False
    minutes = dict.fromkeys(block.weeks, 0)
    seen = 0
    for seg in block.segments:
        chosen = []
        for c, members in enumerate(seg.classes):
            mine = [s for s in members if s in held]
            if len(mine) > 1:
                return False
            if mine:
                chosen.append(c)
        seen += len(chosen)
        table = lookup.get(id(seg.patterns))
        if table is None:
            table = lookup[id(seg.patterns)] = {p.classes: p.minutes for p in seg.patterns}
        got = table.get(tuple(chosen))
        if got is None:
            return False
        minutes[seg.week] += got
    if seen != len(held):
        return False  # a shift in no class of its segment (pins keep only the pinned one)
    for i, w in enumerate(block.weeks):
        cap = block.cap[i]
        if minutes[w] < block.owed[i] or (cap is not None and minutes[w] > cap):
            return False
    return True


def carry(
    idx: Index,
    blocks: dict[tuple[int, int], Block],
    pairs: Iterable[tuple[int, int]],
    src: int,
    dst: int,
) -> tuple[Pairs, list[int]]:
    """Week ``src``'s part of ``pairs`` carried to week ``dst``: the carried pairs of the
    people whose carried week is legal, and the people left free (first-line people
    whose week could not be carried)."""
    mapping = shift_map(idx, src, dst)
    by_person: dict[int, list[int]] = {}
    for p, s in pairs:
        if idx.shifts[s].week == src:
            by_person.setdefault(p, []).append(s)
    kept: set[tuple[int, int]] = set()
    free: list[int] = []
    lookup: Lookup = {}
    for p in idx.first_line:
        block = blocks.get((p, dst))
        mine = by_person.get(p, [])
        moved = [mapping.get(s) for s in mine]
        if block is None or None in moved or not legal(block, moved, lookup):  # type: ignore[arg-type]
            free.append(p)
            continue
        kept.update((p, s) for s in moved)  # type: ignore[misc]
    return frozenset(kept), free
