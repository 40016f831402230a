"""Plain-words reasons a roster cannot exist: each kind of reason on a crafted input, the
shared Saturday example, a feasible problem giving none, and the CP-SAT core fallback."""

from __future__ import annotations

import json
import random

import pytest
from ortools.sat.python import cp_model

from scheduler.solver.explanations import _CoreModel, explain, explain_infeasible
from scheduler.solver.problem import Rules, Unavailable
from tests.solver.builders import EXAMPLES, at, from_dict, person, problem, shift
from tests.solver.test_check import random_case

LOOSE = Rules(allow_understaffing=True)


def test_feasible_problem_has_no_reasons():
    p = problem(
        [shift("a", 5, 8, 10, need=2), shift("b", 5, 10, 12), shift("c", 9, 10, 12)],
        [person("kari", min_h=4, max_day=4), person("ola", min_h=2)],
        rules=Rules(max_consecutive_hours=4),
    )
    assert explain(p) == []
    assert explain_infeasible(p, time_limit=2) == []


def test_shift_with_too_few_eligible_people_names_them():
    p = problem(
        [shift("a", 12, 18, 20, need=2, skills=("desk",))],
        [person("kari", "Kari N.", skills=("desk",)), person("ola", "Ola P."),
         person("per", "Per Q.", skills=("desk",), unavailable=(Unavailable(at(12, 19), at(12, 21)),)),  # noqa: E501
         person("liv", "Liv R.", skills=("desk",), first_line=False)],
        weeks=2,
    )  # fmt: skip
    assert explain(p) == [
        "Tue 12 Jan 18:00–20:00 at Information desk needs 2 people, but only 1 first-line "
        "person is available and skilled (Kari N.). Of the other 2 first-line staff, 1 is "
        "away, 1 lack desk."
    ]


def test_understaffing_allowed_is_no_reason():
    p = problem([shift("a", 12, 18, 20, need=2)], [person("kari")], rules=LOOSE)
    assert explain(p) == []


def test_overlapping_shifts_need_more_people_than_can_take_them():
    # Each shift alone has someone, but both run at 18:00 and only Kari can take either.
    p = problem(
        [shift("a", 12, 18, 20), shift("b", 12, 19, 21, point="remote")],
        [person("kari", "Kari N."), person("ola", "Ola P.", first_line=False)],
        weeks=2,
    )
    assert explain(p) == [
        "At Tue 12 Jan 19:00, 2 shifts run at the same time and need 2 people together "
        "(Tue 12 Jan 18:00–20:00 at Information desk; Tue 12 Jan 19:00–21:00 at Phone and "
        "chat), but only 1 first-line person can take any of them (Kari N.)."
    ]


def test_weekly_minimum_that_no_shift_set_fits():
    # Kari owes 4 h; shifts are 3 h long and she may work at most 5 h a week.
    p = problem(
        [shift("a", 5, 8, 11, need=0, most=1), shift("b", 6, 8, 11, need=0, most=1)],
        [person("kari", "Kari N.", min_h=4, max_week=5)],
    )
    (reason,) = explain(p)
    assert reason.startswith("Kari N. must work 4 h in week 1 (Mon 4 Jan – Sun 10 Jan)")
    assert "at most 3 h" in reason
    assert "5 h a week" in reason


def test_weekly_minimum_against_the_daily_limit():
    p = problem(
        [shift("a", 5, 8, 10, need=0, most=1), shift("b", 5, 10, 12, need=0, most=1)],
        [person("kari", "Kari N.", min_h=4, max_day=2)],
        weeks=2,
    )
    (reason,) = explain(p)
    assert "Kari N. must work 4 h in week 1" in reason
    assert "at most 2 h" in reason
    assert "2 h a day" in reason


def test_pins_that_break_a_rule():
    away = Unavailable(at(5, 8), at(5, 9), "course")
    p = problem(
        [shift("a", 5, 8, 10, need=0, skills=("chat",)), shift("b", 5, 9, 11, need=0),
         shift("c", 6, 8, 10, need=0, most=1)],
        [person("kari", "Kari N.", unavailable=(away,)), person("liv", "Liv R.", first_line=False),
         person("ola", "Ola P.")],
        pinned=[("a", "kari"), ("b", "kari"), ("c", "liv"), ("c", "ola")],
    )  # fmt: skip
    reasons = explain(p)
    at_a = "Tue 5 Jan 08:00–10:00 at Information desk"
    assert f"Kari N. is pinned to {at_a} but is away then (course)." in reasons
    assert f"Kari N. is pinned to {at_a} but lacks chat." in reasons
    assert (
        "Liv R. is pinned to Wed 6 Jan 08:00–10:00 at Information desk but is not first-line staff."
        in reasons
    )
    assert any(
        r.startswith(f"Kari N. is pinned to both {at_a} and Tue 5 Jan 09:00") for r in reasons
    )
    assert (
        "Wed 6 Jan 08:00–10:00 at Information desk has 2 people pinned to it but takes at most 1."
        in reasons
    )


def test_pins_beyond_daily_hours_and_breaks():
    p = problem(
        [shift("a", 5, 8, 11, need=0), shift("b", 5, 11, 14, need=0)],
        [person("kari", "Kari N.", max_day=5)],
        rules=Rules(max_consecutive_hours=4),
        pinned=[("a", "kari"), ("b", "kari")],
    )
    reasons = explain(p)
    assert "Kari N. is pinned to 6 h on Tue 5 Jan, more than the 5 h a day allowed." in reasons
    assert any("without a 15-minute break" in r and "4 h in a row" in r for r in reasons)


def test_day_needs_more_hours_than_staff_can_give():
    # Saturday needs 6 h of desk work; two people may each work 2 h a day.
    p = problem(
        [shift("a", 9, 10, 12), shift("b", 9, 12, 14), shift("c", 9, 14, 16)],
        [person("kari", max_day=2), person("ola", max_day=2)],
    )
    assert explain(p) == [
        "On Sat 9 Jan the shifts need 6 h of work in total, but first-line staff can give at "
        "most 4 h that day within their limits.",
        "In week 1 (Mon 4 Jan – Sun 10 Jan) the shifts need 6 h of work in total, but "
        "first-line staff can give at most 4 h within their limits.",
    ]


def test_shared_saturday_example_is_explained_by_the_saturday_shifts():
    p = from_dict(json.loads((EXAMPLES / "S-infeasible-saturday.json").read_text()))
    reasons = explain_infeasible(p)
    assert reasons
    assert all(r.startswith("Sat 9 Jan") for r in reasons)
    saturday = [s for s in p.shifts if s.start.weekday() == 5]
    assert len(reasons) == len(saturday)


def test_shared_feasible_example_has_no_reasons():
    p = from_dict(json.loads((EXAMPLES / "S-week.json").read_text()))
    assert explain(p) == []


# --- The CP-SAT core, when the quick analysis finds nothing ---------------------------------


def test_core_names_the_shifts_that_breaks_rule_out():
    # Only Kari can work; three back-to-back 2-hour shifts exceed 4 h without a break.
    p = problem(
        [shift("a", 5, 8, 10), shift("b", 5, 10, 12), shift("c", 5, 12, 14), shift("d", 6, 8, 10)],
        [person("kari", "Kari N.")],
        rules=Rules(max_consecutive_hours=4),
    )
    assert explain(p) == []
    reasons = explain_infeasible(p, time_limit=5)
    assert reasons[0].startswith("No roster meets all of the following")
    assert sorted(reasons[1:]) == [
        "Tue 5 Jan 08:00–10:00 at Information desk needs 1 person.",
        "Tue 5 Jan 10:00–12:00 at Information desk needs 1 person.",
        "Tue 5 Jan 12:00–14:00 at Information desk needs 1 person.",
    ]


def test_core_names_people_whose_minimums_clash():
    # Two people each owe 4 h, but the week has only 4 h of single-person shifts.
    p = problem(
        [shift("a", 5, 8, 10, need=0, most=1), shift("b", 6, 8, 10, need=0, most=1)],
        [person("kari", "Kari N.", min_h=4), person("ola", "Ola P.", min_h=4)],
    )
    assert explain(p) == []
    reasons = explain_infeasible(p, time_limit=5)
    open_ = "Tue 5 Jan 08:00–10:00 at Information desk; Wed 6 Jan 08:00–10:00 at Information desk"
    assert sorted(reasons[1:]) == [
        f"Kari N. must work at least 4 h in week 1 (Mon 4 Jan – Sun 10 Jan); the shifts open "
        f"to Kari N. that week are {open_}.",
        f"Ola P. must work at least 4 h in week 1 (Mon 4 Jan – Sun 10 Jan); the shifts open "
        f"to Ola P. that week are {open_}.",
    ]


def test_core_names_a_pin():
    # Kari is pinned to the morning; only she can take the late morning; 2 h a day for her.
    p = problem(
        [shift("a", 5, 8, 10), shift("b", 5, 10, 12, skills=("chat",))],
        [person("kari", "Kari N.", max_day=2, skills=("chat",)), person("ola", "Ola P.")],
        pinned=[("a", "kari")],
    )
    assert explain(p) == []
    reasons = explain_infeasible(p, time_limit=5)
    assert sorted(reasons[1:]) == [
        "Kari N. is pinned to Tue 5 Jan 08:00–10:00 at Information desk.",
        "Tue 5 Jan 10:00–12:00 at Information desk needs 1 person.",
    ]


def test_every_reason_is_sound_on_random_problems():
    """Whenever explain() gives a reason, the full rules really have no solution."""
    rng = random.Random(7)
    explained = 0
    for _ in range(30):
        p, _assignments = random_case(rng)
        if not explain(p):
            continue
        explained += 1
        core = _CoreModel(p)
        status, _found = core._solve(core.assumptions, 5)
        assert status == cp_model.INFEASIBLE, explain(p)
    assert explained >= 5


def test_infeasible_random_problems_always_get_an_explanation():
    """When the rules have no solution, explain_infeasible() says something."""
    rng = random.Random(11)
    infeasible = 0
    for _ in range(30):
        p, _assignments = random_case(rng)
        core = _CoreModel(p)
        status, _found = core._solve(core.assumptions, 5)
        if status != cp_model.INFEASIBLE:
            continue
        infeasible += 1
        reasons = explain_infeasible(p, time_limit=2)
        assert reasons, p
    assert infeasible >= 5


def test_shift_longer_than_anyone_may_work_in_a_row():
    p = problem(
        [shift("a", 5, 8, 13)],
        [person("kari", "Kari N.")],
        rules=Rules(max_consecutive_hours=4),
    )
    assert explain(p) == [
        "Tue 5 Jan 08:00–13:00 at Information desk needs 1 person, but no first-line person "
        "is available and skilled. Of the 1 first-line staff, for 1 the shift alone is longer "
        "than their daily, weekly or in-a-row limit."
    ]


@pytest.mark.slow
def test_engine_reports_these_reasons_for_the_saturday_example():
    from scheduler.solver import load_problem, solve

    p = load_problem(EXAMPLES / "S-infeasible-saturday.json")
    solution = solve(p, time_limit=3, workers=1)
    assert solution.status == "INFEASIBLE"
    assert solution.explanation == explain(p)
