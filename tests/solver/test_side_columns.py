"""The week LPs' bound and dives from a process of its own, beside the descent on a big
roster."""

from __future__ import annotations

import importlib
import time

import pytest

from scheduler.solver.check import check
from scheduler.solver.decomposition.relaxation import Relaxation
from scheduler.solver.decomposition.search import ColumnSearch, Dived
from scheduler.solver.index import build_index
from scheduler.solver.io import load_problem
from scheduler.solver.problem import Assignment
from scheduler.solver.side_columns import SideColumns
from tests.solver.engine_cases import example

L_OPTIMUM = 14_850  # L-3libraries, proven by the whole-period master and a roster


def lp_bound(p) -> int:
    """The week LPs' bound at convergence, computed in this process."""
    cs = ColumnSearch(build_index(p))
    cs.relaxation.run(time.monotonic() + 60)
    assert cs.relaxation.converged()
    bound = cs.relaxation.bound()
    assert bound is not None
    return bound


def relaxation(p) -> Relaxation:
    """This process's copy of the week groups, which the children's bounds go into."""
    return ColumnSearch(build_index(p)).relaxation


def finish(side: SideColumns) -> None:
    for proc in side.procs:
        proc.wait(timeout=60)
    side.stop()
    assert [proc.returncode for proc in side.procs] == [0] * len(side.procs)


@pytest.mark.parametrize("children", [1, 2])
def test_the_children_report_the_week_lps_bound_rising_to_their_optimum(children) -> None:
    """One child or two, each with half the weeks: the bound they report together rises
    to the week LPs' at convergence."""
    p = load_problem(example("M-4weeks.json"))
    bounds: list[int] = []
    side = SideColumns(p, relaxation(p), time.monotonic() + 60, 0, bounds.append, children=children)
    finish(side)
    assert bounds == sorted(set(bounds))
    assert bounds[-1] == lp_bound(p)


@pytest.mark.parametrize("children", [1, 2])
def test_after_the_lps_the_children_dive_each_week_again_and_again(children) -> None:
    """The dives come after the LPs, week by week in turn (each child its own weeks)
    until the dive deadline: each a roster of that week's shifts only and,
    where the dive finished, no rule of that week broken."""
    p = load_problem(example("M-4weeks.json"))
    idx = build_index(p)
    heard: list[object] = []
    side = SideColumns(
        p, relaxation(p), time.monotonic() + 60, 0, heard.append,
        dive_deadline=time.monotonic() + 6,
        on_dive=lambda dived, weeks: heard.append((dived, weeks)),
        children=children,
    )  # fmt: skip
    finish(side)
    bounds = [h for h in heard if isinstance(h, int)]
    assert bounds[-1] == lp_bound(p)
    dives = [h for h in heard if isinstance(h, tuple)]
    if children == 1:  # (two: one may dive while the other's LPs run)
        assert heard == bounds + dives  # every bound before the first dive
    for part in range(children):
        mine = [weeks for _, weeks in dives if weeks[0] % children == part]
        assert len(mine) > p.weeks // children  # more than one round
        cycle = [(w,) for w in range(part, p.weeks, children)]
        assert mine == (cycle * len(mine))[: len(mine)]
    for dived, weeks in dives:
        assert isinstance(dived, Dived)
        assert dived.pairs
        assert {idx.shifts[s].week for _, s in dived.pairs} == set(weeks)
        if dived.free:
            continue
        result = check(p, [Assignment(p.shifts[s].id, p.staff[a].id) for a, s in dived.pairs])
        # The other weeks are empty: their headcounts and everyone's weekly minimum
        # there are broken, so H6 (per person and week) is left out; a column keeps it.
        in_week = [
            v for v in result.violations
            if v.rule != "H6"
            and (v.shift is None or idx.shifts[idx.shift_pos[v.shift]].week in weeks)
        ]  # fmt: skip
        assert in_week == [], (weeks, in_week[:3])


def test_the_children_price_the_spread_once_every_week_lp_is_optimal() -> None:
    """Two children, each with some of the 3-library example's weeks: once every week
    LP is optimal, the parent sends both the spread prices from the LPs' solutions and
    the bound they report under them rises above the week LPs' (which leave the spread
    at its water level), never above the proven optimum."""
    p = load_problem(example("L-3libraries.json"))
    bounds: list[int] = []
    side = SideColumns(p, relaxation(p), time.monotonic() + 60, 0, bounds.append, children=2)
    finish(side)
    plain = lp_bound(p)
    assert bounds == sorted(set(bounds))
    assert plain in bounds
    assert plain < bounds[-1] <= L_OPTIMUM


def test_stopping_the_child_ends_it_at_once() -> None:
    p = load_problem(example("L-3libraries.json"))
    side = SideColumns(p, relaxation(p), time.monotonic() + 300, 0, lambda bound: None)
    time.sleep(0.5)
    started = time.monotonic()
    side.stop()
    assert time.monotonic() - started < 3
    assert all(proc.returncode is not None for proc in side.procs)


def test_a_descended_roster_gets_the_lp_bound_and_reports_it_below_the_objective(
    monkeypatch,
) -> None:
    """With the whole-model limit set to nothing, a run on two cores descends in this
    process and takes the bound from its children: the week LPs' (a 4-week example), not
    the per-person one it starts with, and never above any objective it reported; the
    children's dived weeks, every one of them, reach the search, which keeps a roster that
    breaks no rule."""
    search = importlib.import_module("scheduler.solver.solve")  # the module, not solve()
    monkeypatch.setattr(search, "WHOLE_MODEL_MAX", 0)
    p = load_problem(example("M-4weeks.json"))
    seen = []
    taken: list[set[int]] = []
    take_dive = search._Search.take_dive

    def spy(self, dived, weeks, deadline):
        taken.append(weeks)
        return take_dive(self, dived, weeks, deadline)

    monkeypatch.setattr(search._Search, "take_dive", spy)
    sol = search.solve(p, time_limit=8, workers=2, seed=0, on_progress=seen.append)
    assert {min(weeks) for weeks in taken} == set(range(p.weeks))
    assert all(len(weeks) == 1 for weeks in taken)
    assert check(p, sol.assignments).ok
    assert sol.bound == min(lp_bound(p), sol.objective)
    assert seen[0].bound is None or seen[0].bound < sol.bound
    assert all(u.bound is None or u.objective is None or u.bound <= u.objective for u in seen)
