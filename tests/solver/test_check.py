"""The independent checker: each hard rule broken and kept, each objective term by its value,
and agreement with ../shared/tools/check_roster.py on random small rosters."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta

import pytest

from scheduler.solver.check import check
from scheduler.solver.problem import Preference, Rules, ServicePoint, Unavailable
from tests.solver.builders import (
    CHECK_ROSTER,
    DESK,
    EXAMPLES,
    assign,
    at,
    from_dict,
    person,
    problem,
    shift,
    to_dict,
)


def rules_of(report) -> list[str]:
    return [v.rule for v in report.violations]


# --- H1 headcount ---------------------------------------------------------------------------


def test_h1_too_few_and_too_many_named_by_shift():
    p = problem(
        [shift("a", 12, 18, 20, need=2), shift("b", 13, 10, 12, need=1, most=1)],
        [person("kari", "Kari N."), person("ola", "Ola P.")],
    )
    r = check(p, assign(("a", "kari"), ("b", "kari"), ("b", "ola")))
    assert rules_of(r) == ["H1", "H1"]
    assert (
        r.violations[0].message
        == "Tue 12 Jan 18:00–20:00 at Information desk has 1 of the 2 people it needs."
    )
    assert r.violations[0].shift == "a"
    assert "Wed 13 Jan 10:00–12:00" in r.violations[1].message
    assert "at most 1" in r.violations[1].message
    assert not r.ok
    assert check(p, assign(("a", "kari"), ("a", "ola"), ("b", "ola"))).ok


def test_h1_understaffing_allowed_is_penalised_not_broken():
    p = problem(
        [shift("a", 12, 18, 20, need=2)], [person("kari")], rules=Rules(allow_understaffing=True)
    )
    r = check(p, assign(("a", "kari")))
    assert r.ok
    assert r.counts["understaffing"] == 120
    assert r.terms["understaffing"] == 12_000


# --- H2..H5 ---------------------------------------------------------------------------------


def test_h2_overlapping_shifts():
    p = problem(
        [shift("a", 12, 8, 12), shift("b", 12, 9, 10, point="remote"), shift("c", 12, 11, 13)],
        [person("kari", "Kari N.")],
        rules=Rules(allow_understaffing=True),
    )
    r = check(p, assign(("a", "kari"), ("b", "kari"), ("c", "kari")))
    # a overlaps b and c (b and c do not overlap each other)
    assert rules_of(r) == ["H2", "H2"]
    assert "Kari N. holds two shifts at once" in r.violations[0].message
    assert check(p, assign(("b", "kari"), ("c", "kari"))).ok


def test_h3_unavailable_with_reason():
    away = Unavailable(at(12, 12), at(12, 13), "dentist")
    p = problem([shift("a", 12, 10, 12), shift("b", 12, 12, 14)],
                [person("kari", "Kari N.", unavailable=(away,))],
                rules=Rules(allow_understaffing=True))  # fmt: skip
    r = check(p, assign(("b", "kari")))
    assert rules_of(r) == ["H3"]
    assert r.violations[0].message == (
        "Kari N. is unavailable (dentist) during Tue 12 Jan 12:00–14:00 at Information desk."
    )
    assert check(p, assign(("a", "kari"))).ok  # touching the absence is fine


def test_h4_missing_skill():
    p = problem([shift("a", 12, 10, 12, skills=("desk", "chat"))],
                [person("kari", "Kari N.", skills=("desk",))])  # fmt: skip
    r = check(p, assign(("a", "kari")))
    assert rules_of(r) == ["H4"]
    assert "Kari N. lacks chat" in r.violations[0].message


def test_h5_second_line_staff_and_upstairs_point():
    upstairs = ServicePoint("reading", "Reading room", ground_floor=False, first_line=True)
    p = problem([shift("a", 12, 10, 12), shift("b", 12, 12, 14, point="reading")],
                [person("kari", "Kari N.", first_line=False), person("ola")],
                points=(DESK, upstairs))  # fmt: skip
    r = check(p, assign(("a", "kari"), ("b", "ola")))
    assert sorted(rules_of(r)) == ["H5", "H5"]
    assert any("Kari N. is not first-line staff" in v.message for v in r.violations)
    assert any("Reading room" in v.message for v in r.violations)


# --- H6 weekly hours ------------------------------------------------------------------------


def test_h6_minimum_is_capped_by_what_the_person_could_take():
    # Kari must work 4 h but only 2 h of shifts are open to her (the other needs chat).
    p = problem(
        [shift("a", 5, 10, 12), shift("b", 6, 10, 12, skills=("chat",)), shift("c", 7, 10, 12)],
        [person("kari", "Kari N.", min_h=4), person("ola", skills=("chat",))],
        rules=Rules(allow_understaffing=True),
    )
    away = Unavailable(at(7, 9), at(7, 11))
    p2 = problem(list(p.shifts), [person("kari", "Kari N.", min_h=4, unavailable=(away,)),
                                  person("ola", skills=("chat",))],
                 rules=Rules(allow_understaffing=True))  # fmt: skip
    # p: E = 4 h (a and c), so 2 h is too little; p2: E = 2 h, so 2 h is enough.
    r = check(p, assign(("a", "kari")))
    assert rules_of(r) == ["H6"]
    assert r.violations[0].message == (
        "Kari N. works 2 h in week 1 (Mon 4 Jan – Sun 10 Jan) but must work 4 h."
    )
    assert not [v for v in check(p2, assign(("a", "kari"))).violations if v.staff == "kari"]


def test_h6_maximum_and_person_away_all_week_owes_nothing():
    p = problem(
        [shift("a", 5, 8, 12), shift("b", 6, 8, 12)],
        [person("kari", "Kari N.", max_week=6),
         person("ola", min_h=4, unavailable=(Unavailable(at(4, 0), at(11, 0)),))],
        rules=Rules(allow_understaffing=True),
    )  # fmt: skip
    r = check(p, assign(("a", "kari"), ("b", "kari")))
    assert rules_of(r) == ["H6"]
    assert "Kari N. works 8 h in week 1" in r.violations[0].message
    assert "at most 6 h" in r.violations[0].message


def test_h6_counts_each_week_separately():
    p = problem(
        [shift("a", 5, 8, 12), shift("b", 12, 8, 12)],
        [person("kari", min_h=4)],
        weeks=2,
        rules=Rules(allow_understaffing=True),
    )
    r = check(p, assign(("a", "kari")))
    assert rules_of(r) == ["H6"]
    assert "week 2 (Mon 11 Jan – Sun 17 Jan)" in r.violations[0].message


# --- H7, H8 ---------------------------------------------------------------------------------


def test_h7_daily_hours_by_start_day():
    p = problem(
        [shift("a", 5, 8, 12), shift("b", 5, 13, 17), shift("c", 5, 22, 23)],
        [person("kari", "Kari N.", max_day=8)],
        rules=Rules(allow_understaffing=True),
    )
    assert check(p, assign(("a", "kari"), ("b", "kari"))).ok
    r = check(p, assign(("a", "kari"), ("b", "kari"), ("c", "kari")))
    assert rules_of(r) == ["H7"]
    assert r.violations[0].message == "Kari N. works 9 h on Tue 5 Jan; at most 8 h a day."


def test_h7_overnight_shift_counts_on_its_start_day():
    night = shift("n", 5, 20, 23)
    night = type(night)("n", "desk", at(5, 20), at(6, 4), 1, 1)
    p = problem([night, shift("m", 6, 8, 12)], [person("kari", max_day=8)])
    assert check(p, assign(("n", "kari"), ("m", "kari"))).ok


def test_h8_duty_block_without_break():
    shifts = [shift("a", 5, 8, 10), shift("b", 5, 10, 12), shift("c", 5, 12, 14)]
    late = shift("c", 5, 0, 0)
    late = type(late)("c2", "desk", at(5, 12, 15), at(5, 14, 15), 1, 1)
    staff = [person("kari", "Kari N.")]
    rules = Rules(max_consecutive_hours=4, min_break_minutes=15, allow_understaffing=True)
    p = problem([*shifts, late], staff, rules=rules)
    r = check(p, assign(("a", "kari"), ("b", "kari"), ("c", "kari")))
    assert rules_of(r) == ["H8"]
    assert r.violations[0].message == (
        "Kari N. works 6 h without a 15-minute break from Tue 5 Jan 08:00–10:00 at "
        "Information desk on; at most 4 h in a row."
    )
    # a 15-minute gap is a break
    assert check(p, assign(("a", "kari"), ("b", "kari"), ("c2", "kari"))).ok
    # without max_consecutive_hours there is no H8
    p_free = problem([*shifts, late], staff, rules=Rules(allow_understaffing=True))
    assert check(p_free, assign(("a", "kari"), ("b", "kari"), ("c", "kari"))).ok


# --- H9 pins --------------------------------------------------------------------------------


def test_h9_pin_missing():
    p = problem([shift("a", 12, 18, 20)], [person("kari", "Kari N."), person("ola")],
                pinned=[("a", "kari")])  # fmt: skip
    r = check(p, assign(("a", "ola")))
    assert rules_of(r) == ["H9"]
    assert r.violations[0].message == (
        "Kari N. is pinned to Tue 12 Jan 18:00–20:00 at Information desk but not assigned to it."
    )
    assert check(p, assign(("a", "kari"))).ok


def test_unknown_and_repeated_assignments_are_reported():
    p = problem([shift("a", 12, 18, 20)], [person("kari")])
    r = check(p, assign(("a", "kari"), ("a", "kari"), ("zz", "kari")))
    assert rules_of(r) == ["H0", "H0"]


# --- Objective terms, each by its exact value -----------------------------------------------


def test_target_term():
    p = problem([shift("a", 5, 8, 10), shift("b", 12, 8, 11)],
                [person("kari", target=4)], weeks=2)  # fmt: skip
    r = check(p, assign(("a", "kari"), ("b", "kari")))
    assert r.counts["target"] == 120 + 60
    assert r.terms["target"] == 180


def test_preference_term_overlap_minutes_times_weight():
    prefs = (Preference(at(5, 17), at(5, 19), 3), Preference(at(5, 19, 30), at(5, 23), -2))
    p = problem([shift("e", 5, 18, 20)], [person("kari", preferences=prefs)])
    r = check(p, assign(("e", "kari")))
    assert r.counts["preference"] == 60 * 3 - 30 * 2
    assert r.objective == r.terms["preference"] + r.terms["duty_days"] + r.terms["unsocial_spread"]


def test_split_duty_and_duty_days():
    p = problem(
        [shift("a", 5, 8, 10), shift("b", 5, 10, 12), shift("c", 5, 14, 16), shift("d", 6, 8, 9)],
        [person("kari")],
    )
    r = check(p, assign(("a", "kari"), ("b", "kari"), ("c", "kari"), ("d", "kari")))
    assert r.counts["split_duty"] == 1
    assert r.counts["duty_days"] == 2
    assert r.terms["split_duty"] == 60
    assert r.terms["duty_days"] == 60


def test_unsocial_spread_over_all_first_line_staff():
    # 17:00 on a weekday and anything on Saturday are unsocial; 16:00 on Friday is not.
    p = problem(
        [shift("ev", 5, 17, 19), shift("sat", 9, 10, 12), shift("fri", 8, 16, 17)],
        [person("kari"), person("ola"), person("per", first_line=False)],
    )
    r = check(p, assign(("ev", "kari"), ("sat", "kari"), ("fri", "ola")))
    assert r.counts["unsocial_spread"] == 2  # kari 2, ola 0; per is not first line
    assert r.terms["unsocial_spread"] == 60


def test_change_term_and_weight_override():
    p = problem([shift("a", 5, 8, 10), shift("b", 5, 10, 12)], [person("kari"), person("ola")],
                previous=[("a", "kari"), ("b", "kari")],
                rules=Rules(weights={"change": 7}))  # fmt: skip
    r = check(p, assign(("a", "kari"), ("b", "ola")))
    assert r.counts["change"] == 1
    assert r.terms["change"] == 7
    assert r.terms["duty_days"] == 60  # default weight kept for terms not overridden
    assert r.objective == sum(r.terms.values())


def test_durations_are_elapsed_minutes_over_dst():
    # 28 Mar 2027: clocks go from 02:00 to 03:00 in Oslo, so 01:00-04:00 lasts 2 hours.
    monday = datetime(2027, 3, 22).date()
    night = type(shift("x", 1, 1, 2))(
        "x", "desk", datetime(2027, 3, 28, 1), datetime(2027, 3, 28, 4), 1, 1
    )
    p = problem([night], [person("kari", target=0)], start=monday)
    r = check(p, assign(("x", "kari")))
    assert r.counts["target"] == 120


# --- Agreement with ../shared/tools/check_roster.py -----------------------------------------


def random_case(rng: random.Random):
    """A small random problem and a random assignment set that breaks rules now and then."""
    skills = ["desk", "chat"]
    shifts = []
    for i in range(rng.randint(4, 10)):
        day = rng.choice([4, 5, 9, 10, 11, 12])  # Mon, Tue, Sat, Sun, Mon, Tue (2 weeks)
        start = at(day, rng.choice([8, 9, 10, 12, 15, 16, 17, 18]), rng.choice([0, 0, 30]))
        length = timedelta(minutes=rng.choice([60, 90, 120, 120, 180]))
        lo = rng.randint(0, 2)
        shifts.append(type(shift("x", 4, 8, 9))(
            f"s{i}", rng.choice(["desk", "remote"]), start, start + length, lo,
            lo + rng.randint(0, 1), tuple(rng.sample(skills, rng.randint(0, 1))),
        ))  # fmt: skip
    staff = []
    for j in range(rng.randint(2, 6)):
        away = tuple(
            Unavailable(a, a + timedelta(minutes=rng.choice([30, 60, 240])), "x")
            for a in (
                at(rng.choice([4, 5, 9, 11]), rng.randint(8, 18)) for _ in range(rng.randint(0, 2))
            )
        )
        prefs = tuple(
            Preference(a, a + timedelta(hours=3), rng.choice([-2, 1, 3]))
            for a in (
                at(rng.choice([4, 5, 10, 12]), rng.randint(8, 18)) for _ in range(rng.randint(0, 2))
            )
        )
        staff.append(person(
            f"p{j}", first_line=rng.random() > 0.15, skills=tuple(rng.sample(skills, rng.randint(0, 2))),  # noqa: E501
            min_h=rng.choice([0, 2, 4]), max_week=rng.choice([None, 3, 6]),
            max_day=rng.choice([2, 4, 8]), target=rng.choice([None, 2, 4.5]),
            unavailable=away, preferences=prefs,
        ))  # fmt: skip
    pairs = [(s.id, q.id) for s in shifts for q in staff]
    chosen = rng.sample(pairs, rng.randint(0, min(len(pairs), 12)))
    rules = Rules(
        max_consecutive_hours=rng.choice([None, 2, 3, 4]),
        min_break_minutes=rng.choice([0, 15, 30]),
        allow_understaffing=rng.random() < 0.5,
        weights=rng.choice([{}, {"change": 5, "duty_days": 3}]),
    )
    p = problem(shifts, staff, weeks=2, rules=rules,
                pinned=rng.sample(pairs, rng.randint(0, 2)),
                previous=rng.sample(pairs, rng.randint(0, 3)))  # fmt: skip
    return p, assign(*chosen)


@pytest.mark.skipif(not CHECK_ROSTER.exists(), reason="../shared/tools/check_roster.py absent")
def test_agrees_with_check_roster_on_random_rosters(tmp_path):
    rng = random.Random(20270104)
    broken_rules: set[str] = set()
    for case in range(40):
        p, assignments = random_case(rng)
        report = check(p, assignments)
        shortfall = {s.id: s.min_staff - sum(1 for a in assignments if a.shift == s.id)
                     for s in p.shifts}  # fmt: skip
        solution = {
            "status": "FEASIBLE",
            "objective": report.objective,
            "bound": None,
            "assignments": [{"shift": a.shift, "staff": a.staff} for a in assignments],
            "uncovered": [{"shift": k, "missing": v} for k, v in shortfall.items() if v > 0]
            if p.rules.allow_understaffing
            else [],
        }
        (tmp_path / "p.json").write_text(json.dumps(to_dict(p)))
        (tmp_path / "s.json").write_text(json.dumps(solution))
        run = subprocess.run(
            [sys.executable, str(CHECK_ROSTER), tmp_path / "p.json", tmp_path / "s.json"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        lines = run.stdout.splitlines()
        theirs = {line.split()[0] for line in lines if line[:1] == "H"}
        assert not [line for line in lines if line.startswith(("objective", "uncovered"))], (
            case, run.stdout, report.counts
        )  # fmt: skip
        assert {v.rule for v in report.violations} == theirs, (case, run.stdout, report)
        assert (run.returncode == 0) == report.ok
        if report.ok:
            terms = json.loads(lines[-1].split("terms=", 1)[1])
            assert {k: v for k, v in report.counts.items() if v} == {
                k: v for k, v in terms.items() if v
            }
        broken_rules |= theirs
    # the random cases exercise most rules, so the comparison means something
    assert broken_rules >= {"H1", "H2", "H3", "H4", "H5", "H6", "H7", "H9"}


# --- Speed: the web app checks a 4-week roster after every edit -----------------------------


def test_four_week_roster_checks_in_well_under_50_ms():
    p = from_dict(json.loads((EXAMPLES / "M-4weeks.json").read_text()))
    rng = random.Random(1)
    staff_ids = [q.id for q in p.staff]
    assignments = assign(*[(s.id, q) for s in p.shifts for q in rng.sample(staff_ids, s.min_staff)])
    check(p, assignments)  # first call builds the per-problem facts
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        check(p, assignments)
        times.append(time.perf_counter() - t0)
    assert min(times) < 0.05, times


@pytest.mark.slow
def test_engine_solution_is_accepted_with_the_objective_it_reports():
    from scheduler.solver import load_problem, solve

    p = load_problem(EXAMPLES / "S-week.json")
    solution = solve(p, time_limit=3, workers=1)
    assert solution.status in ("OPTIMAL", "FEASIBLE")
    report = check(p, solution.assignments)
    assert report.violations == []
    assert report.objective == solution.objective
    assert report.terms == {k: solution.terms.get(k, 0) for k in report.terms}


def test_package_exports_stay_functions_after_their_modules_load() -> None:
    import importlib

    import scheduler.solver as solver

    importlib.import_module("scheduler.solver.check")
    importlib.import_module("scheduler.solver.explanations")
    assert callable(solver.check)
    assert callable(solver.explain)
    assert callable(solver.explain_infeasible)
