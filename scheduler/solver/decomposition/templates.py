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
from dataclasses import dataclass

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


Lookup = dict[int, "_Shape"]


@dataclass(frozen=True, slots=True)
class _Shape:
    """A block's segments as ``legal`` reads them: each shift's segment and class, each
    segment's patterns (classes -> minutes) and the segments that must hold a shift."""

    where: dict[int, tuple[int, int]]
    tables: tuple[dict[tuple[int, ...], int], ...]
    weeks: tuple[int, ...]  # each segment's week
    base: dict[int, int]  # per week: the minutes of every segment's empty pattern
    empty: tuple[int, ...]  # each segment's empty pattern's minutes (0 if none)
    need: tuple[int, ...]  # segments without an empty pattern


def _shape(block: Block) -> _Shape:
    assert block.segments is not None
    where: dict[int, tuple[int, int]] = {}
    tables, weeks, empty, need = [], [], [], []
    base = dict.fromkeys(block.weeks, 0)
    for i, seg in enumerate(block.segments):
        for c, members in enumerate(seg.classes):
            for s in members:
                where[s] = (i, c)
        table = {p.classes: p.minutes for p in seg.patterns}
        tables.append(table)
        weeks.append(seg.week)
        none = table.get(())
        if none is None:
            need.append(i)
        empty.append(none or 0)
        base[seg.week] += none or 0
    return _Shape(where, tuple(tables), tuple(weeks), base, tuple(empty), tuple(need))


def legal(block: Block, shifts: Iterable[int], lookup: Lookup | None = None) -> bool:
    """Whether ``shifts`` is a schedule the block's person may hold: eligible shifts, one
    of each segment's patterns (H2, H7, H8, pins) and the H6 limits of every week.
    ``lookup`` caches each block's shape (the descent asks tens of thousands of times)."""
    if block.segments is None:
        return False
    shape = None if lookup is None else lookup.get(id(block))
    if shape is None:
        shape = _shape(block)
        if lookup is not None:
            lookup[id(block)] = shape
    chosen: dict[int, list[int]] = {}
    for s in shifts:
        at = shape.where.get(s)
        if at is None:
            return False  # not the person's, or in no class (pins keep only the pinned)
        chosen.setdefault(at[0], []).append(at[1])
    for i in shape.need:
        if i not in chosen:
            return False
    minutes = dict(shape.base)
    for i, classes in chosen.items():
        classes.sort()
        got = shape.tables[i].get(tuple(classes))
        if got is None:
            return False  # includes two shifts of one class (no pattern has a class twice)
        minutes[shape.weeks[i]] += got - shape.empty[i]
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
