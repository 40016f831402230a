"""The decomposition by person-week: exact columns, exact pricing, valid bounds.

Random small rosters (one or two weeks, evenings and weekends, shifts across midnight,
pins, previous rosters, understaffing allowed or not) are solved exactly by the full
CP-SAT model; the column-generation bound must never exceed that optimum, and a dive's
roster must keep every rule.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

import pytest
from ortools.sat.python import cp_model

from scheduler.solver import colgen
from scheduler.solver.check import check
from scheduler.solver.decomposition.blocks import build_blocks
from scheduler.solver.decomposition.cpsat_pricing import CpSatPricer
from scheduler.solver.decomposition.labelling import label
from scheduler.solver.decomposition.master import RosterMaster
from scheduler.solver.decomposition.relaxation import objective_constant
from scheduler.solver.decomposition.search import ColumnSearch
from scheduler.solver.decomposition.spread import spread_lower_bound
from scheduler.solver.index import build_index
from scheduler.solver.model import build_model
from scheduler.solver.problem import (
    Assignment,
    Preference,
    Problem,
    Progress,
    Rules,
    Shift,
    Unavailable,
)
from scheduler.solver.score import score
from scheduler.solver.solve import solve
from tests.solver.builders import MONDAY, person, problem
from tests.solver.engine_cases import example

HOURS = (8, 9, 10, 12, 14, 16, 17, 18, 20, 22)
T = TypeVar("T")


def random_problem(seed: int) -> Problem:
    rng = random.Random(seed)
    weeks = rng.choice([1, 1, 2])
    days = 7 * weeks
    shifts = []
    for i in range(rng.randint(4, 12)):
        d = rng.randrange(days)
        start = datetime.combine(MONDAY + timedelta(days=d), datetime.min.time()).replace(
            hour=rng.choice(HOURS), minute=rng.choice([0, 0, 30])
        )
        end = start + timedelta(minutes=rng.choice([60, 120, 120, 180]))
        if end.date() >= MONDAY + timedelta(days=days):
            end = start.replace(hour=23, minute=59)
        lo = rng.choice([0, 1, 1, 2])
        shifts.append(
            Shift(f"s{i}", "desk", start, end, lo, lo + rng.randint(0, 1),
                  tuple(rng.sample(["chat"], rng.randint(0, 1))))
        )  # fmt: skip
    staff = []
    for j in range(rng.randint(3, 6)):
        d = rng.randrange(days)
        day0 = datetime.combine(MONDAY + timedelta(days=d), datetime.min.time())
        away = (Unavailable(day0.replace(hour=9), day0.replace(hour=13)),)
        prefs = (Preference(day0.replace(hour=16), day0.replace(hour=21), rng.choice([-2, 1, 3])),)
        staff.append(
            person(
                f"p{j}",
                first_line=rng.random() > 0.1,
                skills=rng.choice([(), ("chat",)]),
                min_h=rng.choice([0, 0, 2, 4]),
                max_week=rng.choice([None, 4, 8]),
                max_day=rng.choice([3, 4, 8]),
                target=rng.choice([None, 3, 6]),
                unavailable=away if rng.random() < 0.3 else (),
                preferences=prefs if rng.random() < 0.4 else (),
            )
        )
    weights = dict(Rules().weights)
    if rng.random() < 0.3:
        weights.update(duty_days=rng.choice([0, 5, 30]), unsocial_spread=rng.choice([0, 10, 60]))
    rules = Rules(
        max_consecutive_hours=rng.choice([None, 3, 4]),
        min_break_minutes=rng.choice([0, 15, 30]),
        allow_understaffing=rng.random() < 0.4,
        weights=weights,
    )
    pairs = [(s.id, q.id) for s in shifts for q in staff]
    previous = rng.sample(pairs, rng.randint(0, min(4, len(pairs))))
    p = problem(shifts, staff, weeks=weeks, rules=rules, previous=previous)
    if rng.random() < 0.3:  # pin one pair the person may hold
        idx = build_index(p)
        options = [(q, s) for q in idx.first_line for s in idx.eligible[q]]
        if options:
            q, s = rng.choice(options)
            pin = (Assignment(p.shifts[s].id, p.staff[q].id),)
            p = Problem(p.timezone, p.start, p.weeks, p.service_points, p.shifts, p.staff,
                        p.rules, pin, p.previous)  # fmt: skip
    return p


def optimum(p: Problem) -> tuple[int, frozenset[tuple[int, int]]] | None:
    """The proven optimum by the full CP-SAT model (None if there is no roster)."""
    idx = build_index(p)
    rm = build_model(idx)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 20
    solver.parameters.num_workers = 2
    status = solver.solve(rm.model)
    if status == cp_model.INFEASIBLE:
        return None
    assert status == cp_model.OPTIMAL
    pairs = frozenset(k for k, v in rm.x.items() if solver.boolean_value(v))
    return round(solver.objective_value), pairs


_FEASIBLE: list[tuple[int, Problem, tuple[int, frozenset[tuple[int, int]]]]] = []


def nth_random(n: int, find: Callable[[Problem], T | None], found: list[tuple[int, Problem, T]]):
    """The n-th random problem (by seed) for which ``find`` gives something, with it;
    ``found`` caches the earlier ones. A seed without a roster would test nothing, so it
    is passed over rather than skipped."""
    seed = found[-1][0] + 1 if found else 0
    while len(found) <= n:
        p = random_problem(seed)
        got = find(p)
        if got is not None:
            found.append((seed, p, got))
        seed += 1
    return found[n]


def feasible(n: int) -> tuple[int, Problem, tuple[int, frozenset[tuple[int, int]]]]:
    """The n-th random problem that has a roster, with its proven optimum."""
    return nth_random(n, optimum, _FEASIBLE)


def check_bound(n: int) -> None:
    seed, p, (value, pairs) = feasible(n)
    idx = build_index(p)
    assert sum(score(idx, pairs)[0].values()) == value
    cs = ColumnSearch(idx)
    cs.relax(time.monotonic() + 30)
    assert cs.relaxation.converged()
    bound = cs.bound()
    assert bound is not None
    assert bound <= value, (seed, bound, value)
    # The spread bound alone holds too (it is part of the sum).
    w = p.rules.weights["unsocial_spread"]
    spread = score(idx, pairs)[0]["unsocial_spread"]
    assert w * spread_lower_bound(idx, build_blocks(idx)) <= spread or w == 0
    # A dive (completed where it must be) keeps every rule.
    dived = cs.dive(time.monotonic() + 10)
    if not dived.free:
        assignments = [Assignment(p.shifts[s].id, p.staff[q].id) for q, s in dived.pairs]
        report = check(p, assignments)
        assert report.ok, [v.message for v in report.violations]
        assert report.objective >= value
    # So does a dive in the whole-period master (two weeks: it weighs the spread).
    whole = cs.dive_whole(time.monotonic() + 10)
    assert (whole is None) == (p.weeks == 1 or not cs.whole_converged)
    if whole is not None and not whole.free:
        assignments = [Assignment(p.shifts[s].id, p.staff[q].id) for q, s in whole.pairs]
        report = check(p, assignments)
        assert report.ok, [v.message for v in report.violations]
        assert report.objective >= value


@pytest.mark.parametrize("n", range(40))
def test_bound_never_exceeds_the_proven_optimum(n: int) -> None:
    check_bound(n)


@pytest.mark.slow
@pytest.mark.parametrize("n", range(40, 440))
def test_bound_never_exceeds_the_proven_optimum_many_seeds(n: int) -> None:
    check_bound(n)


def trivial_bound(p: Problem) -> int:
    """The objective no roster can go below on its face: every per-assignment reward
    (wishes, kept previous assignments) taken, every other term at 0. It is 0 or more
    unless wishes reward shifts."""
    idx = build_index(p)
    w = p.rules.weights
    total = objective_constant(idx)
    for q in idx.first_line:
        for s in idx.eligible[q]:
            v = w["preference"] * idx.pref_cost.get((q, s), 0)
            v -= w["change"] if (q, s) in idx.previous else 0
            total += min(0, v)
    return total


@pytest.mark.parametrize("n", range(25))
def test_every_reported_bound_is_valid_and_never_absurd(n: int) -> None:
    """Whatever the search has got to, each bound it reports (through ``on_progress`` and
    in the Solution) lies between the trivial bound and the proven optimum, and never
    above the objective reported with it."""
    _, p, (value, _) = feasible(n)
    floor = trivial_bound(p)
    seen: list[Progress] = []
    for limit in (0.2, 1.0):
        sol = solve(p, time_limit=limit, workers=2, seed=n, on_progress=seen.append)
        assert sol.bound is not None
        seen.append(Progress(sol.objective, sol.bound, sol.wall_time_s))
    assert seen
    for pr in seen:
        if pr.bound is None:
            continue
        assert floor <= pr.bound <= value, (n, pr, floor, value)
        if floor >= 0:
            assert pr.bound >= 0
        if pr.objective is not None:
            assert pr.bound <= pr.objective


def test_an_unfinished_lp_still_gives_a_useful_bound() -> None:
    """Early pricing rounds' Lagrangian bounds are far below zero on a 3-library roster
    (the duals are on the scale of the cover's slack); the bound reported must not be:
    each week group starts from its people's cheapest schedules alone."""
    from scheduler.solver import load_problem

    p = load_problem(example("L-3libraries.json"))
    idx = build_index(p)
    cs = ColumnSearch(idx)
    start = cs.bound()
    assert start is not None
    assert start > 0
    for i in range(len(cs.relaxation.groups)):
        cs.relax_group(i, time.monotonic() + 0.2)
        bound = cs.bound()
        assert bound is not None
        # Below every roster the engine has found for it (the best: 14,910).
        assert start <= bound <= 14_910


@pytest.mark.parametrize("n", range(15))
def test_column_costs_add_up_to_the_score(n: int) -> None:
    _, p, (value, pairs) = feasible(n)
    idx = build_index(p)
    blocks = build_blocks(idx)
    rm = RosterMaster(idx, blocks, range(len(p.shifts)), spread=True)
    cols = rm.columns_of(pairs)
    terms, _ = score(idx, pairs)
    # Understaffing and the spread are the master's variables, not any column's.
    rest = terms["understaffing"] + terms["unsocial_spread"]
    assert sum(c.cost for c in cols) + objective_constant(idx) + rest == value


@pytest.mark.parametrize("seed", range(20))
def test_labelling_finds_the_cheapest_schedule_cpsat_finds(seed: int) -> None:
    """Under random shift prices, the labelling's best price is CP-SAT's optimum on the
    block's model (the engine's own rules and terms), and its schedules cost what they
    are priced at."""
    p = random_problem(seed)
    idx = build_index(p)
    rng = random.Random(seed)
    rm = RosterMaster(idx, build_blocks(idx), range(len(p.shifts)), spread=True)
    w_pref, w_change = rm.weights["preference"], rm.weights["change"]
    duals = colgen.Duals([rng.uniform(-300, 300) for _ in rm.cg.rows], [0.0] * len(rm.blocks))
    for b, block in enumerate(rm.blocks):
        if block.segments is None:
            continue
        prices = rm.shift_prices(b, duals.rows)
        got = label(block, prices, rm.weights["target"])
        extra = {
            s: v
            - w_pref * idx.pref_cost.get((block.person, s), 0)
            + (w_change if (block.person, s) in idx.previous else 0)
            for s, v in prices.items()
        }
        lower, _ = CpSatPricer(idx, block)(extra)
        if math.isinf(got.best):
            assert lower == math.inf
            continue
        assert lower is not None
        assert got.best == pytest.approx(lower, abs=0.05 + 1e-3 * abs(lower))
        for price, shifts in got.schedules:
            assert duals.price(rm.column(b, shifts)) == pytest.approx(price)


def test_blocks_across_midnight_link_their_days() -> None:
    # A shift to 23:59 and one at 00:00 the next day, 0 minutes apart: one segment.
    day = datetime.combine(MONDAY, datetime.min.time())
    shifts = [
        Shift("late", "desk", day.replace(hour=21), day.replace(hour=23, minute=59), 1, 1),
        Shift("night", "desk", day + timedelta(days=1), day + timedelta(days=1, hours=2), 1, 1),
        Shift(
            "day",
            "desk",
            day + timedelta(days=2, hours=10),
            day + timedelta(days=2, hours=12),
            1,
            1,
        ),
    ]
    p = problem(shifts, [person("k"), person("o")], rules=Rules(max_consecutive_hours=4))
    (block_k, _) = build_blocks(build_index(p))
    assert block_k.segments is not None
    assert [len(seg.classes) for seg in block_k.segments] == [2, 1]
