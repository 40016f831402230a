"""The import rules of docs/architecture.md hold: import-linter checks the contracts in
pyproject.toml (chains of imports included), and this test makes sure those contracts
still name every module of the package, so a new module cannot slip past them."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import scheduler

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
# The entry points above the web layer: they put the application together.
ENTRY_POINTS = {"scheduler.cli", "scheduler.wsgi"}


def _contracts() -> dict[str, dict]:
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    return {c["id"]: c for c in config["contracts"]}


def _top_level_modules() -> set[str]:
    return {f"scheduler.{m.name}" for m in pkgutil.iter_modules(scheduler.__path__)}


def test_the_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    if not lint.exists():
        pytest.fail(
            f"import-linter is not installed next to {sys.executable} (pip install -e .[test])"
        )
    result = subprocess.run(
        [str(lint), "--config", str(PYPROJECT), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_solver_contract_forbids_every_other_module() -> None:
    forbidden = set(_contracts()["solver-stands-alone"]["forbidden_modules"])
    assert forbidden == _top_level_modules() - {"scheduler.solver"}


def test_every_module_below_the_web_layer_is_checked() -> None:
    below = set(_contracts()["web-on-top"]["source_modules"])
    assert below == _top_level_modules() - {"scheduler.web"} - ENTRY_POINTS


def test_flask_stays_out_of_use_cases_calendars_and_solver() -> None:
    contract = _contracts()["no-flask-below-web"]
    assert set(contract["source_modules"]) >= {
        "scheduler.booking",
        "scheduler.rostering",
        "scheduler.calendars",
        "scheduler.solver",
    }
    assert {"flask", "scheduler.web"} <= set(contract["forbidden_modules"])
