"""The linear programs behind the restricted master: GLOP through pywraplp or MathOpt.

Both backends keep one solver object alive and grow it column by column, so each solve
starts from the previous basis (a few pivots per pricing round instead of a cold start).
The master (``master.py``) talks only to the small :class:`LpBackend` interface; which
backend is faster is measured by ``bench/engine_probe.py --colgen-backends``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

INF = math.inf


@dataclass(frozen=True, slots=True)
class LpResult:
    """An optimal LP solution: value, primal per variable, dual per row (minimisation
    sign convention: a dual is >= 0 when the lower side binds, <= 0 for the upper)."""

    value: float
    primal: Sequence[float]
    duals: Sequence[float]


class LpBackend(Protocol):
    def add_row(self, lo: float, hi: float) -> int: ...

    def add_var(self, lo: float, hi: float, cost: float, coefs: Iterable[tuple[int, float]]) -> int:
        """A new variable with its objective cost and its coefficients in existing rows."""
        ...

    def set_bounds(self, var: int, lo: float, hi: float) -> None: ...

    def set_cost(self, var: int, cost: float) -> None: ...

    def solve(self, time_limit: float | None = None) -> LpResult | None:
        """The optimum, or None when the LP is infeasible, unbounded or not solved (in
        ``time_limit`` seconds, when given)."""
        ...


class Pywraplp:
    """An LP solver behind ``pywraplp``: GLOP, CLP or HiGHS (incremental: new columns
    keep the basis)."""

    def __init__(self, solver_id: str = "GLOP") -> None:
        from ortools.linear_solver import linear_solver_pb2, pywraplp

        self._response_type = linear_solver_pb2.MPSolutionResponse
        self._ok = pywraplp.Solver.OPTIMAL
        self.lp = pywraplp.Solver.CreateSolver(solver_id)
        if self.lp is None:
            raise RuntimeError(f"OR-Tools has no {solver_id} solver")
        self.inf = self.lp.infinity()
        self.rows: list = []
        self.vars: list = []
        self.objective = self.lp.Objective()
        self.objective.SetMinimization()
        if solver_id == "GLOP":
            # Presolve would rebuild the LP each time and lose the basis the next solve
            # starts from.
            self.lp.SetSolverSpecificParametersAsString("use_preprocessing: false")

    def _b(self, v: float) -> float:
        return self.inf if v == INF else -self.inf if v == -INF else v

    def add_row(self, lo: float, hi: float) -> int:
        self.rows.append(self.lp.Constraint(self._b(lo), self._b(hi)))
        return len(self.rows) - 1

    def add_var(self, lo: float, hi: float, cost: float, coefs: Iterable[tuple[int, float]]) -> int:
        var = self.lp.NumVar(self._b(lo), self._b(hi), "")
        if cost:
            self.objective.SetCoefficient(var, cost)
        rows = self.rows
        for r, a in coefs:
            rows[r].SetCoefficient(var, a)
        self.vars.append(var)
        return len(self.vars) - 1

    def set_bounds(self, var: int, lo: float, hi: float) -> None:
        self.vars[var].SetBounds(self._b(lo), self._b(hi))

    def set_cost(self, var: int, cost: float) -> None:
        self.objective.SetCoefficient(self.vars[var], cost)

    def solve(self, time_limit: float | None = None) -> LpResult | None:
        self.lp.SetTimeLimit(0 if time_limit is None else max(1, int(time_limit * 1000)))
        if self.lp.Solve() != self._ok:
            return None
        # One copy of the whole solution: reading it variable by variable took 30 % of a
        # dive in a 140-person week (2.7 of 9.2 s, 10,000 calls per solve).
        response = self._response_type()
        self.lp.FillSolutionResponseProto(response)
        return LpResult(
            self.objective.Value(), list(response.variable_value), list(response.dual_value)
        )


class MathOptGlop:
    """GLOP behind MathOpt's incremental solver."""

    def __init__(self) -> None:
        from ortools.math_opt.python import mathopt

        self._mo = mathopt
        self.model = mathopt.Model(name="master")
        self.rows: list = []
        self.vars: list = []
        self.costs: dict = {}
        self._solver = None
        self._objective_dirty = True

    def add_row(self, lo: float, hi: float) -> int:
        self.rows.append(self.model.add_linear_constraint(lb=lo, ub=hi))
        return len(self.rows) - 1

    def add_var(self, lo: float, hi: float, cost: float, coefs: Iterable[tuple[int, float]]) -> int:
        var = self.model.add_variable(lb=lo, ub=hi)
        if cost:
            self.model.objective.set_linear_coefficient(var, cost)
        rows = self.rows
        for r, a in coefs:
            rows[r].set_coefficient(var, a)
        self.vars.append(var)
        return len(self.vars) - 1

    def set_bounds(self, var: int, lo: float, hi: float) -> None:
        v = self.vars[var]
        v.lower_bound = lo
        v.upper_bound = hi

    def set_cost(self, var: int, cost: float) -> None:
        self.model.objective.set_linear_coefficient(self.vars[var], cost)

    def solve(self, time_limit: float | None = None) -> LpResult | None:
        import datetime

        mo = self._mo
        if self._solver is None:
            self.model.objective.is_maximize = False
            self._solver = mo.IncrementalSolver(self.model, mo.SolverType.GLOP)
        params = mo.SolveParameters()
        if time_limit is not None:
            params.time_limit = datetime.timedelta(seconds=max(0.001, time_limit))
        result = self._solver.solve(params=params)
        if result.termination.reason != mo.TerminationReason.OPTIMAL:
            return None
        return LpResult(
            result.objective_value(),
            result.variable_values(self.vars),
            result.dual_values(self.rows),
        )


BACKENDS = {
    "glop": lambda: Pywraplp("GLOP"),
    "clp": lambda: Pywraplp("CLP"),
    "highs": lambda: Pywraplp("HIGHS"),
    "mathopt": MathOptGlop,
}


def make_backend(name: str) -> LpBackend:
    try:
        return BACKENDS[name]()
    except KeyError:
        raise ValueError(
            f"backend: unknown LP backend {name!r} (one of {sorted(BACKENDS)})"
        ) from None
