"""The reader: defaults, round trips, and one precise InputError per kind of bad input."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from engine_cases import example, person, problem, shift

from scheduler.solver import (
    InputError,
    load_problem,
    problem_from_dict,
    problem_to_dict,
    solution_to_dict,
)
from scheduler.solver.problem import Assignment, Solution, Uncovered


def base() -> dict[str, Any]:
    return problem(
        [shift("a", 0, "08:00", "10:00", 1, 2), shift("b", 1, "08:00", "10:00")],
        [person("kari", skills=["desk"]), person("ola")],
        pinned=[{"shift": "a", "staff": "kari"}],
        previous=[{"shift": "b", "staff": "ola"}],
    )


def test_input_error_names_path_and_reason() -> None:
    e = InputError("shifts[3].service_point", "'x' is not on the ground floor")
    assert str(e) == "shifts[3].service_point: 'x' is not on the ground floor"
    assert (e.path, e.reason) == ("shifts[3].service_point", "'x' is not on the ground floor")


def test_defaults_follow_the_format() -> None:
    data = base()
    del data["rules"]
    data["staff"][0] = {"id": "kari", "first_line": True, "skills": []}
    del data["shifts"][1]["max_staff"]
    del data["shifts"][1]["skills"]
    p = problem_from_dict(data)
    kari = p.staff[0]
    assert kari.min_hours_per_week == 4
    assert kari.max_hours_per_week is None
    assert kari.max_hours_per_day == 8
    assert kari.target_hours_per_week is None
    assert kari.name == "kari"
    assert p.shifts[1].max_staff == p.shifts[1].min_staff == 1
    assert p.shifts[1].skills == ()
    assert p.rules.max_consecutive_hours is None  # no H8 when absent, as the checker
    assert p.rules.min_break_minutes == 15
    assert p.rules.allow_understaffing is False
    assert p.rules.weights["change"] == 100


def test_staff_defaults_come_from_rules() -> None:
    data = base()
    data["rules"].update(min_hours_per_week=2, max_hours_per_day=5, weights={"target": 3})
    data["staff"][1] = {"id": "ola", "first_line": True, "skills": []}
    p = problem_from_dict(data)
    assert (p.staff[1].min_hours_per_week, p.staff[1].max_hours_per_day) == (2, 5)
    assert p.rules.weights["target"] == 3
    assert p.rules.weights["duty_days"] == 30


def test_round_trip() -> None:
    p = problem_from_dict(base())
    assert problem_from_dict(json.loads(json.dumps(problem_to_dict(p)))) == p


@pytest.mark.parametrize("name", ["S-week.json", "M-4weeks.json", "L-3libraries.json"])
def test_examples_round_trip(name: str) -> None:
    p = load_problem(example(name))
    assert problem_from_dict(problem_to_dict(p)) == p


def test_upstairs_example_is_an_input_error() -> None:
    with pytest.raises(InputError) as err:
        load_problem(example("S-input-error-upstairs.json"))
    assert "reading-room" in str(err.value)
    assert err.value.path.endswith(".service_point")
    assert "ground floor" in err.value.reason


def test_malformed_json(tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1,')
    with pytest.raises(InputError, match="malformed JSON"):
        load_problem(bad)


def test_missing_file(tmp_path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_problem(tmp_path / "nope.json")


def _set(path: str, value: Any):
    def edit(d: dict[str, Any]) -> None:
        *head, last = path.split(".")
        for key in head:
            d = d[int(key)] if key.isdigit() else d[key]
        if value is KeyError:
            del d[last]
        elif last.isdigit():
            d[int(last)] = value
        else:
            d[last] = value

    return edit


UPSTAIRS = {"id": "upstairs", "name": "Reading room", "ground_floor": False, "first_line": True}
BACKLINE = {"id": "back", "name": "Back office", "ground_floor": True, "first_line": False}

CASES = [
    ("not an object", lambda d: d.clear() or d.update(x=1), "period", "is missing"),
    ("period not Monday", _set("period.start", "2027-01-05"), "period.start", "not a Monday"),
    ("period bad date", _set("period.start", "2027-13-01"), "period.start", "not a date"),
    ("zero weeks", _set("period.weeks", 0), "period.weeks", "at least 1"),
    ("unknown timezone", _set("timezone", "Europe/Atlantis"), "timezone", "unknown time zone"),
    (
        "unknown point",
        _set("shifts.0.service_point", "attic"),
        "shifts[0].service_point",
        "no service point 'attic'",
    ),
    (
        "not ground floor",
        lambda d: (
            d["service_points"].append(UPSTAIRS),
            _set("shifts.1.service_point", "upstairs")(d),
        ),
        "shifts[1].service_point",
        "'upstairs' is not on the ground floor",
    ),
    (
        "not first line point",
        lambda d: (d["service_points"].append(BACKLINE), _set("shifts.1.service_point", "back")(d)),
        "shifts[1].service_point",
        "'back' is not a first-line service point",
    ),
    (
        "shift before period",
        _set("shifts.0.start", "2027-01-03T08:00"),
        "shifts[0].start",
        "before the period",
    ),
    (
        "shift after period",
        _set("shifts.1.end", "2027-01-11T09:00"),
        "shifts[1].end",
        "after the period",
    ),
    (
        "end before start",
        _set("shifts.0.end", "2027-01-04T07:00"),
        "shifts[0].end",
        "not after the start",
    ),
    (
        "end equals start",
        _set("shifts.0.end", "2027-01-04T08:00"),
        "shifts[0].end",
        "not after the start",
    ),
    ("bad time", _set("shifts.0.start", "monday 8"), "shifts[0].start", "not a local time"),
    (
        "time with offset",
        _set("shifts.0.start", "2027-01-04T08:00+01:00"),
        "shifts[0].start",
        "without an offset",
    ),
    (
        "min above max staff",
        _set("shifts.0.min_staff", 3),
        "shifts[0].max_staff",
        "below min_staff 3",
    ),
    ("negative staff", _set("shifts.0.min_staff", -1), "shifts[0].min_staff", "at least 0"),
    ("staff as text", _set("shifts.0.min_staff", "2"), "shifts[0].min_staff", "whole number"),
    ("duplicate shift", _set("shifts.1.id", "a"), "shifts[1].id", "duplicate id 'a'"),
    ("duplicate staff", _set("staff.1.id", "kari"), "staff[1].id", "duplicate id 'kari'"),
    (
        "duplicate point",
        lambda d: d["service_points"].append(dict(d["service_points"][0])),
        "service_points[1].id",
        "duplicate id 'desk'",
    ),
    (
        "negative hours",
        _set("staff.0.max_hours_per_day", -2),
        "staff[0].max_hours_per_day",
        "not be negative",
    ),
    (
        "negative rule hours",
        _set("rules.min_hours_per_week", -1),
        "rules.min_hours_per_week",
        "not be negative",
    ),
    (
        "min above max hours",
        lambda d: d["staff"][0].update(min_hours_per_week=10, max_hours_per_week=8),
        "staff[0].min_hours_per_week",
        "above max_hours_per_week 8",
    ),
    ("first_line text", _set("staff.0.first_line", "yes"), "staff[0].first_line", "true or false"),
    (
        "skills missing",
        _set("staff.0.skills", KeyError),
        "staff.0.skills".replace(".0", "[0]"),
        "is missing",
    ),
    ("skills not list", _set("staff.0.skills", "desk"), "staff[0].skills", "must be a list"),
    ("pin unknown shift", _set("pinned.0.shift", "zz"), "pinned[0].shift", "no shift 'zz'"),
    (
        "pin unknown staff",
        _set("pinned.0.staff", "nils"),
        "pinned[0].staff",
        "no staff member 'nils'",
    ),
    (
        "previous unknown staff",
        _set("previous.0.staff", "nils"),
        "previous[0].staff",
        "no staff member 'nils'",
    ),
    (
        "previous unknown shift",
        _set("previous.0.shift", "zz"),
        "previous[0].shift",
        "no shift 'zz'",
    ),
    (
        "pin second line",
        lambda d: _set("staff.0.first_line", False)(d),
        "pinned[0].staff",
        "'kari' is not first-line staff",
    ),
    (
        "unavailable backwards",
        lambda d: d["staff"][0].update(
            unavailable=[{"start": "2027-01-04T10:00", "end": "2027-01-04T09:00"}]
        ),
        "staff[0].unavailable[0].end",
        "not after the start",
    ),
    (
        "preference weight text",
        lambda d: d["staff"][0].update(
            preferences=[{"start": "2027-01-04T10:00", "end": "2027-01-04T11:00", "weight": "x"}]
        ),
        "staff[0].preferences[0].weight",
        "whole number",
    ),
    ("unknown weight", _set("rules.weights", {"fun": 1}), "rules.weights.fun", "unknown term"),
    ("version 2", _set("version", 2), "version", "only version 1"),
    ("shifts not list", _set("shifts", {}), "shifts", "must be a list"),
]


@pytest.mark.parametrize(("name", "edit", "path", "reason"), CASES, ids=[c[0] for c in CASES])
def test_input_errors(name: str, edit, path: str, reason: str) -> None:
    data = copy.deepcopy(base())
    edit(data)
    with pytest.raises(InputError) as err:
        problem_from_dict(data)
    assert err.value.path == path, str(err.value)
    assert reason in err.value.reason, str(err.value)


def test_top_level_must_be_an_object() -> None:
    with pytest.raises(InputError, match="must be an object"):
        problem_from_dict([1, 2])


def test_solution_to_dict() -> None:
    sol = Solution(
        "FEASIBLE",
        120,
        100,
        1.23456,
        [Assignment("a", "kari")],
        [Uncovered("b", 1)],
        [],
        {"duty_days": 120},
        0.5,
    )
    d = solution_to_dict(sol)
    assert d["status"] == "FEASIBLE"
    assert (d["objective"], d["bound"], d["wall_time_s"]) == (120, 100, 1.235)
    assert d["assignments"] == [{"shift": "a", "staff": "kari"}]
    assert d["uncovered"] == [{"shift": "b", "missing": 1}]
    assert d["terms"] == {"duty_days": 120}
