"""Each objective term by its exact value, and equal to what check_roster.py recomputes."""

from __future__ import annotations

import random

import pytest
from engine_cases import checker, held, person, problem, run, shift


def solved(data, tmp_path):
    sol = run(data)
    assert sol.status == "OPTIMAL", sol
    assert sol.bound == sol.objective
    assert sum(sol.terms.values()) == sol.objective
    checker(data, sol, tmp_path)
    return sol


def only(sol, term: str) -> int:
    others = {k: v for k, v in sol.terms.items() if k != term and v}
    assert not others, others
    return sol.terms[term]


def test_understaffing(tmp_path) -> None:
    data = problem([shift("a", 0, "08:00", "11:00", 3)], [person("k")], allow_understaffing=True)
    data["rules"]["weights"] = {"duty_days": 0}
    sol = solved(data, tmp_path)
    assert only(sol, "understaffing") == 100 * 2 * 180


def test_understaffing_is_preferred_to_breaking_nothing(tmp_path) -> None:
    # One person, two overlapping shifts: the cheaper (shorter) one goes uncovered.
    data = problem(
        [shift("long", 0, "08:00", "11:00"), shift("short", 0, "10:00", "11:00")],
        [person("k")],
        allow_understaffing=True,
    )
    sol = solved(data, tmp_path)
    assert held(sol) == {("long", "k")}
    assert sol.terms["understaffing"] == 100 * 60


def test_target(tmp_path) -> None:
    data = problem(
        [shift("a", 0, "08:00", "10:00")],
        [
            person("k", target_hours_per_week=3),
            person("lib", first_line=False, target_hours_per_week=1.5),
        ],
    )
    data["rules"]["weights"] = {"duty_days": 0}
    sol = solved(data, tmp_path)
    assert only(sol, "target") == 60 + 90  # k is 1 h short; the second-line 1.5 h


def test_target_over_two_weeks(tmp_path) -> None:
    data = problem(
        [shift("a", 0, "08:00", "10:00"), shift("b", 7, "08:00", "12:00")],
        [person("k", target_hours_per_week=3)],
        weeks=2,
    )
    sol = solved(data, tmp_path)
    assert sol.terms["target"] == 60 + 60


def test_preference(tmp_path) -> None:
    prefs = [
        {"start": "2027-01-04T09:00", "end": "2027-01-04T12:00", "weight": 2},
        {"start": "2027-01-04T07:00", "end": "2027-01-04T08:30", "weight": -1},
    ]
    data = problem([shift("a", 0, "08:00", "10:00")], [person("k", preferences=prefs)])
    data["rules"]["weights"] = {"duty_days": 0}
    sol = solved(data, tmp_path)
    assert only(sol, "preference") == 60 * 2 - 30


def test_preference_chooses_the_person(tmp_path) -> None:
    dislike = [{"start": "2027-01-04T08:00", "end": "2027-01-04T10:00", "weight": 1}]
    data = problem(
        [shift("a", 0, "08:00", "10:00")], [person("k", preferences=dislike), person("o")]
    )
    sol = solved(data, tmp_path)
    assert held(sol) == {("a", "o")}
    assert sol.terms["preference"] == 0


def test_split_duty_and_duty_days(tmp_path) -> None:
    data = problem(
        [shift("a", 0, "08:00", "10:00"), shift("b", 0, "12:00", "14:00")], [person("k")]
    )
    sol = solved(data, tmp_path)
    assert sol.terms == {**dict.fromkeys(sol.terms, 0), "split_duty": 60, "duty_days": 30}
    assert sol.objective == 90


def test_short_break_is_one_block(tmp_path) -> None:
    data = problem(
        [shift("a", 0, "08:00", "10:00"), shift("b", 0, "10:14", "12:00")], [person("k")]
    )
    sol = solved(data, tmp_path)
    assert sol.terms["split_duty"] == 0
    assert sol.objective == 30


def test_split_duty_counts_per_day(tmp_path) -> None:
    # Monday 22-24 and Tuesday 00:05-02 chain into one block, but the split duty and
    # duty days count each day's own shifts: one block on each day, two duty days.
    data = problem(
        [shift("a", 0, "22:00", "00:00"), shift("b", 1, "00:05", "02:00")], [person("k")]
    )
    sol = solved(data, tmp_path)
    assert sol.terms["split_duty"] == 0
    assert sol.terms["duty_days"] == 60


def test_duty_days_gather_work(tmp_path) -> None:
    # Two people, two shifts on one day: one person on both is cheaper than two duty days.
    data = problem(
        [shift("a", 0, "08:00", "10:00"), shift("b", 0, "10:00", "12:00")],
        [person("k"), person("o")],
    )
    sol = solved(data, tmp_path)
    assert len({p for _, p in held(sol)}) == 1
    assert sol.terms["duty_days"] == 30


def test_unsocial_spread(tmp_path) -> None:
    # Two evening shifts (unsocial) on two days; two people: one each, spread 0,
    # against one person on both days. A second-line person does not count.
    data = problem(
        [shift("e1", 0, "17:00", "19:00"), shift("e2", 1, "17:00", "19:00")],
        [person("k"), person("o"), person("lib", first_line=False)],
    )
    data["rules"]["weights"] = {"duty_days": 0}
    sol = solved(data, tmp_path)
    assert {p for _, p in held(sol)} == {"k", "o"}
    assert sol.objective == 0
    data["staff"].append(person("x", skills=[]))
    sol = solved(data, tmp_path)
    assert sol.terms["unsocial_spread"] == 30  # x holds none, k or o holds one


def test_weekend_is_unsocial(tmp_path) -> None:
    data = problem([shift("sat", 5, "10:00", "12:00")], [person("k"), person("o")])
    sol = solved(data, tmp_path)
    assert sol.terms["unsocial_spread"] == 30
    data["shifts"][0]["start"], data["shifts"][0]["end"] = "2027-01-08T16:59", "2027-01-08T18:00"
    assert solved(data, tmp_path).terms["unsocial_spread"] == 0


def test_change(tmp_path) -> None:
    away = [{"start": "2027-01-04T08:00", "end": "2027-01-04T09:00"}]
    data = problem(
        [shift("a", 0, "08:00", "10:00"), shift("b", 1, "08:00", "10:00")],
        [person("k", unavailable=away), person("o"), person("lib", first_line=False)],
        previous=[
            {"shift": "a", "staff": "k"},
            {"shift": "b", "staff": "o"},
            {"shift": "b", "staff": "lib"},
        ],
    )
    sol = solved(data, tmp_path)
    assert ("b", "o") in held(sol)
    assert sol.terms["change"] == 200  # k cannot keep "a"; the second-line "lib" never


def test_weights_override(tmp_path) -> None:
    data = problem(
        [shift("a", 0, "08:00", "10:00"), shift("b", 1, "08:00", "10:00")], [person("k")]
    )
    data["rules"]["weights"] = {"duty_days": 7}
    assert solved(data, tmp_path).objective == 14


def _random_problem(rng: random.Random) -> dict:
    weeks = rng.choice([1, 1, 2])
    shifts = []
    for i in range(rng.randint(3, 9)):
        d = rng.randrange(7 * weeks)
        h = rng.choice([8, 10, 12, 14, 17, 18, 22])
        length = rng.choice([1, 2, 3])
        end = (h + length) % 24
        shifts.append(
            shift(
                f"s{i}",
                d,
                f"{h:02d}:{rng.choice(['00', '10'])}",
                f"{end:02d}:00",
                rng.randint(0, 2),
                None,
                skills=rng.choice([[], [], ["chat"]]),
            )
        )
        shifts[-1]["max_staff"] = shifts[-1]["min_staff"] + rng.randint(0, 1)
        if d == 7 * weeks - 1 and end < h:
            shifts[-1]["end"] = f"2027-01-{4 + d:02d}T23:59"
    staff = []
    for j in range(rng.randint(2, 5)):
        p = person(
            f"p{j}",
            skills=rng.choice([[], ["chat"]]),
            min_hours_per_week=rng.choice([0, 2, 4]),
            max_hours_per_day=rng.choice([4, 6, 8]),
            target_hours_per_week=rng.choice([None, 3, 6]),
            first_line=rng.random() > 0.15,
        )
        if rng.random() < 0.4:
            d = rng.randrange(7 * weeks)
            p["unavailable"] = [
                {"start": f"2027-01-{4 + d:02d}T09:00", "end": f"2027-01-{4 + d:02d}T13:00"}
            ]
        if rng.random() < 0.4:
            d = rng.randrange(7 * weeks)
            p["preferences"] = [
                {
                    "start": f"2027-01-{4 + d:02d}T16:00",
                    "end": f"2027-01-{4 + d:02d}T20:00",
                    "weight": rng.choice([-2, 1, 3]),
                }
            ]
        staff.append(p)
    data = problem(
        shifts,
        staff,
        weeks=weeks,
        max_consecutive_hours=rng.choice([None, 3, 4]),
        allow_understaffing=rng.random() < 0.5,
    )
    if data["rules"]["max_consecutive_hours"] is None:
        del data["rules"]["max_consecutive_hours"]
    fl = [p["id"] for p in staff]
    data["previous"] = [
        {"shift": s["id"], "staff": rng.choice(fl)} for s in shifts if rng.random() < 0.3
    ]
    return data


@pytest.mark.parametrize("seed", range(12))
def test_random_problems_agree_with_the_checker(seed: int, tmp_path) -> None:
    data = _random_problem(random.Random(seed))
    sol = run(data, time_limit=5)
    assert sol.status in ("OPTIMAL", "INFEASIBLE"), sol
    if sol.status == "OPTIMAL":
        assert sol.bound == sol.objective
        checker(data, sol, tmp_path)


def test_one_persons_counts_do_not_depend_on_the_order_of_the_shifts() -> None:
    """``person_counts`` takes a person's shifts in any order (the descent hands it sets):
    Monday 08-10 and 10:10-12 are one duty block (a 10-minute break), 14-16 a second;
    Tuesday 12-14 a second duty day."""
    import itertools

    from scheduler.solver.index import build_index
    from scheduler.solver.problem import Shift
    from scheduler.solver.score import person_counts
    from tests.solver import builders as b

    shifts = [
        b.shift("tue", 5, 12, 14),
        b.shift("late", 4, 14, 16),
        b.shift("early", 4, 8, 10),
        Shift("mid", "desk", b.at(4, 10, 10), b.at(4, 12), 1, 1),
    ]
    idx = build_index(b.problem(shifts, [b.person("k", target=10)]))
    seen = {person_counts(idx, 0, order, (0,)) for order in itertools.permutations(range(4))}
    assert len(seen) == 1
    (counts,) = seen
    assert (counts.duty_days, counts.split_duty) == (2, 1)
    assert counts.target == abs(7 * 60 + 50 - 10 * 60)
