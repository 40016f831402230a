"""``scheduler roster solve InstanceN.txt --format curtois``: the output re-scored."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from scheduler.cli import cli
from scheduler.solver.curtois.evaluate import evaluate
from scheduler.solver.curtois.evaluate import main as evaluate_main
from scheduler.solver.curtois.reader import read_instance
from scheduler.solver.curtois.roster import read_roster


def test_cli_writes_a_roster_the_evaluator_accepts(benchmark_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "instance1.json"
    instance_path = benchmark_dir / "Instance1.txt"
    args = [str(instance_path), "--format", "curtois", "-o", str(out), "--time-limit", "20"]
    result = CliRunner().invoke(cli, ["roster", "solve", *args])
    assert result.exit_code == 0, result.output
    instance = read_instance(instance_path)
    file = read_roster(instance, out)
    assert file.objective == 607
    assert file.status == "OPTIMAL"
    assert evaluate(instance, file.roster).score == 607
    # The evaluator's own command agrees with the reported objective and bound.
    assert evaluate_main([str(instance_path), str(out)]) == 0


def test_cli_bad_instance_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("SECTION_HORIZON\nseven\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["roster", "solve", str(bad), "--format", "curtois"])
    assert result.exit_code == 2
