"""Durations are real elapsed minutes across the DST changes (Europe/Oslo)."""

from __future__ import annotations

from datetime import datetime

from engine_cases import checker, held, person, run

from scheduler.solver import problem_from_dict
from scheduler.solver.index import build_index

# 2027: summer time starts Sunday 28 March, ends Sunday 31 October (both at 01:00 UTC).
MARCH_MONDAY, OCTOBER_MONDAY = "2027-03-22", "2027-10-25"


def dst_problem(monday: str, sunday: str, **staff_kw) -> dict:
    return {
        "timezone": "Europe/Oslo",
        "period": {"start": monday, "weeks": 1},
        "service_points": [{"id": "desk", "ground_floor": True, "first_line": True}],
        "shifts": [
            {
                "id": "night",
                "service_point": "desk",
                "start": f"{sunday}T01:00",
                "end": f"{sunday}T04:00",
                "min_staff": 1,
            },
        ],
        "staff": [person("k", **staff_kw)],
        "rules": {"min_hours_per_week": 0, "weights": {"duty_days": 0, "unsocial_spread": 0}},
    }


def test_october_night_is_four_hours() -> None:
    idx = build_index(problem_from_dict(dst_problem(OCTOBER_MONDAY, "2027-10-31")))
    assert idx.shifts[0].minutes == 240
    assert idx.shifts[0].day == 6
    assert idx.shifts[0].unsocial


def test_march_night_is_two_hours() -> None:
    idx = build_index(problem_from_dict(dst_problem(MARCH_MONDAY, "2027-03-28")))
    assert idx.shifts[0].minutes == 120


def test_elapsed_minutes_start_at_local_midnight_monday() -> None:
    data = dst_problem(OCTOBER_MONDAY, "2027-10-31")
    data["shifts"].append(
        {
            "id": "mon",
            "service_point": "desk",
            "start": "2027-10-25T08:00",
            "end": "2027-10-25T09:00",
            "min_staff": 0,
        }
    )
    idx = build_index(problem_from_dict(data))
    assert (idx.shifts[1].start, idx.shifts[1].end) == (480, 540)
    # Sunday 01:00 is still summer time: 6 days and 1 hour after Monday 00:00.
    assert idx.shifts[0].start == 6 * 24 * 60 + 60


def test_daily_limit_sees_the_extra_hour(tmp_path) -> None:
    data = dst_problem(OCTOBER_MONDAY, "2027-10-31", max_hours_per_day=3.5)
    assert run(data).status == "INFEASIBLE"
    data["staff"][0]["max_hours_per_day"] = 4
    sol = run(data)
    assert held(sol) == {("night", "k")}
    checker(data, sol, tmp_path)


def test_march_night_fits_two_hours(tmp_path) -> None:
    data = dst_problem(MARCH_MONDAY, "2027-03-28", max_hours_per_day=2, target_hours_per_week=3)
    sol = run(data)
    assert sol.status == "OPTIMAL"
    assert sol.terms["target"] == 60  # 2 h worked against 3 h
    checker(data, sol, tmp_path)


def test_break_across_the_repeated_hour(tmp_path) -> None:
    # 01:00-02:00 then 02:10-04:00 (02:10 read as summer time, the earlier of the two):
    # a 10-minute gap chains them into one duty block of 4 elapsed hours.
    data = dst_problem(OCTOBER_MONDAY, "2027-10-31")
    data["shifts"] = [
        {
            "id": "a",
            "service_point": "desk",
            "start": "2027-10-31T01:00",
            "end": "2027-10-31T02:00",
            "min_staff": 1,
        },
        {
            "id": "b",
            "service_point": "desk",
            "start": "2027-10-31T02:10",
            "end": "2027-10-31T04:00",
            "min_staff": 1,
        },
    ]
    idx = build_index(problem_from_dict(data))
    assert [(s.start, s.end) for s in idx.shifts] == [
        (6 * 1440 + 60, 6 * 1440 + 120),
        (6 * 1440 + 130, 6 * 1440 + 300),
    ]
    data["rules"]["max_consecutive_hours"] = 3.9
    assert run(data).status == "INFEASIBLE"
    data["rules"]["max_consecutive_hours"] = 4
    sol = run(data)
    assert sol.status == "OPTIMAL"
    checker(data, sol, tmp_path)


def test_naive_times_are_wall_clock() -> None:
    p = problem_from_dict(dst_problem(OCTOBER_MONDAY, "2027-10-31"))
    assert p.shifts[0].start == datetime(2027, 10, 31, 1, 0)
