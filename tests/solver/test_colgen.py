"""The column-generation package on a toy problem solved exactly by enumeration.

Toy: agents (blocks) take subsets of tasks within a capacity; every task needs one agent
(a missing one costs ``MISS``); an extra variable ``peak`` >= every agent's number of tasks
costs ``PEAK`` per unit. Small enough to enumerate every roster, so the bounds and the
integer solutions can be compared with the true optimum.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from dataclasses import dataclass

import pytest

from scheduler.solver import colgen
from scheduler.solver.colgen.integer import _hint_values

MISS = 40
PEAK = 3


@dataclass
class Toy:
    cost: list[list[int]]  # agent x task
    weight: list[list[int]]
    cap: list[int]
    fixed_cost: int

    @property
    def agents(self) -> int:
        return len(self.cost)

    @property
    def tasks(self) -> int:
        return len(self.cost[0])

    def subsets(self, a: int) -> list[tuple[int, ...]]:
        out = []
        for k in range(self.tasks + 1):
            for sub in itertools.combinations(range(self.tasks), k):
                if sum(self.weight[a][t] for t in sub) <= self.cap[a]:
                    out.append(sub)
        return out

    def subset_cost(self, a: int, sub: tuple[int, ...]) -> int:
        return sum(self.cost[a][t] for t in sub) + (self.fixed_cost if sub else 0)

    def optimum(self) -> int:
        best = math.inf
        for combo in itertools.product(*(self.subsets(a) for a in range(self.agents))):
            covered = [0] * self.tasks
            for sub in combo:
                for t in sub:
                    covered[t] += 1
            if any(c > 1 for c in covered):
                continue  # a task takes one agent at most
            value = sum(self.subset_cost(a, s) for a, s in enumerate(combo))
            value += MISS * covered.count(0) + PEAK * max(len(s) for s in combo)
            best = min(best, value)
        return int(best)


def random_toy(seed: int) -> Toy:
    rng = random.Random(seed)
    agents, tasks = 3, 5
    return Toy(
        cost=[[rng.randint(-5, 20) for _ in range(tasks)] for _ in range(agents)],
        weight=[[rng.randint(1, 4) for _ in range(tasks)] for _ in range(agents)],
        cap=[rng.randint(3, 7) for _ in range(agents)],
        fixed_cost=rng.randint(0, 10),
    )


def build(toy: Toy, backend: str = "glop") -> tuple[colgen.Master, colgen.Pricer, list[int]]:
    master = colgen.Master(blocks=toy.agents, backend=backend)
    cover = [master.add_row(1, 1) for _ in range(toy.tasks)]
    for r in cover:  # an uncovered task is allowed at a price
        master.add_var(colgen.ExtraVar(0, 1, MISS, ((r, 1.0),)))
    load = [master.add_row(0, math.inf) for _ in range(toy.agents)]  # peak - tasks(a) >= 0
    master.add_var(colgen.ExtraVar(0, toy.tasks, PEAK, tuple((r, 1.0) for r in load)))

    def column(a: int, sub: tuple[int, ...]) -> colgen.Column:
        coefs = [(cover[t], 1.0) for t in sub] + [(load[a], -float(len(sub)))]
        return colgen.Column(a, toy.subset_cost(a, sub), colgen.as_coefs(coefs), sub)

    def pricer(duals: colgen.Duals, blocks) -> list[colgen.Priced]:
        out = []
        for a in blocks:
            cols = sorted((column(a, s) for s in toy.subsets(a)), key=duals.price)
            out.append(colgen.Priced(cols[:2], duals.price(cols[0])))
        return out

    return master, pricer, cover


@pytest.mark.parametrize("seed", range(12))
def test_bound_never_exceeds_the_optimum_and_meets_it_at_convergence(seed: int) -> None:
    toy = random_toy(seed)
    opt = toy.optimum()
    master, pricer, _ = build(toy)
    bounds: list[float] = []
    cg = colgen.generate(
        master,
        pricer,
        deadline=time.monotonic() + 20,
        on_round=lambda r: bounds.append(r.bound) if r.bound is not None else None,
    )
    assert cg.converged
    assert bounds, "every round prices every block exactly, so every round has a bound"
    assert all(b <= opt + 1e-6 for b in bounds)
    assert cg.bound == pytest.approx(cg.lp_value)
    assert cg.bound <= opt + 1e-6
    # Dantzig-Wolfe is never weaker than the plain LP: here it is within reach of the optimum.
    assert cg.bound >= opt - 2 * MISS


@pytest.mark.parametrize("seed", range(6))
def test_smoothing_reaches_the_same_lp_value(seed: int) -> None:
    toy = random_toy(seed)
    plain, pricer, _ = build(toy)
    a = colgen.generate(plain, pricer, deadline=time.monotonic() + 20)
    smooth, pricer2, _ = build(toy)
    b = colgen.generate(smooth, pricer2, deadline=time.monotonic() + 20, smoothing=0.7)
    assert a.converged
    assert b.converged
    assert b.lp_value == pytest.approx(a.lp_value)
    assert b.bound <= toy.optimum() + 1e-6


@pytest.mark.parametrize("seed", range(6))
def test_integer_master_over_every_column_is_the_optimum(seed: int) -> None:
    toy = random_toy(seed)
    master, _, cover = build(toy)
    for a in range(toy.agents):
        for sub in toy.subsets(a):
            coefs = [(cover[t], 1.0) for t in sub] + [(toy.tasks + a, -float(len(sub)))]
            master.add_column(
                colgen.Column(a, toy.subset_cost(a, sub), colgen.as_coefs(coefs), sub)
            )
    cp = colgen.solve_integer(master, time_limit=10)
    scip = colgen.solve_integer(master, time_limit=10, backend="scip")
    assert cp is not None
    assert cp.optimal
    assert cp.objective == toy.optimum()
    assert scip is not None
    assert scip.objective == cp.objective
    # The choice is one column per block and really costs what is reported.
    cols = [master.columns[c] for c in cp.choice]
    assert [c.block for c in cols] == list(range(toy.agents))


@pytest.mark.parametrize("seed", range(6))
def test_dive_gives_a_feasible_choice_and_releases_the_master(seed: int) -> None:
    toy = random_toy(seed)
    master, pricer, _ = build(toy)
    colgen.generate(master, pricer, deadline=time.monotonic() + 20)
    choice = colgen.dive(master, pricer, deadline=time.monotonic() + 5)
    assert choice is not None
    subs = [master.columns[c].data for c in choice]
    held = [t for s in subs for t in s]
    assert len(held) == len(set(held)), "no task twice"
    value = sum(toy.subset_cost(a, s) for a, s in enumerate(subs))
    value += MISS * (toy.tasks - len(held)) + PEAK * max(len(s) for s in subs)
    assert value >= toy.optimum()
    assert master.fixed == {}
    # The integer master, hinted with the dive, is at least as good.
    best = colgen.solve_integer(master, time_limit=5, hint=choice)
    assert best is not None
    assert best.objective <= value


def test_mathopt_backend_gives_the_glop_value() -> None:
    toy = random_toy(3)
    a_master, a_pricer, _ = build(toy, "glop")
    b_master, b_pricer, _ = build(toy, "mathopt")
    a = colgen.generate(a_master, a_pricer, deadline=time.monotonic() + 20)
    b = colgen.generate(b_master, b_pricer, deadline=time.monotonic() + 20)
    assert a.converged
    assert b.converged
    assert a.lp_value == pytest.approx(b.lp_value)


def test_blocks_without_columns_use_artificial_slack_first() -> None:
    master = colgen.Master(blocks=2, artificial_cost=1000)
    r = master.add_row(1, 1)
    sol = master.solve()
    assert sol is not None
    assert sol.artificial == pytest.approx(3)  # two empty blocks and an uncovered row
    master.add_column(colgen.Column(0, 5, ((r, 1.0),), "a"))
    master.add_column(colgen.Column(1, 0, (), "empty"))
    assert master.add_column(colgen.Column(1, 0, (), "empty")) is None  # a duplicate
    sol = master.solve()
    assert sol.artificial == pytest.approx(0)
    assert sol.value == pytest.approx(5)


@pytest.mark.parametrize("seed", range(4))
def test_a_hint_of_columns_is_completed_with_its_cheapest_extras(seed: int) -> None:
    """The integer master hints the slacks and the peak too, at the values the hinted
    columns need: a hint of the columns alone left CP-SAT to guess them, and a wrong guess
    discarded the hint (the MIP then returned worse than the roster it was given)."""
    toy = random_toy(seed)
    master, _, cover = build(toy)
    rng = random.Random(seed)
    hint, taken = [], set()
    for a in range(toy.agents):
        for sub in toy.subsets(a):
            coefs = [(cover[t], 1.0) for t in sub] + [(toy.tasks + a, -float(len(sub)))]
            master.add_column(
                colgen.Column(a, toy.subset_cost(a, sub), colgen.as_coefs(coefs), sub)
            )
        free = [c for c in master.by_block[a] if not taken & set(master.columns[c].data)]
        hint.append(rng.choice(free))  # the empty subset is always free
        taken |= set(master.columns[hint[-1]].data)
    chosen = [master.columns[c].data for c in hint]
    missed = [0 if t in taken else 1 for t in range(toy.tasks)]
    assert _hint_values(master, hint, {}, seed) == [*missed, max(len(s) for s in chosen)]
    # Two agents on one task: no completion, and the columns alone are still hinted.
    clash = next(
        (a, c)
        for a in range(toy.agents)
        for c in master.by_block[a]
        if set(master.columns[c].data) & (taken - set(chosen[a]))
    )
    hint[clash[0]] = clash[1]
    assert _hint_values(master, hint, {}, seed) is None
    assert colgen.solve_integer(master, time_limit=5, hint=hint).objective == toy.optimum()


def test_bad_input_names_the_field() -> None:
    master = colgen.Master(blocks=1)
    with pytest.raises(ValueError, match=r"column\.block"):
        master.add_column(colgen.Column(3, 1, ()))
    with pytest.raises(ValueError, match="row"):
        master.add_row(2, 1)
    master.add_column(colgen.Column(0, 1.5, ()))
    with pytest.raises(ValueError, match=r"columns\[0\].cost"):
        colgen.solve_integer(master, time_limit=1)


def odd_cycle() -> tuple[colgen.Master, colgen.Pricer]:
    """Three agents, three tasks each done exactly once; each agent starts with one pair
    of tasks (AB, BC, CA: the LP takes each at one half, no choice of them covers every
    task once) and may also do a single task, at a price of 1."""
    pairs = [(0, 1), (1, 2), (0, 2)]
    master = colgen.Master(blocks=3)
    rows = [master.add_row(1, 1) for _ in range(3)]

    def column(a: int, tasks: tuple[int, ...]) -> colgen.Column:
        cost = 1 if len(tasks) == 1 else 0
        return colgen.Column(a, cost, colgen.as_coefs((rows[t], 1.0) for t in tasks), tasks)

    for a, pair in enumerate(pairs):
        master.add_column(column(a, pair))
        master.add_column(column(a, ()))

    def pricer(duals: colgen.Duals, blocks) -> list[colgen.Priced]:
        out = []
        for a in blocks:
            cols = sorted(
                (column(a, s) for s in [(), pairs[a], *((t,) for t in range(3))]),
                key=duals.price,
            )
            out.append(colgen.Priced(cols[:2], duals.price(cols[0])))
        return out

    return master, pricer


def test_a_dive_prices_the_columns_that_fit_before_it_undoes_a_step() -> None:
    """Fixing one agent to its pair leaves a task only a single-task column of another
    agent can cover, and the master has none yet. Without pricing between steps the dive
    can only undo steps and ends without a choice; a repair round after the step that
    left the rows short finds that column, so the dive keeps its step and ends at the
    optimum (one single task: 1)."""
    master, pricer = odd_cycle()
    assert colgen.dive(master, pricer, deadline=time.monotonic() + 5, rounds_per_step=0) is None
    master, pricer = odd_cycle()
    choice = colgen.dive(
        master, pricer, deadline=time.monotonic() + 5, rounds_per_step=0, repair_rounds=2
    )
    assert choice is not None
    chosen = [master.columns[c] for c in choice]
    assert sorted(t for col in chosen for t in col.data) == [0, 1, 2]
    assert sum(col.cost for col in chosen) == 1
    assert master.fixed == {}
