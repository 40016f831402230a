"""Each hard-rule module on its own: a tiny case it allows and one it forbids.

Every test builds a bare model (variables only), applies just the rule under test and
pins a few assignments, in the manner of the CP-SAT Primer's AssertModelFeasible /
AssertModelInfeasible: the rule must allow the one and forbid the other.
"""

from __future__ import annotations

import pytest
from ortools.sat.python import cp_model

from scheduler.solver.formulation import HARD_RULES
from scheduler.solver.index import build_index
from scheduler.solver.problem import Rules, Unavailable
from scheduler.solver.rules.context import Context, build_context
from scheduler.solver.rules.h1_headcount import add_h1_headcount
from scheduler.solver.rules.h2_one_place import add_h2_one_place
from scheduler.solver.rules.h3_availability import available
from scheduler.solver.rules.h4_skills import has_skills
from scheduler.solver.rules.h5_first_line import may_work
from scheduler.solver.rules.h6_weekly_hours import add_h6_weekly_hours
from scheduler.solver.rules.h7_daily_hours import add_h7_daily_hours
from scheduler.solver.rules.h8_breaks import add_h8_breaks
from scheduler.solver.rules.h9_pins import add_h9_pins
from tests.solver.builders import at, person, problem, shift


def context(p, rule) -> Context:  # type: ignore[no-untyped-def]
    ctx = build_context(build_index(p))
    rule(ctx)
    return ctx


def status(ctx: Context, held: dict[tuple[str, str], int]) -> int:
    """Solve with the given (shift, person) pairs fixed to 0 or 1."""
    idx = ctx.idx
    model = ctx.model.clone()
    for (sid, pid), value in held.items():
        var = ctx.vars.is_assigned(idx.staff_pos[pid], idx.shift_pos[sid])
        assert var is not None, f"{pid} may not hold {sid} at all"
        model.add(model.get_bool_var_from_proto_index(var.index) == value)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 5
    return solver.solve(model)


OK = (cp_model.OPTIMAL, cp_model.FEASIBLE)


def test_h1_headcount() -> None:
    p = problem([shift("a", 5, 8, 10, need=1, most=2)], [person("k"), person("o"), person("l")])
    ctx = context(p, add_h1_headcount)
    assert status(ctx, {("a", "k"): 1}) in OK
    assert status(ctx, {("a", "k"): 1, ("a", "o"): 1}) in OK
    assert status(ctx, {("a", "k"): 1, ("a", "o"): 1, ("a", "l"): 1}) == cp_model.INFEASIBLE
    assert status(ctx, {("a", "k"): 0, ("a", "o"): 0, ("a", "l"): 0}) == cp_model.INFEASIBLE


def test_h1_understaffing_allowed_makes_a_shortfall_not_a_conflict() -> None:
    p = problem(
        [shift("a", 5, 8, 10, need=2)], [person("k")], rules=Rules(allow_understaffing=True)
    )
    ctx = context(p, add_h1_headcount)
    assert status(ctx, {("a", "k"): 0}) in OK
    assert list(ctx.shortfall) == [0]


def test_h1_is_left_to_the_master_in_a_pricing_model() -> None:
    p = problem([shift("a", 5, 8, 10, need=1)], [person("k")])
    ctx = build_context(build_index(p), cover=False)
    add_h1_headcount(ctx)
    assert status(ctx, {("a", "k"): 0}) in OK


def test_h2_one_place() -> None:
    shifts = [shift("a", 5, 8, 10), shift("b", 5, 9, 11), shift("c", 5, 11, 12)]
    ctx = context(problem(shifts, [person("k")]), add_h2_one_place)
    assert status(ctx, {("a", "k"): 1, ("c", "k"): 1}) in OK  # back to back is fine
    assert status(ctx, {("a", "k"): 1, ("b", "k"): 1}) == cp_model.INFEASIBLE


def test_h3_availability_by_construction() -> None:
    assert available(480, 600, [(600, 660)])  # touching the end is not overlapping
    assert not available(480, 600, [(570, 585)])
    away = (Unavailable(at(5, 9, 30), at(5, 9, 45), "dentist"),)
    idx = build_index(problem([shift("a", 5, 8, 10)], [person("k", unavailable=away)]))
    assert idx.eligible[0] == []
    ctx = build_context(idx)
    assert ctx.vars.is_assigned(0, 0) is None


def test_h4_skills_by_construction() -> None:
    assert has_skills(("desk", "chat"), ("chat",))
    assert not has_skills(("desk",), ("chat",))
    p = problem(
        [shift("a", 5, 8, 10, skills=("chat",))],
        [person("k", skills=("desk",)), person("o", skills=("chat", "x"))],
    )
    ctx = build_context(build_index(p))
    assert ctx.vars.is_assigned(0, 0) is None
    assert ctx.vars.is_assigned(1, 0) is not None


def test_h5_first_line_by_construction() -> None:
    p = problem([shift("a", 5, 8, 10)], [person("k"), person("lib", first_line=False)])
    assert may_work(p.staff[0])
    assert not may_work(p.staff[1])
    ctx = build_context(build_index(p))
    assert ctx.persons == [0]
    assert set(ctx.vars.x) == {(0, 0)}


def test_h6_weekly_hours() -> None:
    shifts = [shift("a", 5, 8, 10), shift("b", 6, 8, 10), shift("c", 7, 8, 10)]
    ctx = context(problem(shifts, [person("k", min_h=4, max_week=4)]), add_h6_weekly_hours)
    assert status(ctx, {("a", "k"): 1, ("b", "k"): 1, ("c", "k"): 0}) in OK
    assert status(ctx, {("a", "k"): 1, ("b", "k"): 0, ("c", "k"): 0}) == cp_model.INFEASIBLE
    assert status(ctx, {("a", "k"): 1, ("b", "k"): 1, ("c", "k"): 1}) == cp_model.INFEASIBLE


def test_h6_owes_only_what_the_open_shifts_allow() -> None:
    # Away all week but for one 2-hour shift: owes 2 h, not 4.
    ctx = context(problem([shift("a", 5, 8, 10)], [person("k", min_h=4)]), add_h6_weekly_hours)
    assert ctx.idx.owed[(0, 0)] == 120
    assert status(ctx, {("a", "k"): 1}) in OK
    assert status(ctx, {("a", "k"): 0}) == cp_model.INFEASIBLE


def test_h7_daily_hours() -> None:
    shifts = [shift("a", 5, 8, 11), shift("b", 5, 12, 15), shift("c", 6, 8, 11)]
    ctx = context(problem(shifts, [person("k", max_day=4)]), add_h7_daily_hours)
    assert status(ctx, {("a", "k"): 1, ("c", "k"): 1}) in OK  # different days
    assert status(ctx, {("a", "k"): 1, ("b", "k"): 1}) == cp_model.INFEASIBLE


def test_h8_breaks() -> None:
    shifts = [shift("a", 5, 8, 10), shift("b", 5, 10, 12), shift("c", 5, 12, 14)]
    p = problem(shifts, [person("k")], rules=Rules(max_consecutive_hours=4))
    ctx = context(p, add_h8_breaks)
    assert status(ctx, {("a", "k"): 1, ("b", "k"): 1, ("c", "k"): 0}) in OK
    assert status(ctx, {("a", "k"): 1, ("b", "k"): 0, ("c", "k"): 1}) in OK
    assert status(ctx, {("a", "k"): 1, ("b", "k"): 1, ("c", "k"): 1}) == cp_model.INFEASIBLE


def test_h8_does_not_apply_without_a_limit() -> None:
    shifts = [shift("a", 5, 8, 10), shift("b", 5, 10, 12), shift("c", 5, 12, 14)]
    ctx = context(problem(shifts, [person("k")]), add_h8_breaks)
    assert status(ctx, {("a", "k"): 1, ("b", "k"): 1, ("c", "k"): 1}) in OK


def test_h9_pins() -> None:
    p = problem([shift("a", 5, 8, 10)], [person("k"), person("o")], pinned=[("a", "k")])
    ctx = context(p, add_h9_pins)
    assert status(ctx, {("a", "o"): 1}) in OK
    assert status(ctx, {("a", "k"): 0}) == cp_model.INFEASIBLE


def test_h9_a_pin_the_person_may_not_hold_has_no_roster() -> None:
    p = problem([shift("a", 5, 8, 10, skills=("chat",))], [person("k")], pinned=[("a", "k")])
    ctx = context(p, add_h9_pins)
    assert ctx.impossible_pins == [(0, 0)]
    solver = cp_model.CpSolver()
    assert solver.solve(ctx.model) == cp_model.INFEASIBLE


@pytest.mark.parametrize("rule", HARD_RULES, ids=lambda r: r.__name__)
def test_every_listed_rule_allows_the_empty_roster_of_an_empty_week(rule) -> None:  # type: ignore[no-untyped-def]
    # A week without demands: no rule may invent one.
    p = problem([shift("a", 5, 8, 10, need=0, most=1)], [person("k")])
    ctx = context(p, rule)
    assert status(ctx, {("a", "k"): 0}) in OK
