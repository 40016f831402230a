"""The decomposition's part of a solve: bound the roster, then dive to a roster.

1. **Week masters** (``relaxation.py``): pricing rounds per week group until each LP is
   optimal; the sum of their bounds plus the spread bound is a bound on the whole.
2. **The whole-period master**: every column found so far in one master with the
   unsocial spread in its rows; a few more rounds (priced with the spread's duals) make
   it optimal. Its LP value is the strongest bound the decomposition gives (measured:
   M-4weeks 16,839, L-3libraries 14,850, against 16,740 and 14,370 by week).
3. **A dive** in the whole master (or, when there was no time for it, in each week's),
   which follows the LP's spread-aware solution to a roster.

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
from scheduler.solver.decomposition.relaxation import Relaxation
from scheduler.solver.index import Index

Pairs = frozenset[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Dived:
    """Where the dives ended: a roster, complete unless some blocks are ``free``: their
    part of ``pairs`` is the LP's most-used column, a schedule that keeps that person's
    rules but may leave shifts short or over-staffed."""

    pairs: Pairs
    free: list[tuple[int, tuple[int, ...]]]  # (person, weeks) left to complete


WHOLE_ROWS_MAX = 6000  # the whole-period master is built up to this many shifts
DETERMINISTIC_ROUNDS = 60  # pricing rounds per master in deterministic mode


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
        bounds = [b for b in (self.relaxation.bound(), self.whole_bound) if b is not None]
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
        """Week masters to optimality, then the whole-period master, within ``deadline``."""
        rel = self.relaxation
        if self.deterministic:  # a round cap per group, not a clock
            rel.run(math.inf, round_cap=DETERMINISTIC_ROUNDS, stop=stop, on_bound=on_bound)
        else:
            rel.run(deadline, stop=stop, on_bound=on_bound)
        if len(rel.groups) == 1:
            g = rel.groups[0]
            self.whole, self.whole_pricer = g.master, g.pricer
            self.whole_converged = g.converged
            return
        if not rel.converged() or len(self.idx.shifts) > WHOLE_ROWS_MAX:
            return
        if not self.deterministic and time.monotonic() >= deadline:
            return
        self._build_whole()
        self._whole_rounds(deadline, stop, on_bound)

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
        """A roster from dives, week group by week group.

        With the whole-period master solved, each group dives in a master of its own
        whose columns pay the whole LP's price per unsocial shift (``umax``/``umin``
        duals) instead of the spread: the whole LP is very fractional (the spread is
        shared out in fractions; on L-3libraries 22 of 200 blocks integral), the weeks
        priced this way much less so, and their LPs are small. A group whose dive fails
        comes back with the blocks it had fixed, its other blocks at their most-used
        column and listed in ``free`` for the caller to complete.
        """
        end = self._deadline(deadline)
        groups = self.relaxation.groups
        masters = [(g.master, g.pricer) for g in groups]
        if self.whole is not None and len(groups) > 1:
            masters = self._priced_groups()
        pairs: set[tuple[int, int]] = set()
        free: list[tuple[int, tuple[int, ...]]] = []
        for i, (rm, pricer) in enumerate(masters):
            now = time.monotonic()
            share = end if math.isinf(end) else now + (end - now) / (len(masters) - i)
            partial: list[tuple[dict[int, int], list[int]]] = []
            choice = colgen.dive(
                rm.cg,
                pricer,
                deadline=share,
                stop=stop,
                on_fail=lambda fixed, top, partial=partial: partial.append((fixed, top)),
            )
            if choice is not None:
                pairs |= rm.roster(choice)
                continue
            if not partial:
                return Dived(frozenset(), [(b.person, b.weeks) for b in self.relaxation.blocks])
            fixed, top = partial[0]
            for b, block in enumerate(rm.blocks):
                c = fixed.get(b, top[b])
                if c >= 0:
                    pairs |= rm.roster([c])
                if b not in fixed:
                    free.append((block.person, block.weeks))
        return Dived(frozenset(pairs), free)

    def _priced_groups(self) -> list[tuple[RosterMaster, colgen.Pricer]]:
        """Week-group masters with the whole LP's unsocial prices, seeded with every
        column of the whole master."""
        whole = self.whole
        assert whole is not None
        solution = whole.cg.solve()
        price: dict[int, float] = {}
        if solution is not None and whole.umax_row:
            y = solution.duals.rows
            price = {p: y[whole.umax_row[p]] - y[whole.umin_row[p]] for p in whole.umax_row}
        out = []
        for g in self.relaxation.groups:
            shifts = [s for w in g.weeks for s in self.idx.shifts_by_week[w]]
            rm = RosterMaster(
                self.idx,
                g.master.blocks,
                shifts,
                spread=False,
                unsocial_price=price,
                backend=self.backend,
            )
            out.append((rm, self.relaxation.pricer_for(rm)))
        for col in whole.cg.columns:
            block = whole.blocks[col.block]
            i = next(i for i, g in enumerate(self.relaxation.groups) if g.weeks == block.weeks)
            rm = out[i][0]
            rm.cg.add_column(rm.column(rm.block_of[(block.person, block.weeks[0])], col.data))
        return out
