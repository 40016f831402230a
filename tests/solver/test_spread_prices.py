"""Prices on unsocial shifts in place of the spread: the week LPs' Lagrangian bound on it
(``decomposition/spread.py``, ``Relaxation.price_spread``)."""

from __future__ import annotations

import math
import random
import time

import pytest

import scheduler.solver.decomposition.search as search_module
from scheduler.solver.decomposition.relaxation import Relaxation
from scheduler.solver.decomposition.search import ColumnSearch
from scheduler.solver.decomposition.spread import spread_prices
from scheduler.solver.index import build_index
from scheduler.solver.io import load_problem
from tests.solver.engine_cases import example
from tests.solver.test_decomposition import feasible

L_OPTIMUM = 14_850  # L-3libraries, proven by the whole-period master and a roster


def converged(p) -> Relaxation:
    rel = ColumnSearch(build_index(p)).relaxation
    rel.run(time.monotonic() + 60)
    assert rel.converged()
    return rel


def usage(rel: Relaxation) -> dict[int, float]:
    total = dict.fromkeys(rel.idx.first_line, 0.0)
    for g in rel.groups:
        for p, u in rel.usage(g).items():
            total[p] += u
    return total


def priced_bound(rel: Relaxation, prices: dict[int, float]) -> int:
    bounds = [rel.price_spread(g, prices, time.monotonic() + 30) for g in rel.groups]
    assert all(b is not None for b in bounds)
    return rel.priced_bound(bounds)  # type: ignore[arg-type]


def test_the_weight_goes_on_those_who_hold_most_and_fewest() -> None:
    held = {0: 5.0, 1: 0.0, 2: 9.0, 3: 1.0, 4: 9.0}
    assert spread_prices(held, 30) == {0: 0.0, 1: -15.0, 2: 15.0, 3: -15.0, 4: 15.0}
    # Never the same person at both ends; nothing to price without two people or weight.
    assert spread_prices({0: 1.0, 1: 2.0, 2: 3.0}, 30, people=5) == {0: -30.0, 1: 0.0, 2: 30.0}
    assert spread_prices({0: 4.0}, 30) == {}
    assert spread_prices(held, 0) == {}


def check_priced_bound(n: int) -> None:
    """Random small rosters (one or two weeks) solved exactly by CP-SAT: the week LPs
    under the spread prices from their own solutions, and under random ones of the same
    form (any weights at each end that sum to the spread's weight), bound the optimum."""
    seed, p, (value, _) = feasible(n)
    rel = converged(p)
    w = p.rules.weights["unsocial_spread"]
    assert priced_bound(rel, spread_prices(usage(rel), w)) <= value, seed
    rng = random.Random(seed)
    people = rel.idx.first_line
    if not w or len(people) < 2:
        return
    a = [rng.random() for _ in people]
    b = [rng.random() for _ in people]
    prices = {p: w * (x / sum(a) - y / sum(b)) for p, x, y in zip(people, a, b, strict=True)}
    assert math.isclose(sum(prices.values()), 0, abs_tol=1e-9)
    assert priced_bound(rel, prices) <= value, seed


@pytest.mark.parametrize("n", range(30))
def test_the_priced_bound_never_exceeds_the_proven_optimum(n: int) -> None:
    check_priced_bound(n)


@pytest.mark.slow
@pytest.mark.parametrize("n", range(30, 230))
def test_the_priced_bound_never_exceeds_the_proven_optimum_many_seeds(n: int) -> None:
    check_priced_bound(n)


def test_the_prices_make_the_bound_pay_a_spread_the_week_lps_leave_out() -> None:
    """On the 3-library example a few people hold the most evenings and weekends in
    every good roster: the week LPs alone bound the spread by its water level, the
    prices by those people's share, a bound far closer to the optimum."""
    p = load_problem(example("L-3libraries.json"))
    rel = converged(p)
    plain = rel.bound()
    assert plain is not None
    priced = priced_bound(rel, spread_prices(usage(rel), p.rules.weights["unsocial_spread"]))
    assert plain + 200 <= priced <= L_OPTIMUM


@pytest.mark.parametrize("n", range(20))
def test_where_the_whole_period_master_is_too_big_the_spread_is_priced(n: int, monkeypatch) -> None:
    """With no whole-period master (a period of over WHOLE_ROWS_MAX shifts), the
    decomposition's bound takes the week LPs with the spread priced: still never above
    the proven optimum of a random small roster."""
    monkeypatch.setattr(search_module, "WHOLE_ROWS_MAX", 0)
    seed, p, (value, _) = feasible(n)
    idx = build_index(p)
    cs = ColumnSearch(idx)
    cs.relax(time.monotonic() + 30)
    assert cs.whole is None
    bound = cs.bound()
    assert bound is not None
    assert bound <= value, seed
    priced = p.weeks > 1 and p.rules.weights["unsocial_spread"] and len(idx.first_line) > 1
    assert (cs.priced_bound is not None) == bool(priced)


def test_the_decomposition_prices_the_spread_on_the_three_library_example(monkeypatch) -> None:
    monkeypatch.setattr(search_module, "WHOLE_ROWS_MAX", 0)
    p = load_problem(example("L-3libraries.json"))
    cs = ColumnSearch(build_index(p))
    reported: list[int] = []
    cs.relax(time.monotonic() + 60, on_bound=reported.append)
    plain = cs.relaxation.bound()
    assert plain is not None
    assert cs.priced_bound is not None
    assert plain + 200 <= cs.bound() <= L_OPTIMUM  # type: ignore[operator]
    assert reported[-1] == cs.bound()
