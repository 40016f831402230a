"""An integer solution over the generated columns: exactly one column per block.

This is the "restricted master heuristic" of price-and-branch: the columns are fixed, the
choice among them is solved exactly (or until the time limit) by CP-SAT, or by SCIP
through pywraplp. The artificial slacks of the LP are not in it: every linking row is
hard, so the result is a true solution (its optimum is only optimal *among these
columns*, so its bound is not a bound on the whole problem).

CP-SAT needs integer data: column costs, extra-variable costs, bounds and coefficients
must be whole numbers (a ``ValueError`` names the first that is not).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scheduler.solver.colgen.master import Master


@dataclass(frozen=True, slots=True)
class IntegerResult:
    choice: list[int]  # the chosen column id, per block
    var_values: list[int]  # per extra variable
    objective: int
    optimal: bool  # optimal among the master's columns (not for the whole problem)


def _int(x: float, what: str) -> int:
    if not float(x).is_integer():
        raise ValueError(f"{what}: {x} is not a whole number (the integer master needs one)")
    return int(x)


def solve_integer(
    master: Master,
    *,
    time_limit: float,
    workers: int = 1,
    seed: int = 0,
    hint: Sequence[int] | None = None,
    fixed: Mapping[int, int] | None = None,
    cutoff: float | None = None,
    stop_event: threading.Event | None = None,
    on_solution: Callable[[IntegerResult], None] | None = None,
    extend: Callable[[Any, Mapping[int, Any]], Any] | None = None,
    deterministic: bool = False,
    backend: str = "cpsat",
) -> IntegerResult | None:
    """The best choice of one column per block within ``time_limit`` seconds.

    :param hint: a column id per block to start from (a known solution).
    :param fixed: blocks whose column is given (the others choose among all theirs).
    :param cutoff: only solutions with objective below this are of interest.
    :param on_solution: hears every improving solution (CP-SAT only).
    :param deterministic: CP-SAT only: ``time_limit`` is deterministic time (the same
        answer for the same seed and workers), with a wall-clock safety net.
    :param extend: CP-SAT only: called with the model and the column literals (by column
        id) before solving; adds the caller's own constraints and returns an extra
        objective expression (or 0), e.g. a term over blocks the rows cannot express.
    :return: the best solution found, or None if none was found (or none exists).
    """
    if backend == "cpsat":
        return _cpsat(
            master,
            time_limit,
            workers,
            seed,
            hint,
            fixed or {},
            cutoff,
            stop_event,
            on_solution,
            extend,
            deterministic,
        )
    if backend == "scip":
        if extend is not None or on_solution is not None:
            raise ValueError("backend: extend and on_solution need the cpsat backend")
        return _scip(master, time_limit, workers, hint, fixed or {}, cutoff)
    raise ValueError(f"backend: unknown integer backend {backend!r} (cpsat or scip)")


def _cpsat(
    master: Master,
    time_limit: float,
    workers: int,
    seed: int,
    hint: Sequence[int] | None,
    fixed: Mapping[int, int],
    cutoff: float | None,
    stop_event: threading.Event | None,
    on_solution: Callable[[IntegerResult], None] | None,
    extend: Callable[[Any, Mapping[int, Any]], Any] | None,
    deterministic: bool = False,
) -> IntegerResult | None:
    from ortools.sat.python import cp_model

    m = cp_model.CpModel()
    rows: list[list] = [[] for _ in master.rows]
    objective = []
    chosen: dict[int, cp_model.IntVar] = {}
    hinted = set(hint or ())
    for b in range(master.blocks):
        cols = [fixed[b]] if b in fixed else master.by_block[b]
        if not cols:
            return None  # a block without a column: no solution among these columns
        lits = []
        for c in cols:
            col = master.columns[c]
            y = m.new_bool_var(f"c{c}")
            chosen[c] = y
            lits.append(y)
            cost = _int(col.cost, f"columns[{c}].cost")
            if cost:
                objective.append(cost * y)
            for r, a in col.coefs:
                rows[r].append(_int(a, f"columns[{c}].coefs") * y)
            if hint is not None:
                m.add_hint(y, c in hinted)
        m.add_exactly_one(lits)
    completed = None if hint is None else _hint_values(master, hint, fixed, seed, deterministic)
    values = []
    for i, var in enumerate(master.variables):
        lo = -cp_model.INT_MAX if var.lo == -math.inf else _int(var.lo, f"variables[{i}].lo")
        hi = cp_model.INT_MAX if var.hi == math.inf else _int(var.hi, f"variables[{i}].hi")
        v = m.new_int_var(lo, hi, f"v{i}")
        values.append(v)
        if completed is not None:
            m.add_hint(v, completed[i])
        cost = _int(var.cost, f"variables[{i}].cost")
        if cost:
            objective.append(cost * v)
        for r, a in var.coefs:
            rows[r].append(_int(a, f"variables[{i}].coefs") * v)
    for r, (lo, hi) in enumerate(master.rows):
        expr = sum(rows[r])
        if lo > -math.inf:
            m.add(expr >= math.ceil(lo - 1e-9))
        if hi < math.inf:
            m.add(expr <= math.floor(hi + 1e-9))
    total = sum(objective)
    if extend is not None:
        total += extend(m, chosen)
    if cutoff is not None:
        m.add(total <= math.ceil(cutoff) - 1)
    m.minimize(total)

    def extract(value: Callable) -> IntegerResult:
        choice = [-1] * master.blocks
        for c, y in chosen.items():
            if value(y):
                choice[master.columns[c].block] = c
        return IntegerResult(choice, [int(value(v)) for v in values], 0, False)

    class _Cb(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            if stop_event is not None and stop_event.is_set():
                self.stop_search()
                return
            if on_solution is not None:
                res = extract(self.value)
                on_solution(
                    IntegerResult(res.choice, res.var_values, round(self.objective_value), False)
                )

    solver = cp_model.CpSolver()
    prm = solver.parameters
    if deterministic:
        prm.interleave_search = True
        prm.max_deterministic_time = max(0.01, time_limit)
        prm.max_time_in_seconds = time_limit * 10 + 5  # only a safety net
    else:
        prm.max_time_in_seconds = max(0.01, time_limit)
    prm.num_workers = max(1, workers)
    prm.random_seed = seed
    done = threading.Event()
    watcher = None
    if stop_event is not None:

        def watch() -> None:
            while not done.is_set():
                if stop_event.wait(0.05):
                    solver.stop_search()
                    return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
    try:
        status = solver.solve(m, _Cb())
    finally:
        done.set()
        if watcher is not None:
            watcher.join()
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    res = extract(solver.value)
    return IntegerResult(
        res.choice, res.var_values, round(solver.objective_value), status == cp_model.OPTIMAL
    )


def _hint_values(
    master: Master,
    hint: Sequence[int],
    fixed: Mapping[int, int],
    seed: int,
    deterministic: bool = False,
) -> list[int] | None:
    """The cheapest values of the extra variables for the hinted columns, or None.

    Why: a hint of the columns alone leaves CP-SAT to guess the slacks, and a wrong guess
    (a slack at its lower bound under an equality row) makes the hint infeasible, so the
    search starts from nothing (Curtois Instance8, 60 s, seed 0: the column MIP returned
    5,711 from a hint worth 1,407; now 1,403). With every column fixed only the extras are
    left, a tiny model solved at once.
    """
    if not master.variables:
        return None
    by_block = {master.columns[c].block: c for c in hint}
    if len(by_block) < master.blocks:
        return None
    result = _cpsat(
        master, 1.0, 1, seed, None, {**by_block, **fixed}, None, None, None, None, deterministic
    )
    return None if result is None else result.var_values


def _scip(
    master: Master,
    time_limit: float,
    workers: int,
    hint: Sequence[int] | None,
    fixed: Mapping[int, int],
    cutoff: float | None,
) -> IntegerResult | None:
    from ortools.linear_solver import pywraplp

    s = pywraplp.Solver.CreateSolver("SCIP")
    if s is None:
        raise RuntimeError("OR-Tools was built without SCIP")
    inf = s.infinity()
    rows = [
        s.Constraint(-inf if lo == -math.inf else lo, inf if hi == math.inf else hi)
        for lo, hi in master.rows
    ]
    obj = s.Objective()
    chosen: dict[int, object] = {}
    for b in range(master.blocks):
        cols = [fixed[b]] if b in fixed else master.by_block[b]
        if not cols:
            return None
        one = s.Constraint(1, 1)
        for c in cols:
            col = master.columns[c]
            y = s.BoolVar("")
            chosen[c] = y
            one.SetCoefficient(y, 1)
            obj.SetCoefficient(y, col.cost)
            for r, a in col.coefs:
                rows[r].SetCoefficient(y, a)
    values = []
    for var in master.variables:
        lo = -inf if var.lo == -math.inf else var.lo
        hi = inf if var.hi == math.inf else var.hi
        v = s.IntVar(lo, hi, "") if var.integer else s.NumVar(lo, hi, "")
        values.append(v)
        obj.SetCoefficient(v, var.cost)
        for r, a in var.coefs:
            rows[r].SetCoefficient(v, a)
    obj.SetMinimization()
    if cutoff is not None:
        cut = s.Constraint(-inf, cutoff - 0.5)
        for c, y in chosen.items():
            cut.SetCoefficient(y, master.columns[c].cost)
        for var, v in zip(master.variables, values, strict=True):
            cut.SetCoefficient(v, var.cost)
    if hint is not None:
        ys = list(chosen.values())
        hinted = set(hint)
        s.SetHint(ys, [1.0 if c in hinted else 0.0 for c in chosen])
    s.SetNumThreads(max(1, workers))
    s.SetTimeLimit(max(10, int(time_limit * 1000)))
    status = s.Solve()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    choice = [-1] * master.blocks
    for c, y in chosen.items():
        if y.solution_value() > 0.5:
            choice[master.columns[c].block] = c
    return IntegerResult(
        choice,
        [round(v.solution_value()) for v in values],
        round(obj.Value()),
        status == pywraplp.Solver.OPTIMAL,
    )
