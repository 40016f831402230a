"""The decomposition's part of a solve: bound the roster, then dive to a roster.

1. **Week masters** (``relaxation.py``): pricing rounds per week group until each LP is
   optimal, and a **dive** in each (the week LPs are nearly integral: on L-3libraries
   the four dives together give 14,940 against the LP's 14,850); the sum of their
   bounds plus the spread bound is a bound on the whole.
2. **The whole-period master**: every column found so far in one master with the
   unsocial spread in its rows; a few more rounds (priced with the spread's duals) make
   it optimal. Its LP value is the strongest bound the decomposition gives (measured:
   M-4weeks 16,839, L-3libraries 14,850, against 16,740 and 14,370 by week), and its
   columns go to the week masters for the column MIPs (``rosters.py``). A dive in it
   (``dive_whole``) weighs the spread across weeks, which the week dives cannot.

Everything is cut by deadlines; ``deterministic`` runs count rounds instead of reading
clocks.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from scheduler.solver import colgen
from scheduler.solver.decomposition.master import RosterMaster
from scheduler.solver.decomposition.relaxation import Relaxation, turn_deadline
from scheduler.solver.decomposition.spread import spread_prices, total_usage
from scheduler.solver.index import Index

Pairs = frozenset[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Dived:
    """Where the dives ended: a roster, complete unless some blocks are ``free``: their
    part of ``pairs`` is the LP's most-used column, a schedule that keeps that person's
    rules but may leave shifts short or over-staffed."""

    pairs: Pairs
    free: list[tuple[int, tuple[int, ...]]]  # (person, weeks) left to complete


# The whole-period master is built up to this many shifts (measured: 468 shifts solve cold
# in about a second; 3,200 took minutes).
WHOLE_ROWS_MAX = 1200
DETERMINISTIC_ROUNDS = 60  # pricing rounds per master in deterministic mode
# Dives fix at least a quarter of the free person-weeks per step and price twice between
# steps (a 10-library week: 3,630 in 4.5 s, against 4,020 in 16 s with a tenth and three).
DIVE_STEP_SHARE = 0.25
DIVE_ROUNDS = 2
# Pricing rounds after a step that leaves the cover short, before it is undone (the
# 10-library, 8-week scenario at 60 s, two runs of seeds 1 and 2: 29,700 / 29,490 and
# 39,420 / 40,050 against 29,790 / 30,570 and 39,450 / 40,140 without; the first dive of
# every week has come 8 s sooner).
DIVE_REPAIR_ROUNDS = 10


class ColumnSearch:
    """Bounds and rosters from column generation over person-blocks."""

    def __init__(
        self, idx: Index, *, backend: str = "glop", deterministic: bool = False, seed: int = 0
    ) -> None:
        self.idx = idx
        self.backend = backend
        self.deterministic = deterministic
        self.relaxation = Relaxation(idx, backend=backend, random_seed=seed)
        self.whole: RosterMaster | None = None
        self.whole_pricer: colgen.Pricer | None = None
        self.whole_bound: int | None = None
        self.whole_converged = False
        self.priced_bound: int | None = None  # the week LPs' with the spread priced

    @property
    def labelled(self) -> bool:
        """Every block is priced by labelling (else some by CP-SAT, much slower)."""
        return self.relaxation.labelled

    def seed(self, pairs: Iterable[tuple[int, int]]) -> None:
        pairs = list(pairs)
        self.relaxation.seed(pairs)
        if self.whole is not None:
            for col in self.whole.columns_of(pairs):
                self.whole.cg.add_column(col)

    def bound(self) -> int | None:
        """The best proven lower bound on the roster's objective so far."""
        bounds = [
            b
            for b in (self.relaxation.bound(), self.whole_bound, self.priced_bound)
            if b is not None
        ]
        return max(bounds) if bounds else None

    def _deadline(self, deadline: float) -> float:
        return math.inf if self.deterministic else deadline

    def relax(
        self,
        deadline: float,
        *,
        stop: Callable[[], bool] | None = None,
        on_bound: Callable[[int], None] | None = None,
    ) -> None:
        """Week masters to optimality, then the whole-period master (or, where that is
        too big, the week LPs with the spread priced), within ``deadline``."""
        rel = self.relaxation
        cap = DETERMINISTIC_ROUNDS if self.deterministic else None
        rel.run(self._deadline(deadline), round_cap=cap, stop=stop, on_bound=on_bound)
        self.relax_period(deadline, stop=stop, on_bound=on_bound)

    def relax_period(
        self,
        deadline: float,
        *,
        stop: Callable[[], bool] | None = None,
        on_bound: Callable[[int], None] | None = None,
    ) -> bool:
        """Once every week LP is optimal, the spread into the bound: the whole-period
        master, or where that is too big the week LPs with the spread priced. True if
        the whole-period master was built."""
        if self.relax_whole(deadline, stop=stop, on_bound=on_bound):
            return True
        self.price_spread(deadline, stop=stop, on_bound=on_bound)
        return False

    def relax_group(
        self,
        i: int,
        deadline: float,
        *,
        stop: Callable[[], bool] | None = None,
        on_bound: Callable[[int], None] | None = None,
    ) -> None:
        """Pricing rounds for week group ``i`` until its LP is optimal or ``deadline``."""
        before = self.bound()
        cap = DETERMINISTIC_ROUNDS if self.deterministic else None
        g = self.relaxation.groups[i]
        self.relaxation.run_group(g, self._deadline(deadline), round_cap=cap, stop=stop)
        if len(self.relaxation.groups) == 1:
            self.whole, self.whole_pricer = g.master, g.pricer
            self.whole_converged = g.converged
        self._tell_if_raised(before, on_bound)

    def relax_whole(
        self,
        deadline: float,
        *,
        stop: Callable[[], bool] | None = None,
        on_bound: Callable[[int], None] | None = None,
    ) -> bool:
        """The whole-period master (with the spread), once every week LP is optimal and
        the period is small enough; True if it was built."""
        rel = self.relaxation
        if len(rel.groups) == 1 or self.whole is not None:
            return self.whole is not None
        if not rel.converged() or len(self.idx.shifts) > WHOLE_ROWS_MAX:
            return False
        if not self.deterministic and time.monotonic() >= deadline:
            return False
        self._build_whole()
        self._whole_rounds(deadline, stop, on_bound)
        return True

    def price_spread(
        self,
        deadline: float,
        *,
        stop: Callable[[], bool] | None = None,
        on_bound: Callable[[int], None] | None = None,
    ) -> bool:
        """Where the whole-period master is not built (too many shifts), the week LPs
        again with the spread's prices once every one is optimal (``spread.py``): a bound
        with the spread in it. True if every group's priced LP gave a bound."""
        rel = self.relaxation
        if not rel.spread_weight or self.whole is not None or not rel.converged():
            return False
        usage = total_usage((rel.usage(g) for g in rel.groups), self.idx.first_line)
        prices = spread_prices(usage, rel.spread_weight)
        end = self._deadline(deadline)
        cap = DETERMINISTIC_ROUNDS if self.deterministic else None
        bounds = []
        for i, g in enumerate(rel.groups):
            share = turn_deadline(end, len(rel.groups) - i)
            b = rel.price_spread(g, prices, share, round_cap=cap, stop=stop)
            if b is None:
                return False
            bounds.append(b)
        before = self.bound()
        total = rel.priced_bound(bounds)
        if self.priced_bound is None or total > self.priced_bound:
            self.priced_bound = total
        self._tell_if_raised(before, on_bound)
        return True

    def _tell_if_raised(self, before: int | None, on_bound: Callable[[int], None] | None) -> None:
        """``on_bound`` hears the bound when it rose above ``before``."""
        after = self.bound()
        if on_bound is not None and after is not None and (before is None or after > before):
            on_bound(after)

    def _build_whole(self) -> None:
        idx = self.idx
        rel = self.relaxation
        whole = RosterMaster(
            idx, rel.blocks, range(len(idx.shifts)), spread=True, backend=self.backend
        )
        for g in rel.groups:
            for col in g.master.cg.columns:
                person = g.master.blocks[col.block].person
                whole.cg.add_column(whole.column(whole.block_of[(person, g.weeks[0])], col.data))
        self.whole = whole
        self.whole_pricer = self.relaxation.pricer_for(whole)

    def _whole_rounds(
        self,
        deadline: float,
        stop: Callable[[], bool] | None,
        on_bound: Callable[[int], None] | None,
    ) -> None:
        assert self.whole is not None
        assert self.whole_pricer is not None
        res = colgen.generate(
            self.whole.cg,
            self.whole_pricer,
            deadline=self._deadline(deadline),
            max_rounds=DETERMINISTIC_ROUNDS if self.deterministic else None,
            integral=True,
            stop=stop,
        )
        self.whole_converged = res.converged
        if res.bound is not None:
            b = math.ceil(res.bound + self.relaxation.constant - 1e-6)
            if self.whole_bound is None or b > self.whole_bound:
                self.whole_bound = b
                if on_bound is not None:
                    on_bound(self.bound())  # type: ignore[arg-type]

    def dive(self, deadline: float, *, stop: Callable[[], bool] | None = None) -> Dived:
        """A roster from dives in the week masters, every week group in turn."""
        end = self._deadline(deadline)
        parts = []
        n = len(self.relaxation.groups)
        for i in range(n):
            parts.append(self.dive_group(i, turn_deadline(end, n - i), stop=stop))
        return Dived(
            frozenset().union(*(d.pairs for d in parts)), [f for d in parts for f in d.free]
        )

    def dive_whole(
        self, deadline: float, *, stop: Callable[[], bool] | None = None
    ) -> Dived | None:
        """A roster for the whole period from a dive in the whole-period master, once
        its LP is optimal (None before). Its columns are priced with the spread's duals,
        so the dive weighs the unsocial spread where the week dives cannot: on a 2-library,
        2-week scenario the week dives and everything after them end at 6,660 (spread 6),
        this dive at the LP's 6,630 (spread 5), a roster 182 assignments away."""
        if self.whole is None or not self.whole_converged or len(self.relaxation.groups) == 1:
            return None
        assert self.whole_pricer is not None
        return _dive(self.whole, self.whole_pricer, self._deadline(deadline), stop)

    def dive_group(
        self, i: int, deadline: float, *, stop: Callable[[], bool] | None = None
    ) -> Dived:
        """A roster for week group ``i`` from a dive in its own master."""
        g = self.relaxation.groups[i]
        return _dive(g.master, g.pricer, self._deadline(deadline), stop)

    def share_columns(self) -> None:
        """Copy the whole-period master's columns (priced with the spread's duals) into
        the week groups' masters: the column MIPs choose among all of them."""
        if self.whole is None or len(self.relaxation.groups) == 1:
            return
        by_weeks = {g.weeks: g.master for g in self.relaxation.groups}
        for src in (self.whole,):
            for col in src.cg.columns:
                block = src.blocks[col.block]
                rm = by_weeks[block.weeks]
                rm.cg.add_column(rm.column(rm.block_of[(block.person, block.weeks[0])], col.data))


def _dive(
    rm: RosterMaster, pricer: colgen.Pricer, deadline: float, stop: Callable[[], bool] | None
) -> Dived:
    """A dive in one master; a failed one comes back with the blocks it had fixed, its
    other blocks at their most-used column and listed as free."""
    partial: list[tuple[dict[int, int], list[int]]] = []
    choice = colgen.dive(
        rm.cg,
        pricer,
        deadline=deadline,
        rounds_per_step=DIVE_ROUNDS,
        step_share=DIVE_STEP_SHARE,
        repair_rounds=DIVE_REPAIR_ROUNDS,
        stop=stop,
        on_fail=lambda fixed, top: partial.append((fixed, top)),
    )
    if choice is not None:
        return Dived(rm.roster(choice), [])
    if not partial:
        return Dived(frozenset(), [(b.person, b.weeks) for b in rm.blocks])
    fixed, top = partial[0]
    pairs: set[tuple[int, int]] = set()
    free = []
    for b, block in enumerate(rm.blocks):
        c = fixed.get(b, top[b])
        if c >= 0:
            pairs |= rm.roster([c])
        if b not in fixed:
            free.append((block.person, block.weeks))
    return Dived(frozenset(pairs), free)
