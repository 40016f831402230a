"""Each objective-term module by its exact value on a hand-computed roster.

The model is built from the one list of rules and terms; the roster is fixed; each term's
expression must take exactly the count ROSTER-FORMAT.md defines (Timefold's
``penalizes_by`` in spirit), and the model's objective must equal the independent score.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.solver.formulation import TERMS
from scheduler.solver.index import build_index
from scheduler.solver.model import build_model
from scheduler.solver.problem import Preference, Rules
from scheduler.solver.score import score
from tests.solver.builders import at, person, problem, shift


def counts(p, held: set[tuple[str, str]]) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Unweighted term values of the model with exactly ``held`` (shift, person) assigned;
    also checks the weighted sum against ``score``."""
    idx = build_index(p)
    rm = build_model(idx)
    pairs = {(idx.staff_pos[q], idx.shift_pos[s]) for s, q in held}
    for key, var in rm.x.items():
        rm.model.add(var == int(key in pairs))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 5
    assert solver.solve(rm.model) == cp_model.OPTIMAL
    values = {t.name: t.value(solver) for t in rm.terms}
    weighted, _ = score(idx, pairs)
    assert round(solver.objective_value) == sum(weighted.values())
    assert {t.name: t.weight * values[t.name] for t in rm.terms} == weighted
    return values


def test_every_term_is_listed_once_in_format_order() -> None:
    assert [t.__name__ for t in TERMS] == [
        "understaffing", "target", "preference", "split_duty", "duty_days",
        "unsocial_spread", "change",
    ]  # fmt: skip


def test_understaffing_counts_missing_minutes() -> None:
    p = problem(
        [shift("a", 5, 8, 11, need=3), shift("b", 6, 8, 10, need=1)],
        [person("k"), person("o")],
        rules=Rules(allow_understaffing=True),
    )
    assert counts(p, {("a", "k"), ("b", "o")})["understaffing"] == 2 * 180
    assert counts(p, {("a", "k"), ("a", "o")})["understaffing"] == 180 + 120


def test_target_counts_minutes_away_from_the_target_per_week() -> None:
    p = problem(
        [shift("a", 5, 8, 10), shift("b", 12, 8, 12)],
        [person("k", target=3), person("lib", first_line=False, target=1.5)],
        weeks=2,
        rules=Rules(allow_understaffing=True),
    )
    # k: week 1 2 h of 3 (60 short), week 2 nothing (180 short); lib: 90 a week, twice.
    assert counts(p, {("a", "k")})["target"] == 60 + 180 + 2 * 90
    assert counts(p, {("a", "k"), ("b", "k")})["target"] == 60 + 60 + 2 * 90


def test_preference_counts_overlap_minutes_times_weight() -> None:
    prefs = (
        Preference(at(5, 9), at(5, 12), 3),  # dislikes Tuesday late morning
        Preference(at(6, 7), at(6, 9), -2),  # wants Wednesday early
    )
    p = problem(
        [shift("a", 5, 8, 10), shift("b", 6, 8, 10)],
        [person("k", preferences=prefs)],
        rules=Rules(allow_understaffing=True),
    )
    assert counts(p, {("a", "k")})["preference"] == 60 * 3
    assert counts(p, {("a", "k"), ("b", "k")})["preference"] == 60 * 3 - 60 * 2


def test_split_duty_counts_blocks_beyond_the_first_each_day() -> None:
    shifts = [
        shift("a", 5, 8, 10),
        shift("b", 5, 10, 12),  # back to back with a: one block
        shift("c", 5, 14, 16),  # after a break: a second block
        shift("d", 5, 17, 18),  # a third
        shift("e", 6, 8, 10),
    ]
    p = problem(shifts, [person("k")], rules=Rules(allow_understaffing=True))
    assert counts(p, {("a", "k"), ("b", "k"), ("e", "k")})["split_duty"] == 0
    assert counts(p, {("a", "k"), ("c", "k"), ("d", "k"), ("e", "k")})["split_duty"] == 2


def test_duty_days_counts_person_days_with_any_duty() -> None:
    shifts = [shift("a", 5, 8, 10), shift("b", 5, 12, 14), shift("c", 6, 8, 10)]
    p = problem(shifts, [person("k"), person("o")], rules=Rules(allow_understaffing=True))
    assert counts(p, {("a", "k"), ("b", "k"), ("c", "o")})["duty_days"] == 2
    assert counts(p, {("a", "k"), ("b", "o"), ("c", "k")})["duty_days"] == 3


def test_unsocial_spread_is_most_minus_fewest_unsocial_shifts() -> None:
    shifts = [
        shift("eve", 5, 17, 19),  # from 17:00: unsocial
        shift("sat", 9, 10, 12),  # a Saturday: unsocial
        shift("day", 5, 10, 12),
    ]
    p = problem(
        shifts,
        [person("k"), person("o"), person("l")],
        rules=Rules(allow_understaffing=True),
    )
    assert counts(p, {("eve", "k"), ("sat", "k"), ("day", "o")})["unsocial_spread"] == 2
    assert counts(p, {("eve", "k"), ("sat", "o"), ("day", "l")})["unsocial_spread"] == 1


def test_change_counts_previous_assignments_not_kept() -> None:
    p = problem(
        [shift("a", 5, 8, 10), shift("b", 6, 8, 10)],
        [person("k"), person("o")],
        previous=[("a", "k"), ("b", "k")],
        rules=Rules(allow_understaffing=True),
    )
    assert counts(p, {("a", "k"), ("b", "k")})["change"] == 0
    assert counts(p, {("a", "o"), ("b", "k")})["change"] == 1
    assert counts(p, set())["change"] == 2
