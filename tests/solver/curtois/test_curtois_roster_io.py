"""Roster files: the Curtois roster JSON and the site's tab-separated grid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scheduler.solver.curtois.evaluate import evaluate
from scheduler.solver.curtois.instance import Instance
from scheduler.solver.curtois.roster import (
    DayEntry,
    RosterFile,
    RosterFormatError,
    parse_roster,
    parse_roster_grid,
    parse_roster_json,
    read_roster,
    roster_to_grid,
    roster_to_json,
    write_roster_json,
)


@pytest.fixture
def tiny(make_instance, staff_line) -> Instance:
    return make_instance(
        shifts=["D,480,", "L,600,"],
        staff=[staff_line("B", "D=9|L=9"), staff_line("A", "D=9|L=9"), staff_line("C", "D=9|L=9")],
    )


ROSTER = {
    "A": ["D", "D", "", "", "L", "", ""],
    "B": ["", "", "", "", "", "", ""],
    "C": ["L", "", "D", "D", "", "", "D"],
}


def test_json_has_the_issue_8_shape_and_staff_order(tiny: Instance) -> None:
    text = roster_to_json(
        ROSTER, status="OPTIMAL", objective=607, bound=600.5, wall_time_s=1.25, instance=tiny
    )
    data = json.loads(text)
    assert list(data) == ["status", "objective", "bound", "wall_time_s", "roster"]
    assert data["status"] == "OPTIMAL"
    assert (data["objective"], data["bound"], data["wall_time_s"]) == (607, 600.5, 1.25)
    assert list(data["roster"]) == ["B", "A", "C"]  # SECTION_STAFF order, not the dict's
    assert data["roster"] == ROSTER
    # One employee per line keeps large rosters readable and diffable.
    assert '    "A": ["D", "D", "", "", "L", "", ""],' in text.splitlines()


def test_json_round_trip(tiny: Instance, tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    write_roster_json(path, ROSTER, status="FEASIBLE", objective=12.0, bound=None, wall_time_s=60.0)
    file = read_roster(tiny, path)
    assert file == RosterFile(
        roster=ROSTER, status="FEASIBLE", objective=12.0, bound=None, wall_time_s=60.0
    )


def test_json_without_roster_or_with_null_roster() -> None:
    assert parse_roster_json('{"status": "UNKNOWN", "roster": null}').roster is None
    assert parse_roster_json("{}") == RosterFile(roster=None)


def test_json_cells_may_be_null_or_lists() -> None:
    file = parse_roster_json('{"roster": {"A": [null, "D", ["D", "L"], []]}}')
    assert file.roster == {"A": [None, "D", ["D", "L"], []]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ("[]", "must be an object"),
        ('{"roster": []}', '"roster" must be an object'),
        ('{"roster": {"A": "DD"}}', "row of employee 'A' must be a list"),
        ('{"roster": {"A": ["D", 3]}}', "employee 'A', day 1: expected a shift id"),
        ('{"roster": {"A": [["D", 3]]}}', "employee 'A', day 0"),
        ('{"objective": "607", "roster": {}}', "'objective' must be a finite number"),
        ('{"bound": true, "roster": {}}', "'bound' must be a finite number"),
        ('{"wall_time_s": NaN, "roster": {}}', "'wall_time_s' must be a finite number"),
        ('{"status": 1, "roster": {}}', '"status" must be a string'),
    ],
)
def test_bad_json_raises(text: str, message: str) -> None:
    with pytest.raises(RosterFormatError) as info:
        parse_roster_json(text)
    assert message in str(info.value)


def test_json_writer_needs_every_employee(tiny: Instance) -> None:
    with pytest.raises(RosterFormatError, match="no row for employee"):
        roster_to_json(
            {"A": ROSTER["A"]},
            status=None,
            objective=None,
            bound=None,
            wall_time_s=None,
            instance=tiny,
        )


def test_grid_round_trip(tiny: Instance) -> None:
    text = roster_to_grid(tiny, ROSTER)
    assert text.splitlines() == [
        "\t" * 6,
        "D\tD\t\t\tL\t\t",
        "L\t\tD\tD\t\t\tD",
    ]
    assert parse_roster_grid(tiny, text) == ROSTER
    assert parse_roster_grid(tiny, text.replace("\n", "\r\n")) == ROSTER


def test_grid_tolerates_dropped_trailing_tabs_and_blank_final_lines(tiny: Instance) -> None:
    text = "\nD\tD\t\t\tL\nL\t\tD\tD\t\t\tD\n\n\n"
    assert parse_roster_grid(tiny, text) == ROSTER


def test_grid_cells_are_stripped(tiny: Instance) -> None:
    text = " \n D \tD\t\t\tL\nL\t\tD\tD\t\t\tD \n"
    assert parse_roster_grid(tiny, text) == ROSTER


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("D\n", "grid has 1 rows, instance tiny has 3 employees"),
        ("\n\nD\nD\n", "grid has 4 rows"),
        ("\nD\tD\t\t\tL\t\t\tD\nL\n", "grid row 2 (employee A) has 8 cells, the horizon is 7"),
    ],
)
def test_bad_grid_raises(tiny: Instance, text: str, message: str) -> None:
    with pytest.raises(RosterFormatError) as info:
        parse_roster_grid(tiny, text)
    assert message in str(info.value)


def test_grid_writer_rejects_two_shifts_in_a_cell(tiny: Instance) -> None:
    roster: dict[str, list[DayEntry]] = {e: list(days) for e, days in ROSTER.items()}
    roster["A"] = [["D", "L"], *ROSTER["A"][1:]]
    with pytest.raises(RosterFormatError, match="one shift per cell"):
        roster_to_grid(tiny, roster)


def test_parse_roster_tells_json_from_grid(tiny: Instance) -> None:
    as_json = roster_to_json(ROSTER, status=None, objective=None, bound=None, wall_time_s=None)
    assert parse_roster(tiny, "\n " + as_json).roster == ROSTER
    assert parse_roster(tiny, roster_to_grid(tiny, ROSTER)) == RosterFile(roster=ROSTER)


def test_read_roster_rejects_binary(tiny: Instance, tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(RosterFormatError, match="not a text file"):
        read_roster(tiny, path)


def test_grid_and_json_score_the_same(tiny: Instance) -> None:
    by_grid = evaluate(tiny, parse_roster_grid(tiny, roster_to_grid(tiny, ROSTER)))
    as_json = roster_to_json(ROSTER, status=None, objective=None, bound=None, wall_time_s=None)
    roster = parse_roster_json(as_json).roster
    assert roster is not None
    assert evaluate(tiny, roster) == by_grid


def test_grid_round_trip_when_the_last_employee_has_no_shifts(tiny: Instance) -> None:
    roster = dict(ROSTER, C=[""] * 7)
    text = roster_to_grid(tiny, roster)
    assert text.endswith("L\t\t\n" + "\t" * 6 + "\n")
    assert parse_roster_grid(tiny, text) == roster
    # The same with the tabs stripped: the empty last row still needs its line break.
    stripped = "\n".join(line.rstrip("\t") for line in text.split("\n"))
    assert stripped.endswith("L\n\n")
    assert parse_roster_grid(tiny, stripped) == roster
    with pytest.raises(RosterFormatError, match="grid has 2 rows"):
        parse_roster_grid(tiny, stripped[:-1])
