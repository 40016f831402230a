"""The Curtois-Qu reader: every section, line endings, the README's pitfalls, each error."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.solver.curtois.instance import (
    CoverRequirement,
    Employee,
    Instance,
    ShiftRequest,
    ShiftType,
)
from scheduler.solver.curtois.reader import CurtoisFormatError, parse_instance, read_instance

FULL = """\
# This is a comment. Comments start with #
SECTION_HORIZON
# All instances start on a Monday
14

SECTION_SHIFTS
# ShiftID, Length in mins, Shifts which cannot follow this shift | separated
E,480,
D,600,E
L,720,E|D

SECTION_STAFF
# ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, MaxConsecutiveShifts, ...
A,E=14|D=3|L=0,4320,3360,5,2,3,1
B,D=7|L=2|E=1,6000,0,6,1,1,0

SECTION_DAYS_OFF
# EmployeeID, DayIndexes (start at zero)
A,0,13
B,5

SECTION_SHIFT_ON_REQUESTS
# EmployeeID, Day, ShiftID, Weight
A,2,D,2
B,3,L,3

SECTION_SHIFT_OFF_REQUESTS
# EmployeeID, Day, ShiftID, Weight
B,12,D,1

SECTION_COVER
# Day, ShiftID, Requirement, Weight for under, Weight for over
0,D,5,100,1
13,L,-0,7,2
"""


def test_reads_every_section() -> None:
    inst = parse_instance(FULL, name="full")
    assert inst.name == "full"
    assert inst.horizon == 14
    assert inst.weeks == 2
    assert inst.shifts == (
        ShiftType("E", 480, ()),
        ShiftType("D", 600, ("E",)),
        ShiftType("L", 720, ("E", "D")),
    )
    assert inst.shift_ids == ("E", "D", "L")
    a, b = inst.staff
    assert a == Employee(
        id="A",
        max_shifts={"E": 14, "D": 3, "L": 0},
        max_total_minutes=4320,
        min_total_minutes=3360,
        max_consecutive_shifts=5,
        min_consecutive_shifts=2,
        min_consecutive_days_off=3,
        max_weekends=1,
        days_off=(0, 13),
    )
    assert b.max_weekends == 0
    assert b.days_off == (5,)
    # MaxShifts is kept in SECTION_SHIFTS order whatever the order on the line.
    assert list(b.max_shifts.items()) == [("E", 1), ("D", 7), ("L", 2)]
    assert inst.on_requests == (ShiftRequest("A", 2, "D", 2), ShiftRequest("B", 3, "L", 3))
    assert inst.off_requests == (ShiftRequest("B", 12, "D", 1),)
    assert inst.cover == (CoverRequirement(0, "D", 5, 100, 1), CoverRequirement(13, "L", 0, 7, 2))


def test_derived_lookups() -> None:
    inst = parse_instance(FULL)
    assert inst.employee_ids == ("A", "B")
    assert inst.employee_by_id["B"].max_total_minutes == 6000
    assert inst.shift_by_id["L"].minutes == 720
    assert inst.forbidden_sequences == {("D", "E"), ("L", "E"), ("L", "D")}
    assert inst.weekends == ((5, 6), (12, 13))
    assert [Instance.is_weekend(d) for d in range(7)] == [False] * 5 + [True, True]
    assert inst.on_requests_by_employee["A"] == (ShiftRequest("A", 2, "D", 2),)
    assert inst.off_requests_by_employee["A"] == ()
    assert inst.cover_by_key[13, "L"].under_weight == 7
    assert (1, "D") not in inst.cover_by_key
    assert inst.fixed_days_off_count == 3


def test_instance_is_immutable() -> None:
    inst = parse_instance(FULL)
    with pytest.raises(AttributeError):
        inst.horizon = 7  # type: ignore[misc]
    with pytest.raises(TypeError):
        inst.staff[0].max_shifts["E"] = 0  # type: ignore[index]
    hash(inst.staff[0])  # usable as a dict key despite the mapping field


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"], ids=["CRLF", "LF", "CR"])
def test_line_endings_give_the_same_instance(newline: str) -> None:
    text = FULL.replace("\n", newline)
    assert parse_instance(text, name="x") == parse_instance(FULL, name="x")


def test_spaces_comments_blank_lines_and_bom_are_ignored() -> None:
    noisy = "\ufeff" + FULL.replace("A,2,D,2", "  A , 2 , D , 2  \n\n# between data lines\n")
    noisy = noisy.replace("SECTION_COVER", "\n\n   # indented comment\nSECTION_COVER")
    assert parse_instance(noisy, name="x") == parse_instance(FULL, name="x")


def test_minus_zero_is_zero() -> None:
    assert parse_instance(FULL).cover_by_key[13, "L"].requirement == 0


def test_shift_line_may_omit_the_empty_third_field() -> None:
    inst = parse_instance(FULL.replace("E,480,\n", "E,480\n"))
    assert inst.shift_by_id["E"] == ShiftType("E", 480, ())


def test_days_off_lines_are_variable_length_and_merge() -> None:
    inst = parse_instance(FULL.replace("B,5\n", "B,5\nB,9,1,2,3,4\nB,5\n"))
    assert inst.employee_by_id["B"].days_off == (1, 2, 3, 4, 5, 9)


def test_sections_may_appear_in_any_order() -> None:
    blocks = FULL.split("\n\n")
    reordered = "\n\n".join([blocks[-1], *blocks[:-1]])
    assert reordered != FULL
    assert parse_instance(reordered, name="x") == parse_instance(FULL, name="x")


def test_empty_request_and_cover_sections_are_allowed(make_instance) -> None:
    inst = make_instance()
    assert (inst.on_requests, inst.off_requests, inst.cover) == ((), (), ())
    assert inst.staff[0].days_off == ()


def test_read_instance_accepts_path_str_path_text_and_bytes(tmp_path: Path) -> None:
    file = tmp_path / "Tiny7.txt"
    file.write_bytes(FULL.replace("\n", "\r\n").encode("ascii"))
    by_path = read_instance(file)
    assert by_path.name == "Tiny7"
    assert read_instance(str(file)) == by_path
    assert read_instance(FULL, name="Tiny7") == by_path
    assert read_instance(file.read_bytes(), name="Tiny7") == by_path
    assert read_instance(file, name="other").name == "other"


def test_missing_file_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_instance(tmp_path / "nope.txt")


def test_error_from_a_file_names_the_file_and_line(tmp_path: Path) -> None:
    file = tmp_path / "Broken.txt"
    file.write_text(FULL.replace("B,12,D,1", "B,12,X,1"), encoding="ascii")
    with pytest.raises(CurtoisFormatError) as info:
        read_instance(file)
    line = FULL.splitlines().index("B,12,D,1") + 1
    assert info.value.line == line
    assert str(info.value).startswith(f"Broken.txt:{line}: ")
    assert isinstance(info.value, ValueError)


def _line_of(text: str, marker: str) -> int:
    """1-based number of the first line equal to ``marker``, else the first starting with it."""
    lines = text.split("\n")
    if marker in lines:
        return lines.index(marker) + 1
    return next(i for i, line in enumerate(lines, 1) if line.startswith(marker))


# (description, old, new, line marker in the broken text or None for "end of file", reason)
ERRORS = [
    (
        "unknown shift in MaxShifts",
        "A,E=14|D=3|L=0",
        "A,E=14|D=3|X=0",
        "A,E=14",
        "unknown shift type 'X'",
    ),
    (
        "shift missing from MaxShifts",
        "A,E=14|D=3|L=0",
        "A,E=14|D=3",
        "A,E=14",
        "does not list shift type(s) L",
    ),
    (
        "shift twice in MaxShifts",
        "A,E=14|D=3|L=0",
        "A,E=14|D=3|L=0|D=1",
        "A,E=14",
        "'D' listed twice",
    ),
    (
        "MaxShifts item without =",
        "A,E=14|D=3|L=0",
        "A,E=14|D3|L=0",
        "A,E=14",
        "expected ShiftID=max",
    ),
    (
        "non-integer MaxShifts value",
        "A,E=14|D=3|L=0",
        "A,E=14|D=x|L=0",
        "A,E=14",
        "MaxShifts D of employee A: expected an integer",
    ),
    (
        "unknown shift in on-request",
        "A,2,D,2",
        "A,2,Q,2",
        "A,2,Q,2",
        "SECTION_SHIFT_ON_REQUESTS: unknown shift type 'Q'",
    ),
    (
        "unknown shift in off-request",
        "B,12,D,1",
        "B,12,Q,1",
        "B,12,Q,1",
        "SECTION_SHIFT_OFF_REQUESTS: unknown shift type 'Q'",
    ),
    (
        "unknown shift in cover",
        "0,D,5,100,1",
        "0,Q,5,100,1",
        "0,Q,5",
        "SECTION_COVER: unknown shift type 'Q'",
    ),
    (
        "unknown successor shift",
        "L,720,E|D",
        "L,720,E|Q",
        "L,720",
        "unknown shift type 'Q' in the shifts that cannot follow",
    ),
    ("empty successor item", "L,720,E|D", "L,720,E||D", "L,720", "expected an id"),
    (
        "unknown employee in days off",
        "B,5\n",
        "Z,5\n",
        "Z,5",
        "SECTION_DAYS_OFF: unknown employee 'Z'",
    ),
    ("days-off line without days", "B,5\n", "B\n", "B", "at least one day index"),
    ("unknown employee in request", "A,2,D,2", "Z,2,D,2", "Z,2,D,2", "unknown employee 'Z'"),
    (
        "day off outside the horizon",
        "A,0,13",
        "A,0,14",
        "A,0,14",
        "day 14 is outside the horizon (days 0..13)",
    ),
    (
        "request day outside the horizon",
        "A,2,D,2",
        "A,99,D,2",
        "A,99",
        "day 99 is outside the horizon",
    ),
    (
        "cover day outside the horizon",
        "0,D,5,100,1",
        "14,D,5,100,1",
        "14,D,5",
        "day 14 is outside the horizon",
    ),
    ("negative day", "B,12,D,1", "B,-1,D,1", "B,-1", "must be at least 0, got -1"),
    (
        "non-integer staff field",
        "4320,3360,5,2,3,1",
        "4320,33x0,5,2,3,1",
        "A,E=14",
        "MinTotalMinutes of employee A: expected an integer, got '33x0'",
    ),
    (
        "empty staff field",
        "4320,3360,5,2,3,1",
        "4320,,5,2,3,1",
        "A,E=14",
        "expected an integer, got an empty field",
    ),
    (
        "negative staff field",
        "6000,0,6,1,1,0",
        "6000,0,6,1,1,-2",
        "B,D=7",
        "MaxWeekends of employee B: must be at least 0",
    ),
    (
        "decimal weight",
        "B,12,D,1",
        "B,12,D,1.5",
        "B,12,D",
        "weight: expected an integer, got '1.5'",
    ),
    ("zero-length shift", "E,480,", "E,0,", "E,0,", "length of shift E: must be at least 1"),
    ("horizon not a multiple of 7", "\n14\n", "\n15\n", "15", "horizon 15 is not a multiple of 7"),
    ("horizon zero", "\n14\n", "\n0\n", "0", "horizon: must be at least 1"),
    (
        "horizon not an integer",
        "\n14\n",
        "\nfourteen\n",
        "fourteen",
        "horizon: expected an integer",
    ),
    ("two horizon lines", "\n14\n", "\n14\n21\n", "21", "must hold one line"),
    ("empty horizon section", "\n14\n", "\n", "SECTION_HORIZON", "SECTION_HORIZON has no value"),
    (
        "staff line with 7 fields",
        "B,D=7|L=2|E=1,6000,0,6,1,1,0",
        "B,D=7|L=2|E=1,6000,0,6,1,1",
        "B,D=7",
        "expected 8 comma-separated fields",
    ),
    ("request with 3 fields", "A,2,D,2", "A,2,D", "A,2,D", "expected 4 comma-separated fields"),
    (
        "cover with 6 fields",
        "0,D,5,100,1",
        "0,D,5,100,1,1",
        "0,D,5",
        "expected 5 comma-separated fields",
    ),
    ("shift with 4 fields", "E,480,", "E,480,,x", "E,480", "expected 3 comma-separated fields"),
    (
        "duplicate shift type",
        "L,720,E|D",
        "L,720,E|D\nD,480,",
        "D,480,",
        "shift type 'D' defined twice",
    ),
    (
        "duplicate employee",
        "B,D=7|L=2|E=1,6000,0,6,1,1,0",
        "A,D=7|L=2|E=1,6000,0,6,1,1,0",
        "A,D=7",
        "employee 'A' listed twice",
    ),
    (
        "duplicate on-request",
        "A,2,D,2",
        "A,2,D,2\nA,2,D,1",
        "A,2,D,1",
        "duplicate request (A, day 2, D)",
    ),
    (
        "duplicate cover row",
        "0,D,5,100,1",
        "0,D,5,100,1\n0,D,4,100,1",
        "0,D,4",
        "second row for day 0, shift D",
    ),
    (
        "id with a space",
        "B,D=7|L=2|E=1,6000,0,6,1,1,0",
        "B B,D=7|L=2|E=1,6000,0,6,1,1,0",
        "B B",
        "employee ID: expected an id",
    ),
    (
        "unknown section",
        "SECTION_COVER",
        "SECTION_COVERS",
        "SECTION_COVERS",
        "unknown section 'SECTION_COVERS'",
    ),
    (
        "data before first section",
        "# This is a comment. Comments start with #",
        "14",
        "14",
        "data line before the first SECTION_ header",
    ),
    (
        "missing section",
        "SECTION_SHIFT_OFF_REQUESTS",
        "#SECTION_SHIFT_OFF_REQUESTS",
        None,
        "missing section(s): SECTION_SHIFT_OFF_REQUESTS",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "marker", "reason"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_malformed_input_raises_with_line_and_reason(
    old: str, new: str, marker: str | None, reason: str
) -> None:
    assert FULL.count(old) >= 1
    broken = FULL.replace(old, new, 1)
    with pytest.raises(CurtoisFormatError) as info:
        parse_instance(broken, name="bad")
    assert reason in info.value.reason
    expected = len(broken.splitlines()) if marker is None else _line_of(broken, marker)
    assert info.value.line == expected, str(info.value)
    assert str(info.value) == f"bad:{expected}: {info.value.reason}"


def test_duplicate_section_is_an_error() -> None:
    broken = FULL.replace("SECTION_COVER", "SECTION_HORIZON\n7\n\nSECTION_COVER")
    with pytest.raises(CurtoisFormatError) as info:
        parse_instance(broken)
    second = [i for i, line in enumerate(broken.split("\n"), 1) if line == "SECTION_HORIZON"][1]
    assert info.value.line == second
    assert info.value.reason == "SECTION_HORIZON appears twice (first on line 2)"


def test_no_shift_types_is_an_error(instance_text) -> None:
    with pytest.raises(CurtoisFormatError, match="SECTION_SHIFTS lists no shift type"):
        parse_instance(instance_text(shifts=()))


def test_no_staff_is_an_error(instance_text) -> None:
    with pytest.raises(CurtoisFormatError, match="SECTION_STAFF lists no employee"):
        parse_instance(instance_text(staff=()))


def test_all_sections_missing() -> None:
    with pytest.raises(CurtoisFormatError) as info:
        parse_instance("# only a comment\n", name="empty")
    assert str(info.value).startswith("empty:1: missing section(s): SECTION_HORIZON, SECTION_")


def test_non_utf8_bytes_are_a_format_error() -> None:
    with pytest.raises(CurtoisFormatError, match="not a text file"):
        read_instance(b"SECTION_HORIZON\n\xff\n")
