"""Solve a Curtois-Qu instance: first roster, row generation with diving, then LNS.

Why this shape: every hard rule concerns one employee's row and cover is soft, so a roster
made of individually feasible rows is always feasible, and one employee's best row given
the others is a shortest path that the row DP (``row_dp.py``) finds in milliseconds.

1. First roster, row by row against the cover still missing, each row the DP's best
   (``descent.construct``). On the large instances and the long horizons a rule-aware
   greedy (``greedy.py``) instead, in a second; a row it cannot make feasible is the
   DP's best row (the employee's CP-SAT row model where the DP is too slow: the 364-day
   instances with many shift types).
2. Tiny instances: the full compact model, hinted, which proves Instance1 optimal at once.
3. Up to ``_COLGEN_STAFF_DAYS``: row generation on ``scheduler.solver.colgen`` (a master LP
   over whole rows with DP pricing, ``decomposition.py``, the pricing split over the
   workers by ``pricing_pool.py``), whose LP is strong where the compact model's is very
   weak and whose Lagrangian bound is the reported bound; then
   the package's dive again and again (each from the master the dives before enriched),
   each roster then improved by single-row descent (``descent.py``), and the MIP over
   every generated row. Larger instances go straight to the descent.
4. Large-neighbourhood search until the time limit: re-solve a few employees over the
   horizon, or everyone over a window of days (often around badly covered days), with the
   rest fixed, keeping a change when it is no worse; after every few improvements, a
   short single-row descent against the new cover.

The reported bound is only what this solver proved (full-model bound or Lagrangian bound);
the objective is the independent evaluator's score, checked against the model's.
"""

from __future__ import annotations

import math
import os
import random
import sys
import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.solver.curtois.decomposition import RowsMaster
from scheduler.solver.curtois.descent import Cover, best_row, construct, descend
from scheduler.solver.curtois.evaluate import evaluate
from scheduler.solver.curtois.greedy import greedy_row, row_is_feasible
from scheduler.solver.curtois.instance import Instance
from scheduler.solver.curtois.model import OFF, Grid, Tables, build, full_free
from scheduler.solver.curtois.pricing import RowPricer
from scheduler.solver.curtois.pricing_pool import PricingPool
from scheduler.solver.curtois.reader import read_instance

# Full-model runs only when the model is this small (number of (employee, day, shift) vars).
_FULL_MODEL_CELLS = 700
# Row generation and diving up to this many (employee, day) pairs: beyond, a pricing round
# is too slow on two cores for the dive to finish within a minute. Measured at 60 s, seeds
# 0 and 1, against plain LNS: better on Instances 15 (5,779 / 5,386 -> 5,037 / 5,066),
# 17 (6,892 / 6,590 -> 6,060 / 6,055, and a bound) and 18 (5,795 / 5,591 -> 4,981 /
# 5,182, and a bound), all under 1,900; worse on 13 and 19 (3,360: 4,385 -> 7,286 and
# 4,372 -> 5,401), 20 and 21. It was 1,700 before the row DP got faster, then 2,000.
# Measured again on the code of 2026-12-07 (AMD EPYC, 2 cores, 60 s, seeds 0-2), 13 and
# 19 gained: the descent and LNS alone gave 4,332 / 3,729 / 4,264 and 4,453 / 4,632 /
# 4,543, the row generation and dives first 3,287 / 3,249 / 4,067 and 4,411 / 4,454 /
# 4,561 (their root LPs do not converge in its 35 %: no bound yet). Instance20 (9,100)
# stays out.
_COLGEN_STAFF_DAYS = 4_000
# Above this many cells the first roster comes from the row greedy (DP or CP-SAT rows as
# fallback), and for horizons beyond twelve weeks. The DP's rows there take 0.2-0.4 s each:
# Instance22's 50 took 22 s and gave 102,689, the greedy gives 203,713 in 3 s, and the
# descent from it reaches 61,652 by 30 s. At 60 s, seeds 0 and 1, greedy first against
# DP rows first: Instance20 6,935 / 6,920 against 7,770 / 6,542, Instance21 25,328 /
# 24,709 against 25,324 / 24,930, Instance22 45,626 / 44,763 against 47,385 / 45,601
# (first roster 0.4-4 s against 0.8-10 s).
_GREEDY_CELLS = 45_000
_GREEDY_HORIZON = 84
# After this many improvements by the search, a single-row descent (at most this many
# seconds): a window re-solved by CP-SAT often leaves rows that their employee alone can
# improve against the new cover, which no window of the search happens to free (60 s,
# seeds 0-2: Instance17 -1.5 to -3.8 %, Instance20 -2 to -10 %, Instance13 within its
# noise; a descent after every 3 improvements did much worse on Instance13).
_DESCENT_EVERY = 10
_DESCENT_SECONDS = 3.0
# Pricing rounds after each dive while the root LP has not converged (see ``_dives``).
_RESUMED_ROUNDS = 2
_RESUMED_S = 6.0  # at least this long for them
_DEBUG = bool(os.environ.get("CURTOIS_DEBUG"))


class _NoRoster(Exception):
    """No roster exists (the message is the status to report)."""


@dataclass
class _State:
    grid: Grid
    value: int
    bound: float | None = None
    optimal: bool = False
    first_at: float | None = None


def _solver(
    time_limit: float, workers: int, seed: int, *, light: bool = False
) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    if light:
        # Sub-models are small and solved many times: presolve would dominate.
        solver.parameters.max_presolve_iterations = 1
        solver.parameters.symmetry_level = 0
    return solver


def _n_cells(tables: Tables) -> int:
    return sum(
        len(tables.allowed[e]) * (tables.horizon - len(tables.day_off[e]))
        for e in range(tables.n_staff)
    )


def _construct(
    tables: Tables,
    deadline: float,
    workers: int,
    seed: int,
    budget: float,
    pricers: list[RowPricer] | None = None,
) -> Grid | None:
    """Greedy first roster: each employee's best row against the still-missing cover.

    ``budget`` is the time meant for the whole construction; ``deadline`` the hard stop.
    With ``pricers`` (when the row DP is fast enough), a row the greedy cannot make
    feasible is the DP's best row against the cover so far; otherwise the CP-SAT row model.
    """
    grid = tables.empty_grid()
    n = tables.n_staff
    soft_end = time.monotonic() + budget
    use_greedy = _uses_greedy(tables)
    for k in range(n):
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        if use_greedy:
            for pace in (0.8, 0.65, 0.5, 0.35):
                row = greedy_row(tables, grid, k, pace)
                if row_is_feasible(tables, k, row):
                    grid[k] = row
                    break
            else:
                grid[k] = row  # as the hint of the CP-SAT row model below
        status = cp_model.UNKNOWN
        if use_greedy and row_is_feasible(tables, k, grid[k]):
            continue
        if use_greedy and pricers is not None:
            # The DP keeps every rule by construction: a fraction of a second where the
            # CP-SAT row model took about 6 s (Instance22, 364 days).
            others = [row if e != k else [OFF] * tables.horizon for e, row in enumerate(grid)]
            row, _ = best_row(pricers[k], Cover(tables, others), None)
            if row is not None and row_is_feasible(tables, k, row):
                grid[k] = row
                continue
        built = build(tables, grid, {k: list(range(tables.horizon))}, hint=use_greedy)
        if not use_greedy:
            per = max(0.05, min(1.0, (soft_end - time.monotonic()) / (n - k)))
            solver = _solver(per, workers, seed, light=True)
            status = solver.Solve(built.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            # Feasibility only (feasibility jump finds tight minute windows fast).
            built.model.ClearObjective()
            solver = _solver(max(0.5, deadline - time.monotonic()), workers, seed, light=True)
            solver.parameters.stop_after_first_solution = True
            status = solver.Solve(built.model)
            if status == cp_model.INFEASIBLE:
                # Rows are independent: one employee without a feasible row proves it.
                raise _NoRoster("INFEASIBLE")
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                return None
        grid = built.read(solver, grid)
    return grid


def _uses_greedy(tables: Tables) -> bool:
    return _n_cells(tables) > _GREEDY_CELLS or tables.horizon > _GREEDY_HORIZON


def _neighbourhood(
    tables: Tables, grid: Grid, rng: random.Random, size: int
) -> tuple[str, dict[int, list[int]]]:
    """Pick free cells: about ``size`` decision variables' worth of (employee, day) cells."""
    n_days, n = tables.horizon, tables.n_staff
    per_emp_day = [max(1, len(tables.allowed[e])) for e in range(n)]
    kind = rng.random()
    if kind < 0.35:
        # Whole rows of a few employees, preferring employees sharing shift types.
        pool = list(range(n))
        rng.shuffle(pool)
        first = pool[0]
        types = set(tables.allowed[first])
        pool.sort(key=lambda e: -len(types & set(tables.allowed[e])) + rng.random() * 2)
        chosen, cost = [], 0
        for e in pool:
            chosen.append(e)
            cost += per_emp_day[e] * n_days
            if cost >= size:
                break
        return "rows", {e: list(range(n_days)) for e in chosen}
    # A window of days around a badly covered day (or at random), for many employees.
    day = _bad_day(tables, grid, rng) if kind < 0.8 else rng.randrange(n_days)
    total_per_day = sum(per_emp_day)
    width = max(2, min(n_days, size // max(1, total_per_day)))
    if width >= 7 or width >= n_days:
        emps = list(range(n))
    else:
        width = min(n_days, max(7, width * 2))
        emps = list(range(n))
        rng.shuffle(emps)
        budget = size // width
        chosen, cost = [], 0
        for e in emps:
            chosen.append(e)
            cost += per_emp_day[e]
            if cost >= budget:
                break
        emps = chosen
    start = max(0, min(n_days - width, day - rng.randrange(width)))
    days = list(range(start, start + width))
    return ("window" if kind < 0.8 else "random"), dict.fromkeys(emps, days)


def _bad_day(tables: Tables, grid: Grid, rng: random.Random) -> int:
    counts: dict[tuple[int, int], int] = {}
    for row in grid:
        for d, t in enumerate(row):
            if t != OFF:
                counts[d, t] = counts.get((d, t), 0) + 1
    bad = [d for (d, t), (req, wu, wo) in tables.cover.items() if counts.get((d, t), 0) != req]
    return rng.choice(bad) if bad else rng.randrange(tables.horizon)


def _full_run(tables: Tables, state: _State, time_limit: float, workers: int, seed: int) -> None:
    built = build(tables, state.grid, full_free(tables), hint=True)
    solver = _solver(time_limit, workers, seed)
    status = solver.Solve(built.model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        value = round(solver.ObjectiveValue()) + built.offset
        if value <= state.value:
            state.grid = built.read(solver, state.grid)
            state.value = value
        bound = solver.BestObjectiveBound() + built.offset
        state.bound = max(state.bound or 0, bound)
        if status == cp_model.OPTIMAL:
            state.optimal = True
            state.bound = state.value


def _lns(
    tables: Tables,
    state: _State,
    deadline: float,
    workers: int,
    rng: random.Random,
    pricers: list[RowPricer],
) -> None:
    n_cells = _n_cells(tables)
    size = min(n_cells, 150)
    sub_time = 0.5  # seconds per neighbourhood
    improved = 0
    while True:
        left = deadline - time.monotonic()
        if left < 0.2:
            return
        if improved >= _DESCENT_EVERY:
            improved = 0
            end = min(deadline, time.monotonic() + _DESCENT_SECONDS)
            grid, _ = descend(tables, state.grid, pricers, end, rng, passes=2)
            _offer(tables, state, grid, "descent in the search")
            continue
        kind, free = _neighbourhood(tables, state.grid, rng, size)
        built = build(tables, state.grid, free, hint=True)
        solver = _solver(min(sub_time, left), workers, rng.randrange(1 << 30), light=True)
        status = solver.Solve(built.model)
        before = state.value
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            value = round(solver.ObjectiveValue()) + built.offset
            if value <= state.value:
                improved += value < state.value
                state.grid = built.read(solver, state.grid)
                state.value = value
        if _DEBUG:
            print(
                f"lns {kind:6} size {size:5} vars {len(built.x):5} {solver.StatusName(status):9}"
                f" {solver.WallTime():.2f}s {before} -> {state.value}",
                file=sys.stderr,
            )
        if status == cp_model.OPTIMAL:
            size = min(n_cells, int(size * 1.15) + 1)
        else:
            size = max(100, int(size * 0.9))


def _dives(
    tables: Tables,
    state: _State,
    rows: RowsMaster,
    pricers: list[RowPricer],
    rng: random.Random,
    until: float,
    max_dives: int | None = None,
    *,
    converged: bool = True,
) -> None:
    """Dive again and again until ``until`` (or ``max_dives``), each roster then descended
    row by row.

    After each fixing step the dive prices up to 30 rounds when the root LP ``converged``
    (a few rounds re-converge it), but only 3 when it did not: there 30 rounds made the
    first step a continuation of the root LP that took the whole dive's time, and the
    rest was rounded at once (60 s, seed 0: Instance14 one 14 s step, dive 3,399, final
    1,382; with 3 rounds dives of 1,581 then 1,278, final 1,278, the best known;
    Instance15 dives of 7,981-10,313 against 5,194).

    Each dive leaves its rows in the master, so the next starts from a richer LP and
    takes another way down (Instance6, LP 1,949: ten dives of 0.5-2 s each gave 2,250,
    2,044, 2,053, 2,044, 2,062, 2,045, 1,952, 2,052, 1,952, 1,952, where one dive and the
    search after it ended at 2,043-2,046 in 60 s; best known 1,950).

    When the root LP did not converge, ``_RESUMED_ROUNDS`` pricing rounds over every
    employee follow each dive: the rows the dive priced bring the LP nearer its optimum,
    so these rounds give a Lagrangian bound where the root LP's did not (60 s, seed 0:
    after the first dive Instance19's rose from -2,615 to 2,427 in 4 rounds, Instance13's
    from -24,825 to 238 in 2) and the next dive starts from a better LP.
    """
    dives = 0
    while time.monotonic() < until and (max_dives is None or dives < max_dives):
        dives += 1
        dived = rows.dive(until, rounds_per_step=30 if converged else 3)
        if dived is None:
            return
        _offer(tables, state, dived, "dive")
        grid, _ = descend(tables, dived, pricers, until, rng)
        _offer(tables, state, grid, "descent")
        if not converged:
            # Even when the dive took all its time (a large instance dives once).
            end = max(until, time.monotonic() + _RESUMED_S)
            result = rows.generate(end, max_rounds=_RESUMED_ROUNDS)
            converged = result.converged
            _raise_bound(state, result.bound)
            _log(state, f"resumed LP {result.lp_value} bound {result.bound}")


def solve_instance(
    instance: Instance, *, time_limit: float = 60.0, workers: int = 2, seed: int = 0
) -> dict:
    """Solve ``instance``; the result dict of :func:`solve_file`."""
    start = time.monotonic()
    deadline = start + time_limit
    tables = Tables.of(instance)
    rng = random.Random(seed)
    pricers = [RowPricer(tables, e) for e in range(tables.n_staff)]
    grid, status = None, "UNKNOWN"
    dp_fast = _dp_fast(tables)
    if dp_fast and not _uses_greedy(tables):
        grid = construct(tables, pricers, start + time_limit * 0.25, rng)
    if grid is None:
        try:
            grid = _construct(
                tables,
                deadline,
                workers,
                seed,
                budget=time_limit * 0.25,
                pricers=pricers if dp_fast else None,
            )
        except _NoRoster as exc:
            grid, status = None, str(exc)
    if grid is None:
        return {
            "status": status,
            "objective": None,
            "bound": None,
            "wall_time_s": round(time.monotonic() - start, 3),
            "time_to_first_s": None,
            "roster": None,
        }
    state = _State(grid=grid, value=tables.penalty(grid))
    state.first_at = time.monotonic() - start
    _log(state, "first roster")
    cells = _n_cells(tables)
    # Leave a margin for the final evaluation and the last model build.
    end = deadline - min(2.0, 0.03 * time_limit)
    if cells <= _FULL_MODEL_CELLS:
        # Small: the full model (hinted) may prove optimality outright, and gives our bound.
        _full_run(tables, state, min(time_limit * 0.15, end - time.monotonic()), workers, seed)
        _log(state, "full model")
    if not state.optimal and tables.n_staff * tables.horizon <= _COLGEN_STAFF_DAYS:
        with PricingPool(pricers, workers) as pool:
            rows = RowsMaster(tables, pricers, exact_time=0.5, pool=pool)
            rows.add_grid(state.grid)
            root_end = time.monotonic() + (end - time.monotonic()) * 0.35
            result = rows.generate(root_end)
            _raise_bound(state, result.bound)
            _log(state, f"root LP {result.lp_value} bound {result.bound} rounds {result.rounds}")
            until = time.monotonic() + (end - time.monotonic()) * 0.6
            _dives(tables, state, rows, pricers, rng, until, converged=result.converged)
        mixed = rows.best_mix(state.grid, min(10.0, 0.3 * (end - time.monotonic())), workers, seed)
        if mixed is not None:
            _offer(tables, state, mixed[0], "column MIP")
    elif not state.optimal:
        grid, _ = descend(tables, state.grid, pricers, start + time_limit * 0.5, rng)
        _offer(tables, state, grid, "descent")
    if not state.optimal:
        _lns(tables, state, end, workers, rng, pricers)
    roster = tables.grid_to_roster(state.grid)
    evaluation = evaluate(instance, roster)
    if evaluation.score is None:
        raise AssertionError(
            f"{instance.name}: the solver produced an infeasible roster: "
            + "; ".join(map(str, evaluation.violations[:3]))
        )
    if evaluation.score != state.value:
        raise AssertionError(
            f"{instance.name}: model objective {state.value} != evaluator {evaluation.score}"
        )
    bound = state.bound if state.bound is not None and state.bound > 0 else None
    if bound is not None:
        bound = min(float(state.value), float(int(-(-bound // 1))))
    status = (
        "OPTIMAL" if state.optimal or (bound is not None and bound >= state.value) else "FEASIBLE"
    )
    return {
        "status": status,
        "objective": evaluation.score,
        "bound": bound,
        "wall_time_s": round(time.monotonic() - start, 3),
        "time_to_first_s": round(state.first_at, 3),
        "roster": roster,
    }


def _raise_bound(state: _State, bound: float | None) -> None:
    """Keep a proven Lagrangian or LP bound when it is above the one held."""
    if bound is not None:
        state.bound = max(state.bound or 0, math.ceil(bound - 1e-6))


def _dp_fast(tables: Tables) -> bool:
    """Whether a row DP per employee is quick enough for a first roster within seconds."""
    return tables.n_staff * tables.horizon * len(tables.cover) < 2e8


def _offer(tables: Tables, state: _State, grid: Grid, what: str) -> None:
    """Keep ``grid`` when it is no worse and every row keeps the rules."""
    value = tables.penalty(grid)
    if value <= state.value and all(row_is_feasible(tables, e, row) for e, row in enumerate(grid)):
        state.grid, state.value = grid, value
    _log(state, f"{what} {value}")


def _log(state: _State, what: str) -> None:
    if _DEBUG:
        print(f"{time.monotonic() % 1000:7.2f} {what}: incumbent {state.value}", file=sys.stderr)


def solve_file(
    path: str | os.PathLike[str], *, time_limit: float = 60.0, workers: int = 2, seed: int = 0
) -> dict:
    """Read an instance file and solve it within ``time_limit`` seconds.

    Returns ``{"status", "objective", "bound", "wall_time_s", "time_to_first_s", "roster"}``;
    ``objective`` is the independent evaluator's score, ``bound`` a lower bound proven by
    our own full-model run (None when none ran), ``roster`` None when no roster was found.
    """
    return solve_instance(read_instance(path), time_limit=time_limit, workers=workers, seed=seed)
