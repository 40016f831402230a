"""The roster's Dantzig-Wolfe relaxation, one restricted master per week group.

Weeks meet only in the unsocial spread (and, rarely, in a shift or duty block across
Sunday night, which puts the weeks in one group). One master over the whole period is a
degenerate LP that the simplex needs seconds per round for (measured on L-3libraries: 0.5-1
s per round, 40 rounds); a master per week is several times faster in total and its
rounds for different weeks are independent. So each group has its own master without the
spread, and the period's bound is

    sum of the groups' bounds  +  objective constant  +  spread weight x spread bound

(a lower bound on a sum may add lower bounds of its parts; ``spread.py``). A period of one
group keeps the spread in its master instead.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from scheduler.solver import colgen
from scheduler.solver.decomposition.blocks import build_blocks, week_groups
from scheduler.solver.decomposition.cpsat_pricing import CpSatPricer
from scheduler.solver.decomposition.master import RosterMaster
from scheduler.solver.decomposition.pricing import BlockPricer, make_pricer
from scheduler.solver.decomposition.spread import spread_lower_bound
from scheduler.solver.index import Index

# Wentges smoothing of the duals (measured on a week of the 10-library scenario: 35 rounds
# in 3.5 s against 34 in 4.5 s without).
SMOOTHING = 0.5


def turn_deadline(end: float, turns: int) -> float:
    """The deadline of the first of ``turns`` turns that share the time until ``end``
    equally, the time each took counted when the next begins (``end`` when infinite)."""
    now = time.monotonic()
    return now + (end - now) / turns


def objective_constant(idx: Index) -> int:
    """The part of the objective no person-block decides: every previous assignment
    counted as changed (a kept one is credited in its column), and the targets of
    people who are not first line (they work no shifts)."""
    problem = idx.problem
    wts = problem.rules.weights
    total = wts["change"] * len(problem.previous)
    first = set(idx.first_line)
    for p, person in enumerate(problem.staff):
        if person.target_hours_per_week is not None and p not in first:
            total += wts["target"] * abs(round(person.target_hours_per_week * 60)) * problem.weeks
    return total


@dataclass
class Group:
    """One week group's master, its pricer and what its rounds proved."""

    weeks: tuple[int, ...]
    master: RosterMaster
    pricer: colgen.Pricer
    bound: float | None = None
    lp_value: float | None = None
    converged: bool = False
    rounds: int = 0
    solution: colgen.MasterSolution | None = None


@dataclass
class Relaxation:
    idx: Index
    backend: str = "glop"
    random_seed: int = 0
    groups: list[Group] = field(default_factory=list)

    def __post_init__(self) -> None:
        idx = self.idx
        self.blocks = build_blocks(idx)
        self.constant = objective_constant(idx)
        spans = week_groups(idx)
        whole = len(spans) == 1
        for weeks in spans:
            mine = [b for b in self.blocks if b.weeks == weeks]
            shifts = [s for w in weeks for s in idx.shifts_by_week[w]]
            rm = RosterMaster(idx, mine, shifts, spread=whole, backend=self.backend)
            g = Group(weeks, rm, self.pricer_for(rm))
            g.bound = self.floor(g)
            self.groups.append(g)
        weight = idx.problem.rules.weights["unsocial_spread"]
        self.spread = 0 if whole else weight * spread_lower_bound(idx, self.blocks)

    def floor(self, g: Group) -> float:
        """A bound on the group's part of the objective before any LP: the Lagrangian bound
        at zero duals, i.e. every block's cheapest schedule alone (shortfall and spread cost
        at least 0). Early pricing rounds give Lagrangian bounds far below it (duals on the
        scale of the cover's slack: on L-3libraries -216,620 after half a second), so a
        group's bound starts here and only rises. Blocks the labelling cannot enumerate
        count every shift with a negative price (preferences, kept assignments): their
        other terms are never negative."""
        rm = g.master
        zero = colgen.Duals([0.0] * len(rm.cg.rows), [0.0] * len(rm.blocks))
        plain = g.pricer if self.labelled else make_pricer(rm)
        total = 0.0
        for b, priced in enumerate(plain(zero, range(len(rm.blocks)))):
            if priced.lower is not None:
                total += priced.lower
            else:
                total += sum(min(0.0, v) for v in rm.shift_prices(b, zero.rows).values())
        return total

    def pricer_for(self, rm: RosterMaster) -> colgen.Pricer:
        """Labelling where it applies, CP-SAT for the other blocks of ``rm``."""
        return make_pricer(rm, self._fallback(rm))

    def _fallback(self, rm: RosterMaster) -> BlockPricer:
        """CP-SAT pricing for the master's blocks the labelling cannot enumerate."""
        models: dict[int, CpSatPricer] = {}
        idx = self.idx
        w_pref, w_change = rm.weights["preference"], rm.weights["change"]

        def price(b: int, prices: dict[int, float]) -> tuple[float | None, list]:
            block = rm.blocks[b]
            if b not in models:
                models[b] = CpSatPricer(idx, block, seed=self.random_seed)
            p = block.person
            # The model has the preference and change terms itself: pass the rest.
            extra = {}
            for s, v in prices.items():
                v -= w_pref * idx.pref_cost.get((p, s), 0)
                if (p, s) in idx.previous:
                    v += w_change
                extra[s] = v
            return models[b](extra)

        return price

    @property
    def labelled(self) -> bool:
        """Every block is priced by labelling (no CP-SAT pricing needed)."""
        return all(b.segments is not None for b in self.blocks)

    def seed(self, pairs: Iterable[tuple[int, int]]) -> None:
        """Add a roster's columns to every group's master."""
        pairs = list(pairs)
        for g in self.groups:
            for col in g.master.columns_of(pairs):
                g.master.cg.add_column(col)

    def bound(self) -> int | None:
        """The proven lower bound on the whole objective, once every group has one."""
        if any(g.bound is None for g in self.groups):
            return None
        total = math.fsum(g.bound for g in self.groups)  # type: ignore[misc]
        return math.ceil(total + self.constant + self.spread - 1e-6)

    def converged(self) -> bool:
        return all(g.converged for g in self.groups)

    def run_group(
        self,
        g: Group,
        deadline: float,
        *,
        round_cap: int | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> None:
        """Pricing rounds for one group until it converged, ``deadline``, ``round_cap``
        rounds in all, or ``stop()``."""
        if g.converged or (round_cap is not None and g.rounds >= round_cap):
            return
        res = colgen.generate(
            g.master.cg,
            g.pricer,
            deadline=deadline,
            max_rounds=None if round_cap is None else round_cap - g.rounds,
            integral=len(self.groups) == 1,
            smoothing=SMOOTHING,
            stop=stop,
        )
        g.rounds += res.rounds
        g.lp_value = res.lp_value
        g.solution = res.solution
        g.converged = res.converged
        if res.bound is not None and (g.bound is None or res.bound > g.bound):
            g.bound = res.bound

    @property
    def spread_weight(self) -> int:
        """The spread's weight where ``price_spread`` applies (a weight, several week
        groups, which leave the spread out, and two first-line people), else 0."""
        idx = self.idx
        if len(self.groups) < 2 or len(idx.first_line) < 2:
            return 0
        return idx.problem.rules.weights["unsocial_spread"]

    def usage(self, g: Group) -> dict[int, float]:
        """The unsocial shifts each person holds in the group's last LP solution."""
        held: dict[int, float] = {}
        if g.solution is None:
            return held
        rm = g.master
        for c, v in enumerate(g.solution.column_values):
            if v > 1e-9:
                col = rm.cg.columns[c]
                u = rm.unsocial_of(col)
                if u:
                    p = rm.blocks[col.block].person
                    held[p] = held.get(p, 0.0) + v * u
        return held

    def price_spread(
        self,
        g: Group,
        prices: dict[int, float],
        deadline: float,
        *,
        round_cap: int | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> float | None:
        """The group's LP with ``prices`` on each person's unsocial shifts
        (``spread.spread_prices``), from every column the group has, until it converged
        or ``deadline``: its Lagrangian bound, or None before any. The bounds of all
        groups under the same prices, plus ``constant``, bound the roster
        (``priced_bound``)."""
        rm = RosterMaster(
            self.idx, g.master.blocks, g.master.cover, spread=False,
            unsocial_price=prices, backend=self.backend,
        )  # fmt: skip
        for col in g.master.cg.columns:
            rm.cg.add_column(rm.column(col.block, col.data))  # type: ignore[arg-type]
        pricer = self.pricer_for(rm)
        res = colgen.generate(
            rm.cg, pricer, deadline=deadline, max_rounds=round_cap, smoothing=SMOOTHING, stop=stop
        )
        return res.bound

    def priced_bound(self, bounds: Iterable[float]) -> int:
        """The roster's bound from every group's ``price_spread`` bound under the same
        prices (the prices stand in for the spread: no spread bound is added)."""
        return math.ceil(math.fsum(bounds) + self.constant - 1e-6)

    def run(
        self,
        deadline: float,
        *,
        round_cap: int | None = None,
        stop: Callable[[], bool] | None = None,
        on_bound: Callable[[int], None] | None = None,
    ) -> None:
        """Every group in turn until each converged (or had ``round_cap`` rounds), the
        deadline or ``stop()``; ``on_bound`` hears each improvement of the bound."""
        last = self.bound()
        for i, g in enumerate(self.groups):
            share = turn_deadline(deadline, len(self.groups) - i)
            self.run_group(g, share, round_cap=round_cap, stop=stop)
            now_bound = self.bound()
            if now_bound is not None and (last is None or now_bound > last):
                last = now_bound
                if on_bound is not None:
                    on_bound(now_bound)
