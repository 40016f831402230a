"""Each hard rule H1–H9 on tiny hand-made cases: holds, cannot hold, and binds."""

from __future__ import annotations

from engine_cases import checker, held, person, problem, run, shift


def test_h1_headcount_filled() -> None:
    data = problem([shift("a", 0, "08:00", "10:00", 2)], [person("k"), person("o")])
    sol = run(data)
    assert sol.status == "OPTIMAL"
    assert held(sol) == {("a", "k"), ("a", "o")}


def test_h1_too_few_people_is_infeasible() -> None:
    sol = run(problem([shift("a", 0, "08:00", "10:00", 2)], [person("k")]))
    assert sol.status == "INFEASIBLE"
    assert sol.assignments == []
    assert sol.explanation


def test_h1_max_staff_binds() -> None:
    # Three people each owe 2 h, but the only shift takes at most two.
    data = problem(
        [shift("a", 0, "08:00", "10:00", 1, 2)],
        [person(p, min_hours_per_week=2) for p in "kol"],
    )
    assert run(data).status == "INFEASIBLE"
    data["shifts"][0]["max_staff"] = 3
    assert len(run(data).assignments) == 3


def test_h1_understaffing_allowed_is_reported(tmp_path) -> None:
    data = problem([shift("a", 0, "08:00", "10:00", 2)], [person("k")], allow_understaffing=True)
    sol = run(data)
    assert sol.status == "OPTIMAL"
    assert [(u.shift, u.missing) for u in sol.uncovered] == [("a", 1)]
    assert sol.terms["understaffing"] == 100 * 120
    checker(data, sol, tmp_path)


def test_h2_overlap_needs_two_people() -> None:
    shifts = [shift("a", 0, "08:00", "10:00"), shift("b", 0, "09:00", "11:00")]
    assert run(problem(shifts, [person("k")])).status == "INFEASIBLE"
    sol = run(problem(shifts, [person("k"), person("o")]))
    assert sol.status == "OPTIMAL"
    assert {p for _, p in held(sol)} == {"k", "o"}


def test_h2_back_to_back_is_not_overlap() -> None:
    shifts = [shift("a", 0, "08:00", "10:00"), shift("b", 0, "10:00", "12:00")]
    assert held(run(problem(shifts, [person("k")]))) == {("a", "k"), ("b", "k")}


def test_h3_availability() -> None:
    away = [{"start": "2027-01-04T09:30", "end": "2027-01-04T09:45", "reason": "dentist"}]
    shifts = [shift("a", 0, "08:00", "10:00")]
    assert run(problem(shifts, [person("k", unavailable=away)])).status == "INFEASIBLE"
    sol = run(problem(shifts, [person("k", unavailable=away), person("o")]))
    assert held(sol) == {("a", "o")}
    # Touching the shift's end is not overlapping it.
    touching = [{"start": "2027-01-04T10:00", "end": "2027-01-04T11:00"}]
    assert run(problem(shifts, [person("k", unavailable=touching)])).status == "OPTIMAL"


def test_h4_skills() -> None:
    shifts = [shift("a", 0, "08:00", "10:00", skills=["chat"])]
    assert run(problem(shifts, [person("k", skills=["desk"])])).status == "INFEASIBLE"
    sol = run(problem(shifts, [person("k", skills=["desk"]), person("o", skills=["chat", "x"])]))
    assert held(sol) == {("a", "o")}


def test_h5_second_line_is_never_rostered() -> None:
    shifts = [shift("a", 0, "08:00", "10:00", 2)]
    staff = [person("k"), person("lib", first_line=False)]
    assert run(problem(shifts, staff)).status == "INFEASIBLE"
    staff.append(person("o"))
    assert held(run(problem(shifts, staff))) == {("a", "k"), ("a", "o")}


def test_h6_minimum_hours_bind() -> None:
    # Nobody needs to be on "b", but k owes 4 h and can only get them there.
    shifts = [shift("a", 0, "08:00", "10:00"), shift("b", 1, "08:00", "10:00", 0, 1)]
    data = problem(shifts, [person("k", min_hours_per_week=4)])
    assert held(run(data)) == {("a", "k"), ("b", "k")}


def test_h6_minimum_is_capped_by_what_the_person_could_take(tmp_path) -> None:
    # k owes 4 h but could only take 2 h (the rest needs a skill): owes 2 h.
    shifts = [
        shift("a", 0, "08:00", "10:00", 0, 1),
        shift("b", 1, "08:00", "10:00", 0, 1, skills=["x"]),
    ]
    data = problem(shifts, [person("k", min_hours_per_week=4)])
    sol = run(data)
    assert held(sol) == {("a", "k")}
    checker(data, sol, tmp_path)


def test_h6_away_all_week_owes_nothing() -> None:
    away = [{"start": "2027-01-04T00:00", "end": "2027-01-11T00:00"}]
    data = problem(
        [shift("a", 0, "08:00", "10:00")],
        [person("k", min_hours_per_week=4, unavailable=away), person("o")],
    )
    assert held(run(data)) == {("a", "o")}


def test_h6_maximum_hours() -> None:
    shifts = [shift("a", 0, "08:00", "10:00"), shift("b", 1, "08:00", "10:00")]
    assert run(problem(shifts, [person("k", max_hours_per_week=3)])).status == "INFEASIBLE"
    assert run(problem(shifts, [person("k", max_hours_per_week=4)])).status == "OPTIMAL"


def test_h6_counts_each_week_separately() -> None:
    shifts = [shift("a", 0, "08:00", "10:00"), shift("b", 7, "08:00", "10:00")]
    data = problem(shifts, [person("k", max_hours_per_week=2)], weeks=2)
    assert held(run(data)) == {("a", "k"), ("b", "k")}


def test_h7_daily_hours() -> None:
    shifts = [shift("a", 0, "08:00", "10:00"), shift("b", 0, "12:00", "14:00")]
    assert run(problem(shifts, [person("k", max_hours_per_day=3)])).status == "INFEASIBLE"
    assert run(problem(shifts, [person("k", max_hours_per_day=4)])).status == "OPTIMAL"
    on_two_days = [shift("a", 0, "08:00", "10:00"), shift("b", 1, "12:00", "14:00")]
    assert run(problem(on_two_days, [person("k", max_hours_per_day=2)])).status == "OPTIMAL"


def test_h7_counts_a_shift_on_the_day_it_starts() -> None:
    # Monday 20:00-02:00 (6 h) counts on Monday; Tuesday 08:00-10:00 is Tuesday's only 2 h.
    shifts = [shift("night", 0, "20:00", "02:00"), shift("b", 1, "08:00", "10:00")]
    data = problem(shifts, [person("k", max_hours_per_day=6)])
    assert run(data).status == "OPTIMAL"
    data["staff"][0]["max_hours_per_day"] = 5
    assert run(data).status == "INFEASIBLE"


def _three(gap_end: str) -> list[dict]:
    return [
        shift("a", 0, "08:00", "10:00"),
        shift("b", 0, "10:00", "12:00"),
        shift("c", 0, gap_end, "14:30"),
    ]


def test_h8_duty_block_too_long() -> None:
    data = problem(_three("12:14"), [person("k")], max_consecutive_hours=4)
    assert run(data).status == "INFEASIBLE"


def test_h8_a_full_break_ends_the_block(tmp_path) -> None:
    data = problem(_three("12:15"), [person("k")], max_consecutive_hours=4)
    sol = run(data)
    assert sol.status == "OPTIMAL"
    checker(data, sol, tmp_path)


def test_h8_absent_means_no_limit() -> None:
    assert run(problem(_three("12:00"), [person("k")])).status == "OPTIMAL"


def test_h8_binds_the_choice_of_person() -> None:
    data = problem(_three("12:10"), [person("k"), person("o")], max_consecutive_hours=4)
    sol = run(data)
    assert sol.status == "OPTIMAL"
    assert len({p for _, p in held(sol)}) == 2


def test_h8_blocks_run_over_midnight() -> None:
    shifts = [
        shift("late", 0, "21:00", "23:00"),
        shift("night", 0, "23:00", "01:00"),
        shift("early", 1, "01:05", "03:00"),
    ]
    data = problem(shifts, [person("k")], max_consecutive_hours=5)
    assert run(data).status == "INFEASIBLE"
    data["rules"]["max_consecutive_hours"] = 6
    assert run(data).status == "OPTIMAL"


def test_h9_pins_choose_the_person() -> None:
    data = problem(
        [shift("a", 0, "08:00", "10:00")],
        [person("k"), person("o")],
        pinned=[{"shift": "a", "staff": "o"}],
        previous=[{"shift": "a", "staff": "k"}],
    )
    assert held(run(data)) == {("a", "o")}


def test_h9_pin_the_person_cannot_hold_is_infeasible() -> None:
    away = [{"start": "2027-01-04T08:00", "end": "2027-01-04T09:00"}]
    data = problem(
        [shift("a", 0, "08:00", "10:00")],
        [person("k", unavailable=away), person("o")],
        pinned=[{"shift": "a", "staff": "k"}],
    )
    sol = run(data)
    assert sol.status == "INFEASIBLE"
    assert sol.explanation


def test_h8_blocks_run_from_sunday_into_the_next_week(tmp_path) -> None:
    # Sunday 21-23 and 23-01, then Monday 01:05-03 of week two: one block of 6 h.
    shifts = [
        shift("late", 6, "21:00", "23:00"),
        shift("night", 6, "23:00", "01:00"),
        shift("early", 7, "01:05", "03:00"),
        shift("day", 8, "10:00", "12:00"),
    ]
    data = problem(shifts, [person("k")], weeks=2, max_consecutive_hours=5)
    assert run(data).status == "INFEASIBLE"
    data["staff"].append(person("o"))
    sol = run(data)
    assert sol.status in ("OPTIMAL", "FEASIBLE")
    checker(data, sol, tmp_path)
    data["rules"]["max_consecutive_hours"] = 6
    data["staff"].pop()
    sol = run(data)
    assert sol.status == "OPTIMAL"
    checker(data, sol, tmp_path)
