"""The week LPs' bound from a process of its own, beside the descent on a big roster."""

from __future__ import annotations

import importlib
import time

from scheduler.solver.decomposition.search import ColumnSearch
from scheduler.solver.index import build_index
from scheduler.solver.io import load_problem
from scheduler.solver.side_bound import SideBound
from tests.solver.engine_cases import example


def lp_bound(p) -> int:
    """The week LPs' bound at convergence, computed in this process."""
    cs = ColumnSearch(build_index(p))
    cs.relaxation.run(time.monotonic() + 60)
    assert cs.relaxation.converged()
    bound = cs.relaxation.bound()
    assert bound is not None
    return bound


def test_the_child_reports_the_week_lps_bound_rising_to_their_optimum() -> None:
    p = load_problem(example("M-4weeks.json"))
    bounds: list[int] = []
    side = SideBound(p, time.monotonic() + 60, 0, bounds.append)
    side.proc.wait(timeout=60)
    side.stop()
    assert side.proc.returncode == 0
    assert bounds == sorted(set(bounds))
    assert bounds[-1] == lp_bound(p)


def test_stopping_the_child_ends_it_at_once() -> None:
    p = load_problem(example("L-3libraries.json"))
    side = SideBound(p, time.monotonic() + 300, 0, lambda bound: None)
    time.sleep(0.5)
    started = time.monotonic()
    side.stop()
    assert time.monotonic() - started < 3
    assert side.proc.returncode is not None


def test_a_descended_roster_gets_the_lp_bound_and_reports_it_below_the_objective(
    monkeypatch,
) -> None:
    """With the whole-model limit set to nothing, a run on two cores descends in this
    process and takes the bound from the child: the week LPs' (a 4-week example), not
    the per-person one it starts with, and never above any objective it reported."""
    search = importlib.import_module("scheduler.solver.solve")  # the module, not solve()
    monkeypatch.setattr(search, "WHOLE_MODEL_MAX", 0)
    p = load_problem(example("M-4weeks.json"))
    seen = []
    sol = search.solve(p, time_limit=8, workers=2, seed=0, on_progress=seen.append)
    assert sol.bound == min(lp_bound(p), sol.objective)
    assert seen[0].bound is None or seen[0].bound < sol.bound
    assert all(u.bound is None or u.objective is None or u.bound <= u.objective for u in seen)
