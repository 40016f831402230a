"""``scheduler roster solve``: exit 0 with a roster, 1 without one, 2 on bad input."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from engine_cases import example

from scheduler.cli import cli


def invoke(*args: str):
    return CliRunner().invoke(cli, ["roster", "solve", *args])


def test_solves_s_week_to_a_file(tmp_path) -> None:
    out = tmp_path / "sol.json"
    result = invoke(
        str(example("S-week.json")),
        "-o",
        str(out),
        "--time-limit",
        "2",
        "--workers",
        "2",
        "--seed",
        "1",
    )
    assert result.exit_code == 0, result.stderr
    sol = json.loads(out.read_text())
    assert sol["status"] in ("FEASIBLE", "OPTIMAL")
    assert sol["assignments"]
    assert result.stdout == ""


def test_writes_to_stdout() -> None:
    result = invoke(str(example("S-week.json")), "--time-limit", "1")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["objective"] is not None


def test_infeasible_exits_1() -> None:
    result = invoke(str(example("S-infeasible-saturday.json")), "--time-limit", "5")
    assert result.exit_code == 1
    sol = json.loads(result.stdout)
    assert sol["status"] == "INFEASIBLE"
    assert sol["explanation"]


def test_input_error_exits_2_naming_the_field() -> None:
    result = invoke(str(example("S-input-error-upstairs.json")))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: shifts[")
    assert "service_point: 'reading-room' is not on the ground floor" in lines[0]
    assert result.stdout == ""


def test_malformed_json_exits_2(tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    result = invoke(str(bad))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {bad}: malformed JSON")


def test_missing_file_exits_2(tmp_path) -> None:
    result = invoke(str(tmp_path / "none.json"))
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


@pytest.mark.parametrize("flag", [["--workers", "0"], ["--time-limit", "-1"], ["--format", "x"]])
def test_bad_options_exit_2(flag: list[str]) -> None:
    assert invoke(str(example("S-week.json")), *flag).exit_code == 2
