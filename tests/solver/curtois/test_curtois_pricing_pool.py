"""Pricing split over forked children: the same rows and bounds as pricing in one
process, the same LP, and no child left behind."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from scheduler.solver.curtois.decomposition import RowsMaster
from scheduler.solver.curtois.model import Tables
from scheduler.solver.curtois.pricing import RowPricer
from scheduler.solver.curtois.pricing_pool import PricingPool
from scheduler.solver.curtois.reader import read_instance

DATA = Path(__file__).resolve().parents[3] / "data" / "curtois-qu"


def tables_of(name: str) -> Tables:
    return Tables.of(read_instance(DATA / f"{name}.txt"))


def test_pool_prices_like_one_process() -> None:
    tables = tables_of("Instance5")  # 16 employees, 4 shift types
    rng = np.random.default_rng(7)
    alone = [RowPricer(tables, e) for e in range(tables.n_staff)]
    shared = [RowPricer(tables, e) for e in range(tables.n_staff)]
    employees = list(range(tables.n_staff))[::-1]  # any order comes back in that order
    with PricingPool(shared, 3) as pool:
        assert pool.parts == 3
        for _ in range(3):  # warm-started cap prices must evolve alike too
            prices = rng.uniform(0, 60, (tables.horizon, tables.n_shifts))
            # Convexity duals just above or below each employee's cheapest row.
            cheapest = [RowPricer(tables, e).price(prices).value for e in employees]
            mus = [v + rng.choice([-1.0, 1.0]) for v in cheapest]
            got = pool.offer(prices, employees, mus)
            want = [alone[e].offer(prices, mu) for e, mu in zip(employees, mus, strict=True)]
            assert got == want
            assert any(o.better for o in got)
            assert not all(o.better for o in got)


def test_pool_children_end_on_close() -> None:
    tables = tables_of("Instance2")
    pricers = [RowPricer(tables, e) for e in range(tables.n_staff)]
    pool = PricingPool(pricers, 2)
    procs = list(pool._procs)
    assert procs
    assert all(p.is_alive() for p in procs)
    pool.close()
    assert not any(p.is_alive() for p in procs)
    # Closed, it still prices (in the parent alone).
    prices = np.zeros((tables.horizon, tables.n_shifts))
    assert len(pool.offer(prices, [0, 1], [0.0, 0.0])) == 2


def test_row_generation_on_two_cores_reaches_the_same_lp_and_bound() -> None:
    tables = tables_of("Instance3")
    results = []
    for workers in (1, 2):
        pricers = [RowPricer(tables, e) for e in range(tables.n_staff)]
        with PricingPool(pricers, workers) as pool:
            rows = RowsMaster(tables, pricers, exact_time=0.5, pool=pool)
            result = rows.generate(time.monotonic() + 60)
            results.append((result.converged, result.rounds, result.lp_value, result.bound))
    assert results[0][0]
    assert results[1][0]
    assert results[0] == results[1]
    # Instance3's optimum is 1,001; the LP bound is the same on one core and two.
    assert results[0][3] <= 1001 + 1e-6
