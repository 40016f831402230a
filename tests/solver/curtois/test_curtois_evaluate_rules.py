"""Each hard rule of the benchmark, violated and satisfied, and the penalties, on tiny instances.

Rosters are written as strings, one character per day: ``.`` is a day off, any other
character is the shift with that one-letter id.
"""

from __future__ import annotations

import pytest

from scheduler.solver.curtois import evaluate as ev
from scheduler.solver.curtois.evaluate import Evaluation, evaluate
from scheduler.solver.curtois.instance import Instance, ShiftRequest
from scheduler.solver.curtois.roster import RosterFormatError


def row(pattern: str) -> list[str]:
    return ["" if c == "." else c for c in pattern]


def run(instance: Instance, **rows: str) -> Evaluation:
    return evaluate(instance, {e: row(p) for e, p in rows.items()})


def rules(result: Evaluation) -> list[str]:
    return [v.rule for v in result.violations]


# -- 1. one shift per day --------------------------------------------------------------------


def test_two_shifts_on_one_day_violates_rule_1(make_instance, staff_line) -> None:
    inst = make_instance(shifts=["D,480,", "E,480,"], staff=[staff_line("A", "D=9|E=9")])
    days = [["D", "E"], "D", "", ["E"], [], None, "E"]
    result = evaluate(inst, {"A": days})
    assert rules(result) == [ev.ONE_SHIFT_PER_DAY]
    (v,) = result.violations
    assert (v.employee, v.days) == ("A", (0,))
    assert str(v) == "[one-shift-per-day] employee A: day 0: 2 shifts (D, E), at most one per day"


def test_one_shift_per_day_satisfied(make_instance, staff_line) -> None:
    inst = make_instance(shifts=["D,480,", "E,480,"], staff=[staff_line("A", "D=9|E=9")])
    assert evaluate(inst, {"A": [["D"], "E", "", [], None, "D", "E"]}).feasible


def test_both_shifts_of_a_double_day_count_for_cover_and_requests(make_instance, staff_line):
    inst = make_instance(
        shifts=["D,480,", "E,480,"],
        staff=[staff_line("A", "D=9|E=9")],
        on=["A,0,E,5"],
        off=["A,0,D,7"],
        cover=["0,D,0,100,1", "0,E,0,100,1"],
    )
    result = evaluate(inst, {"A": [["D", "E"], "", "", "", "", "", ""]})
    assert (result.cover_over, result.on_requests, result.off_requests) == (2, 0, 7)


# -- 2. shift rotation -------------------------------------------------------------------------

ROTATION = {"shifts": ["D,480,E", "E,480,"]}


def _rotation_instance(make_instance, staff_line) -> Instance:
    return make_instance(**ROTATION, staff=[staff_line("A", "D=9|E=9")])


def test_forbidden_successor_violates_rule_2(make_instance, staff_line) -> None:
    inst = _rotation_instance(make_instance, staff_line)
    result = run(inst, A="..DE...")
    assert rules(result) == [ev.SHIFT_ROTATION]
    assert result.violations[0].days == (2, 3)
    assert "E on day 3 may not follow D on day 2" in str(result.violations[0])


@pytest.mark.parametrize(
    "pattern",
    [
        "..ED...",  # the reverse order is allowed
        "..D.E..",  # a day off in between
        "E.....D",  # borders: nothing before day 0 or after day H-1
        "DDDD...",  # a shift may follow itself unless listed
    ],
)
def test_shift_rotation_satisfied(make_instance, staff_line, pattern: str) -> None:
    assert run(_rotation_instance(make_instance, staff_line), A=pattern).feasible


def test_every_forbidden_pair_is_reported(make_instance, staff_line) -> None:
    inst = make_instance(
        shifts=["D,480,E|L", "E,480,", "L,480,D"], staff=[staff_line("A", "D=9|E=9|L=9")]
    )
    result = run(inst, A="DLDE...")
    assert [v.days for v in result.violations] == [(0, 1), (1, 2), (2, 3)]


# -- 3. maximum shifts per type -----------------------------------------------------------------


def test_too_many_shifts_of_a_type_violates_rule_3(make_instance, staff_line) -> None:
    inst = make_instance(shifts=["D,480,", "E,480,"], staff=[staff_line("A", "D=2|E=0")])
    result = run(inst, A="D.D.D..")
    assert rules(result) == [ev.MAX_SHIFTS_PER_TYPE]
    assert result.violations[0].days == (0, 2, 4)
    assert "3 shifts of type D, at most 2" in str(result.violations[0])
    assert rules(run(inst, A="E......")) == [ev.MAX_SHIFTS_PER_TYPE]  # E=0: never


def test_max_shifts_per_type_satisfied(make_instance, staff_line) -> None:
    inst = make_instance(shifts=["D,480,", "E,480,"], staff=[staff_line("A", "D=2|E=0")])
    assert run(inst, A="D.D....").feasible


# -- 4. total minutes ---------------------------------------------------------------------------


def _minutes_instance(make_instance, staff_line) -> Instance:
    # D 480 + L 720: two shifts are between 1000 and 1500 only as D+L (1200).
    return make_instance(
        shifts=["D,480,", "L,720,"],
        staff=[staff_line("A", "D=9|L=9", min_minutes=1000, max_minutes=1500)],
    )


@pytest.mark.parametrize(
    ("pattern", "rule", "minutes"),
    [
        ("D.D....", ev.MIN_TOTAL_MINUTES, 960),
        ("L......", ev.MIN_TOTAL_MINUTES, 720),
        (".......", ev.MIN_TOTAL_MINUTES, 0),
        ("D.D.D.D", ev.MAX_TOTAL_MINUTES, 1920),
    ],
)
def test_total_minutes_outside_the_range_violates_rule_4(
    make_instance, staff_line, pattern: str, rule: str, minutes: int
) -> None:
    result = run(_minutes_instance(make_instance, staff_line), A=pattern)
    assert rules(result) == [rule]
    assert f"{minutes} minutes worked" in str(result.violations[0])


def test_total_minutes_satisfied(make_instance, staff_line) -> None:
    inst = _minutes_instance(make_instance, staff_line)
    assert run(inst, A="D.L....").feasible  # 1200
    assert run(inst, A="L.L....").feasible  # 1440
    assert rules(run(inst, A="L.L.D..")) == [ev.MAX_TOTAL_MINUTES]  # 1920


def test_total_minute_bounds_are_inclusive(make_instance, staff_line) -> None:
    inst = make_instance(staff=[staff_line("A", min_minutes=960, max_minutes=960)])
    assert run(inst, A="D.D....").feasible
    assert not run(inst, A="D......").feasible
    assert not run(inst, A="D.D.D..").feasible


# -- 5. maximum consecutive shifts --------------------------------------------------------------


def _consecutive(make_instance, staff_line, **limits: int) -> Instance:
    return make_instance(horizon=14, staff=[staff_line("A", **limits)])


@pytest.mark.parametrize(
    ("pattern", "days"),
    [
        ("DDDD..........", (0, 1, 2, 3)),  # run touching day 0: still counted
        ("..........DDDD", (10, 11, 12, 13)),  # run touching day H-1: still counted
        ("....DDDDD.....", (4, 5, 6, 7, 8)),
    ],
)
def test_run_longer_than_max_violates_rule_5(
    make_instance, staff_line, pattern: str, days: tuple[int, ...]
) -> None:
    result = run(_consecutive(make_instance, staff_line, max_consecutive=3), A=pattern)
    assert rules(result) == [ev.MAX_CONSECUTIVE_SHIFTS]
    assert result.violations[0].days == days


@pytest.mark.parametrize(
    "pattern",
    [
        "DDD...........",  # exactly the maximum at day 0 (nothing assumed before)
        "...........DDD",  # exactly the maximum at day H-1 (nothing assumed after)
        "DDD.DDD.DDD.DD",
    ],
)
def test_max_consecutive_satisfied(make_instance, staff_line, pattern: str) -> None:
    assert run(_consecutive(make_instance, staff_line, max_consecutive=3), A=pattern).feasible


def test_each_long_run_is_one_violation(make_instance, staff_line) -> None:
    inst = _consecutive(make_instance, staff_line, max_consecutive=2)
    result = run(inst, A="DDDDD.DDD.DD.D")
    assert [v.days for v in result.violations] == [(0, 1, 2, 3, 4), (6, 7, 8)]


# -- 6. minimum consecutive shifts --------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "days"),
    [
        ("...D..........", (3,)),
        (".DD.D.DD......", (4,)),
        ("DD.D.........D", (3,)),  # only the inner run counts
    ],
)
def test_short_inner_working_run_violates_rule_6(
    make_instance, staff_line, pattern: str, days: tuple[int, ...]
) -> None:
    result = run(_consecutive(make_instance, staff_line, min_consecutive=2), A=pattern)
    assert rules(result) == [ev.MIN_CONSECUTIVE_SHIFTS]
    assert result.violations[0].days == days


@pytest.mark.parametrize(
    "pattern",
    [
        "D.............",  # one-day run on day 0: touches the border, exempt
        ".............D",  # one-day run on day H-1: exempt
        "D............D",
        "...DD.....DD..",
        "..............",
        "DDDDDDDDDDDDDD",
    ],
)
def test_min_consecutive_shifts_satisfied(make_instance, staff_line, pattern: str) -> None:
    assert run(_consecutive(make_instance, staff_line, min_consecutive=2), A=pattern).feasible


def test_min_consecutive_shifts_three(make_instance, staff_line) -> None:
    inst = _consecutive(make_instance, staff_line, min_consecutive=3)
    assert rules(run(inst, A="..DD..........")) == [ev.MIN_CONSECUTIVE_SHIFTS]
    assert run(inst, A="..DDD.........").feasible
    assert run(inst, A="DD..........DD").feasible


# -- 7. minimum consecutive days off ------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "days"),
    [
        ("DDD.DDD.......", (3,)),
        ("..DD.DD..DD...", (4,)),
    ],
)
def test_short_inner_rest_violates_rule_7(
    make_instance, staff_line, pattern: str, days: tuple[int, ...]
) -> None:
    result = run(_consecutive(make_instance, staff_line, min_days_off=2), A=pattern)
    assert rules(result) == [ev.MIN_CONSECUTIVE_DAYS_OFF]
    assert result.violations[0].days == days


@pytest.mark.parametrize(
    "pattern",
    [
        ".DDD..DDD..DDD",  # one-day rest on day 0: touches the border, exempt
        "DDD..DDD..DDD.",  # one-day rest on day H-1: exempt
        ".DDDDD..DDDDD.",
        "DD..DD...DD..D",
    ],
)
def test_min_consecutive_days_off_satisfied(make_instance, staff_line, pattern: str) -> None:
    assert run(_consecutive(make_instance, staff_line, min_days_off=2), A=pattern).feasible


def test_min_consecutive_days_off_three(make_instance, staff_line) -> None:
    inst = _consecutive(make_instance, staff_line, min_days_off=3)
    result = run(inst, A="DD..DD...DD.DD")
    assert rules(result) == [ev.MIN_CONSECUTIVE_DAYS_OFF] * 2
    assert [v.days for v in result.violations] == [(2, 3), (11,)]


def test_limits_of_one_mean_no_restriction(make_instance, staff_line) -> None:
    inst = _consecutive(make_instance, staff_line, min_consecutive=1, min_days_off=1)
    assert run(inst, A="D.D.D.D.D.D.D.").feasible


# -- 8. maximum weekends ------------------------------------------------------------------------


def _weekends(make_instance, staff_line, limit: int) -> Instance:
    return make_instance(horizon=21, staff=[staff_line("A", max_weekends=limit)])


@pytest.mark.parametrize(
    ("pattern", "limit", "days"),
    [
        # Saturday of weekend 0 and Sunday of weekend 1: two weekends.
        (".....D." + "......D" + ".......", 1, (5, 13)),
        (".....DD" + ".....DD" + ".....DD", 2, (5, 6, 12, 13, 19, 20)),
        ("......D" + "......." + ".......", 0, (6,)),  # MaxWeekends 0 (Instances 23, 24)
    ],
)
def test_too_many_weekends_violates_rule_8(
    make_instance, staff_line, pattern: str, limit: int, days: tuple[int, ...]
) -> None:
    result = run(_weekends(make_instance, staff_line, limit), A=pattern)
    assert rules(result) == [ev.MAX_WEEKENDS]
    assert result.violations[0].days == days


@pytest.mark.parametrize(
    ("pattern", "limit"),
    [
        (".....DD" + "......." + ".......", 1),  # Saturday AND Sunday is one weekend
        ("DDDDD.." + "DDDDD.." + "......D", 1),  # weekdays never count
        (".....D." + "......D" + ".......", 2),
        ("DDDDD.." + "......." + ".......", 0),
    ],
)
def test_max_weekends_satisfied(make_instance, staff_line, pattern: str, limit: int) -> None:
    assert run(_weekends(make_instance, staff_line, limit), A=pattern).feasible


# -- 9. fixed days off --------------------------------------------------------------------------


def test_work_on_a_fixed_day_off_violates_rule_9(make_instance) -> None:
    inst = make_instance(days_off=["A,0,4"])
    result = run(inst, A="D...D..")
    assert rules(result) == [ev.FIXED_DAY_OFF, ev.FIXED_DAY_OFF]
    assert [v.days for v in result.violations] == [(0,), (4,)]
    assert "day 4: works D on a fixed day off" in str(result.violations[1])


def test_fixed_days_off_satisfied(make_instance) -> None:
    assert run(make_instance(days_off=["A,0,4"]), A=".DDD.DD").feasible


# -- several employees and rules at once --------------------------------------------------------


def test_violations_are_per_employee_in_staff_order(make_instance, staff_line) -> None:
    inst = make_instance(
        staff=[staff_line("B", max_consecutive=2), staff_line("A", min_consecutive=2)],
        days_off=["B,6"],
    )
    result = run(inst, A="..D....", B="DDD...D")
    assert [(v.employee, v.rule) for v in result.violations] == [
        ("B", ev.MAX_CONSECUTIVE_SHIFTS),
        ("B", ev.FIXED_DAY_OFF),
        ("A", ev.MIN_CONSECUTIVE_SHIFTS),
    ]
    assert result.score is None
    assert not result.feasible


# -- penalties ----------------------------------------------------------------------------------


def _penalty_instance(make_instance, staff_line) -> Instance:
    return make_instance(
        shifts=["D,480,", "L,600,"],
        staff=[staff_line("A", "D=9|L=9"), staff_line("B", "D=9|L=9"), staff_line("C", "D=9|L=9")],
        on=["A,0,D,2", "B,1,D,3", "C,2,L,1"],
        off=["A,1,D,2", "B,3,L,3", "C,3,D,1"],
        # Under/over weights deliberately not 100/1; day 4 and 5 have no cover rows.
        cover=["0,D,2,7,2", "0,L,0,5,3", "1,D,1,7,2", "2,L,2,11,4", "3,D,0,7,2", "3,L,1,5,3"],
    )


def test_penalties_by_hand(make_instance, staff_line) -> None:
    inst = _penalty_instance(make_instance, staff_line)
    # day        0123456
    result = run(
        inst,
        A="DD..DD.",  # on (A,0,D) met; off (A,1,D) violated: 2
        B="LL.L...",  # on (B,1,D) unmet by another shift: 3; off (B,3,L) violated: 3
        C="L..DDD.",  # on (C,2,L) unmet by a day off: 1; off (C,3,D) violated: 1
    )
    assert result.feasible
    # Cover: day 0 D has 1 of 2 -> under 1*7; day 0 L has 2 of 0 -> over 2*3;
    # day 1 D has 1 of 1 -> 0 (B's L does not count for D); day 2 L has 0 of 2 -> under 2*11;
    # day 3 D has 1 of 0 -> over 1*2; day 3 L has 1 of 1 -> 0; days 4-5 have no rows.
    assert result.cover_under == 7 + 22
    assert result.cover_over == 6 + 2
    assert result.on_requests == 3 + 1
    assert result.off_requests == 2 + 3 + 1
    assert result.penalty == result.score == 29 + 8 + 4 + 6
    assert result.unmet_on_requests == (ShiftRequest("B", 1, "D", 3), ShiftRequest("C", 2, "L", 1))
    assert [(r.employee, r.day) for r in result.granted_off_requests] == [
        ("A", 1),
        ("B", 3),
        ("C", 3),
    ]
    assert [(d.day, d.shift, d.assigned, d.penalty) for d in result.cover_deviations] == [
        (0, "D", 1, 7),
        (0, "L", 2, 6),
        (2, "L", 0, 22),
        (3, "D", 1, 2),
    ]
    assert result.breakdown() == (
        "47 = cover 37 (under 29, over 8) + on-requests 4 + off-requests 6"
    )


def test_zero_penalty_when_everything_is_met(make_instance, staff_line) -> None:
    inst = _penalty_instance(make_instance, staff_line)
    result = run(inst, A="D.L....", B="DD.....", C="..LL...")
    assert (result.penalty, result.score, result.cover_deviations) == (0, 0, ())
    # One step away: A off on day 2 leaves day 2's L one short.
    assert run(inst, A="D......", B="DD.....", C="..LL...").penalty == 11


def test_penalty_is_kept_for_an_infeasible_roster(make_instance, staff_line) -> None:
    inst = make_instance(
        staff=[staff_line("A", max_consecutive=1)], cover=["0,D,1,100,1", "1,D,0,100,1"]
    )
    result = run(inst, A="DD.....")
    assert not result.feasible
    assert result.score is None
    assert result.penalty == 1  # over-cover on day 1, computed for debugging


# -- rosters that do not fit the instance --------------------------------------------------------


@pytest.mark.parametrize(
    ("roster", "message"),
    [
        ({}, "no row for employee(s) A"),
        ({"A": row("......."), "Z": row(".......")}, "not in tiny: Z"),
        ({"A": row("......")}, "row has 6 days, the horizon is 7"),
        ({"A": "DDDDDDD"}, "row has a string"),
        ({"A": row("..X....")}, "day 2: unknown shift type 'X'"),
        ({"A": [["D", "D"], "", "", "", "", "", ""]}, "listed twice"),
    ],
)
def test_roster_that_does_not_fit_raises(make_instance, roster, message: str) -> None:
    with pytest.raises(RosterFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        evaluate(make_instance(), roster)
