"""``python -m scheduler.solver.curtois.evaluate INSTANCE ROSTER``: output and exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scheduler.solver.curtois.evaluate import main
from scheduler.solver.curtois.roster import roster_to_json

INSTANCE = """\
SECTION_HORIZON
7

SECTION_SHIFTS
D,480,

SECTION_STAFF
A,D=7,3360,960,5,2,2,1
B,D=7,3360,0,5,2,2,1

SECTION_DAYS_OFF
B,6

SECTION_SHIFT_ON_REQUESTS
A,0,D,2

SECTION_SHIFT_OFF_REQUESTS
B,1,D,3

SECTION_COVER
0,D,2,100,1
1,D,1,100,1
"""
GOOD = {"A": ["", "D", "D", "", "", "", ""], "B": ["D", "D", "", "", "", "", ""]}
# A misses on-request (2); B gets off-request (3); day 0 D: 1 of 2 (100); day 1: 2 of 1 (1).
GOOD_PENALTY = 106
BAD = {"A": ["D", "", "D", "", "", "", ""], "B": ["", "", "", "", "", "", "D"]}


@pytest.fixture
def files(tmp_path: Path):
    inst = tmp_path / "Tiny.txt"
    inst.write_text(INSTANCE, encoding="ascii")

    def roster(
        data: dict[str, list[str]] | None,
        name: str = "r.json",
        objective: float | None = None,
        bound: float | None = None,
    ) -> Path:
        path = tmp_path / name
        if data is None:
            path.write_text('{"status": "UNKNOWN", "roster": null}', encoding="utf-8")
        elif name.endswith(".json"):
            text = roster_to_json(
                data, status="FEASIBLE", objective=objective, bound=bound, wall_time_s=1.0
            )
            path.write_text(text, encoding="utf-8")
        else:
            path.write_text("\n".join("\t".join(r) for r in data.values()) + "\n")
        return path

    return inst, roster


def test_ok_json(files, capsys) -> None:
    inst, roster = files
    code = main([str(inst), str(roster(GOOD, objective=GOOD_PENALTY, bound=100))])
    out = capsys.readouterr().out
    assert code == 0
    assert out == (
        "Tiny: OK, penalty 106 = cover 101 (under 100, over 1) + on-requests 2 + off-requests 3\n"
    )


def test_ok_grid_with_details(files, capsys) -> None:
    inst, roster = files
    assert main([str(inst), str(roster(GOOD, "r.txt")), "--details"]) == 0
    out = capsys.readouterr().out
    assert "Tiny: OK, penalty 106" in out
    assert "cover deviations: 2\n  day 0 shift D: 1 assigned, 2 required (penalty 100)\n" in out
    assert "unmet on-requests: 1\n  employee A, day 0, shift D (weight 2)\n" in out
    assert "granted off-requests: 1\n  employee B, day 1, shift D (weight 3)\n" in out


def test_infeasible_roster_fails(files, capsys) -> None:
    inst, roster = files
    assert main([str(inst), str(roster(BAD))]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "Tiny: FAIL, 3 hard violation(s); the roster is infeasible",
        "  [min-consecutive-days-off] employee A: day 1: 1 consecutive day(s) off between "
        "working days, at least 2",
        "  [min-consecutive-shifts] employee A: day 2: 1 consecutive working day(s) between "
        "days off, at least 2",
        "  [fixed-day-off] employee B: day 6: works D on a fixed day off",
        "  (penalty terms, not a score: 200 = cover 200 (under 200, over 0) + on-requests 0 "
        "+ off-requests 0)",
    ]


def test_wrong_objective_claim_fails(files, capsys) -> None:
    inst, roster = files
    assert main([str(inst), str(roster(GOOD, objective=100.0))]) == 1
    out = capsys.readouterr().out
    assert "Tiny: FAIL, penalty 106" in out
    assert "the file reports objective 100, the roster scores 106" in out


def test_bound_above_the_score_fails(files, capsys) -> None:
    inst, roster = files
    assert main([str(inst), str(roster(GOOD, objective=106.0, bound=107))]) == 1
    assert "lower bound 107, above the roster's score 106" in capsys.readouterr().out


def test_no_roster_fails(files, capsys) -> None:
    inst, roster = files
    assert main([str(inst), str(roster(None))]) == 1
    assert "holds no roster (status UNKNOWN)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing instance", "No such file"),
        ("missing roster", "No such file"),
        ("malformed instance", "Tiny.txt:2: horizon 8 is not a multiple of 7"),
        ("malformed roster", "not valid JSON"),
        ("roster does not fit", "unknown shift type 'X'"),
    ],
)
def test_unreadable_input_exits_2(files, capsys, tmp_path: Path, case: str, message: str) -> None:
    inst, roster = files
    good = roster(GOOD)
    args = [str(inst), str(good)]
    if case == "missing instance":
        args[0] = str(tmp_path / "nope.txt")
    elif case == "missing roster":
        args[1] = str(tmp_path / "nope.json")
    elif case == "malformed instance":
        inst.write_text(INSTANCE.replace("\n7\n", "\n8\n", 1), encoding="ascii")
    elif case == "malformed roster":
        good.write_text("{", encoding="utf-8")
    else:
        args[1] = str(roster(dict(GOOD, A=["X", *GOOD["A"][1:]])))
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ")
    assert message in captured.err


def test_usage_error_exits_2(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_runs_as_a_module_without_warnings(files) -> None:
    """``python -m`` must work and not warn that the module was imported twice."""
    inst, roster = files
    done = subprocess.run(
        [
            sys.executable,
            "-W",
            "error",
            "-m",
            "scheduler.solver.curtois.evaluate",
            str(inst),
            str(roster(GOOD)),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("Tiny: OK, penalty 106 =")


def test_readme_example_through_the_cli(benchmark_dir: Path, tmp_path: Path, capsys) -> None:
    grid = tmp_path / "instance1.txt"
    rows = [
        ". D D D D . . D D D . . D D",
        "D D D D D . . D D . . . D D",
        "D D D . . D D . . D D D . .",
        "D D . . . D D D D D . . . .",
        ". D D . . . . D D . . D D D",
        "D D D D D . . D D . . D D .",
        ". . D D D . . D D . . D D D",
        "D D . . D D . . D D D D . .",
    ]
    grid.write_text("".join(r.replace(".", "").replace(" ", "\t") + "\n" for r in rows))
    assert main([str(benchmark_dir / "Instance1.txt"), str(grid)]) == 0
    assert capsys.readouterr().out == (
        "Instance1: OK, penalty 607 = cover 600 (under 600, over 0) "
        "+ on-requests 4 + off-requests 3\n"
    )
