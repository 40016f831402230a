"""The labelling of ``labelling.py`` for every one-week block of a master at once, in numpy.

Pricing is most of a pricing round's time when done block by block in Python (measured on
the 10-library, 8-week scenario: 19 s of 45). The same computation runs here as a few
array operations per round over all blocks of a master:

1. each member shift's price (static part + duals) -> each interval class's cheapest
   member (``minimum.reduceat``);
2. each pattern's price: fixed cost + its classes' prices (``add.reduceat``);
3. each (segment, minutes) group's cheapest pattern;
4. per block, a min-plus combination of its segments' tables over a grid of minutes
   (the shifts' common divisor), all blocks side by side, with the choice kept for
   unwinding; then the weekly closing: target deviation, H6 minimum and maximum.

Only the schedules returned as columns are unwound in Python. Blocks spanning linked
weeks, or without segments, are left to the per-block pricing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scheduler.solver.decomposition.master import RosterMaster

INF = np.inf


@dataclass(frozen=True, slots=True)
class Priced:
    """A block's exact best price and its cheapest schedules (price, shifts)."""

    best: float
    schedules: list[tuple[float, tuple[int, ...]]]


class ArrayPricer:
    """Precomputed arrays of one master's one-week labelled blocks."""

    def __init__(self, rm: RosterMaster) -> None:
        self.rm = rm
        idx = rm.idx
        wts = rm.weights
        self.blocks = [
            b
            for b, block in enumerate(rm.blocks)
            if block.segments is not None and len(block.weeks) == 1
        ]
        self.row_of_block = {b: i for i, b in enumerate(self.blocks)}
        mem_shift: list[int] = []
        mem_static: list[float] = []
        mem_row: list[int] = []
        mem_unsocial: list[float] = []
        mem_person: list[int] = []
        class_start: list[int] = []
        pat_flat: list[int] = []
        pat_start: list[int] = []
        pat_fixed: list[float] = []
        group_start: list[int] = []
        group_level: list[int] = []
        slots: list[list[tuple[int, dict[int, int]]]] = []  # per block: (segment, level->group)
        minutes_seen: list[int] = []
        persons = sorted({rm.blocks[b].person for b in self.blocks})
        self.person_row = {p: i for i, p in enumerate(persons)}
        for b in self.blocks:
            block = rm.blocks[b]
            p = block.person
            for seg in block.segments or ():
                for pat in seg.patterns:
                    minutes_seen.append(pat.minutes)
        unit = 0
        for m in minutes_seen:
            unit = math.gcd(unit, m)
        self.unit = unit = unit or 60
        n_classes = 0
        self.segments: list[tuple[int, tuple[tuple[int, ...], ...], list]] = []
        for b in self.blocks:
            block = rm.blocks[b]
            p = block.person
            mine = []
            for seg in block.segments or ():
                first_class = n_classes
                for members in seg.classes:
                    class_start.append(len(mem_shift))
                    for s in members:
                        mem_shift.append(s)
                        v = wts["preference"] * idx.pref_cost.get((p, s), 0)
                        if (p, s) in idx.previous:
                            v -= wts["change"]
                        if idx.shifts[s].unsocial:
                            v += rm.unsocial_price.get(p, 0.0)
                        mem_static.append(v)
                        mem_row.append(rm.cover[s])
                        mem_unsocial.append(1.0 if idx.shifts[s].unsocial else 0.0)
                        mem_person.append(self.person_row[p])
                    n_classes += 1
                order = sorted(range(len(seg.patterns)), key=lambda k: seg.patterns[k].minutes)
                levels: dict[int, int] = {}
                seg_id = len(self.segments)
                patterns = []
                for k in order:
                    pat = seg.patterns[k]
                    level = pat.minutes // unit
                    if level not in levels:
                        levels[level] = len(group_start)
                        group_start.append(len(pat_start))
                        group_level.append(level)
                    pat_start.append(len(pat_flat))
                    pat_fixed.append(float(pat.fixed))
                    pat_flat.extend(first_class + c for c in pat.classes)
                    pat_flat.append(-1)  # the sentinel: a zero price, so no pattern is empty
                    patterns.append(pat)
                self.segments.append((first_class, seg.classes, patterns))
                mine.append((seg_id, levels))
            slots.append(mine)
        self.n_classes = n_classes
        self.mem_shift = np.asarray(mem_shift, dtype=np.int64)
        self.mem_static = np.asarray(mem_static, dtype=float)
        self.mem_row = np.asarray(mem_row, dtype=np.int64)
        self.mem_unsocial = np.asarray(mem_unsocial, dtype=float)
        self.mem_person = np.asarray(mem_person, dtype=np.int64)
        self.class_start = np.asarray(class_start, dtype=np.int64)
        flat = np.asarray(pat_flat, dtype=np.int64)
        self.pat_flat = np.where(flat < 0, n_classes, flat)  # sentinel -> the appended 0
        self.pat_start = np.asarray(pat_start, dtype=np.int64)
        self.pat_fixed = np.asarray(pat_fixed, dtype=float)
        self.group_start = np.asarray(group_start, dtype=np.int64)
        self.group_len = np.diff(np.append(self.group_start, len(pat_start)))
        self.pat_group_first = np.repeat(self.group_start, self.group_len)
        # Per slot j: (block row, level) -> group id (-1: no pattern of that length).
        n = len(self.blocks)
        width = max((len(s) for s in slots), default=0)
        top_level = max(group_level, default=0)
        self.level_width = top_level + 1
        self.slot_groups = np.full((width, n, self.level_width), -1, dtype=np.int64)
        self.slot_segment = np.full((width, n), -1, dtype=np.int64)
        for i, mine in enumerate(slots):
            for j, (seg_id, levels) in enumerate(mine):
                self.slot_segment[j, i] = seg_id
                for level, g in levels.items():
                    self.slot_groups[j, i, level] = g
        # The minutes grid and the weekly closing (target, owed, cap) per block.
        most = 0
        for mine in slots:
            most = max(most, sum(max(levels, default=0) for _, levels in mine))
        self.levels = most + 1
        grid = np.arange(self.levels) * unit
        close = np.zeros((n, self.levels))
        w_target = wts["target"]
        for i, b in enumerate(self.blocks):
            block = rm.blocks[b]
            if block.target is not None:
                close[i] = w_target * np.abs(grid - block.target)
            close[i, grid < block.owed[0]] = INF
            if block.cap[0] is not None:
                close[i, grid > block.cap[0]] = INF
        self.close = close
        umax = rm.umax_row
        self.person_umax = np.asarray([umax.get(p, -1) for p in persons], dtype=np.int64)
        self.person_umin = np.asarray([rm.umin_row.get(p, -1) for p in persons], dtype=np.int64)

    def member_prices(self, rows: Sequence[float]) -> np.ndarray:
        y = np.asarray(rows, dtype=float)
        price = self.mem_static - y[self.mem_row]
        if len(self.person_umax) and (self.person_umax >= 0).any():
            per_person = np.where(self.person_umax >= 0, y[self.person_umax], 0.0) - np.where(
                self.person_umin >= 0, y[self.person_umin], 0.0
            )
            price = price + self.mem_unsocial * per_person[self.mem_person]
        return price

    def price(self, rows: Sequence[float], keep: int = 2) -> dict[int, Priced]:
        """Every handled block's best price and ``keep`` cheapest schedules (distinct
        weekly minutes), by master block index."""
        n = len(self.blocks)
        if not n:
            return {}
        member = self.member_prices(rows)
        class_min = np.minimum.reduceat(member, self.class_start) if len(member) else np.zeros(0)
        ext = np.append(class_min, 0.0)
        pat_cost = self.pat_fixed + np.add.reduceat(ext[self.pat_flat], self.pat_start)
        group_min = np.minimum.reduceat(pat_cost, self.group_start)
        positions = np.arange(len(pat_cost))
        hit = pat_cost <= np.repeat(group_min, self.group_len) + 1e-9
        group_pat = np.minimum.reduceat(np.where(hit, positions, len(pat_cost)), self.group_start)
        group_min_ext = np.append(group_min, INF)
        table = np.full((n, self.levels), INF)
        table[:, 0] = 0.0
        choices = []
        for j in range(self.slot_groups.shape[0]):
            costs = group_min_ext[self.slot_groups[j]]  # (n, level_width); absent: inf
            empty = self.slot_segment[j] < 0
            costs[empty, 0] = 0.0  # a block with fewer segments: nothing in this slot
            new = np.full_like(table, INF)
            arg = np.zeros(table.shape, dtype=np.int64)
            for k in range(self.level_width):
                ck = costs[:, k]
                if not np.isfinite(ck).any():
                    continue
                cand = table[:, : self.levels - k] + ck[:, None]
                better = cand < new[:, k:]
                new[:, k:] = np.where(better, cand, new[:, k:])
                arg[:, k:] = np.where(better, k, arg[:, k:])
            table = new
            choices.append(arg)
        total = table + self.close
        out: dict[int, Priced] = {}
        best = total.min(axis=1)
        take = min(keep, self.levels)
        order = np.argsort(total, axis=1, kind="stable")[:, :take]
        for i, b in enumerate(self.blocks):
            if not np.isfinite(best[i]):
                out[b] = Priced(math.inf, [])
                continue
            schedules = []
            for level in order[i]:
                value = total[i, level]
                if not np.isfinite(value):
                    break
                shifts = self._unwind(i, int(level), choices, group_pat, member)
                schedules.append((float(value), shifts))
            out[b] = Priced(float(best[i]), schedules)
        return out

    def _unwind(
        self,
        i: int,
        level: int,
        choices: list[np.ndarray],
        group_pat: np.ndarray,
        member: np.ndarray,
    ) -> tuple[int, ...]:
        held: list[int] = []
        for j in range(len(choices) - 1, -1, -1):
            k = int(choices[j][i, level])
            level -= k
            seg_id = int(self.slot_segment[j, i])
            if seg_id < 0:
                continue
            g = int(self.slot_groups[j, i, k])
            pat_pos = int(group_pat[g])
            first_class, classes, patterns = self.segments[seg_id]
            pat = patterns[pat_pos - int(self._seg_first_pattern(seg_id))]
            for c in pat.classes:
                start = int(self.class_start[first_class + c])
                members = classes[c]
                prices = member[start : start + len(members)]
                held.append(members[int(np.argmin(prices))])
        return tuple(sorted(held))

    def _seg_first_pattern(self, seg_id: int) -> int:
        if not hasattr(self, "_first_pattern"):
            firsts = []
            count = 0
            for _, _, patterns in self.segments:
                firsts.append(count)
                count += len(patterns)
            self._first_pattern = firsts
        return self._first_pattern[seg_id]
