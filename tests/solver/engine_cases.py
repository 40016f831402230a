"""Tiny roster problems for the engine tests, as roster-format dicts (docs/roster-format.md),
and a checker bridge: the engine's own checker always, ``../shared/tools/check_roster.py``
as a cross-check when it is next to the repository."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scheduler.solver import Solution, problem_from_dict, solution_to_dict, solve
from scheduler.solver.check import check

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
CHECK_ROSTER = SHARED / "tools" / "check_roster.py"  # optional cross-check
EXAMPLES = ROOT / "data" / "roster-examples"
MONDAY = "2027-01-04"


def day(n: int, hhmm: str) -> str:
    """Local time on day ``n`` of the period (0 = Monday 4 January 2027)."""
    return f"2027-01-{4 + n:02d}T{hhmm}"


def shift(
    sid: str, d: int, start: str, end: str, n: int = 1, most: int | None = None, **kw: Any
) -> dict[str, Any]:
    end_day = d + 1 if end <= start else d
    out = {
        "id": sid,
        "service_point": kw.pop("point", "desk"),
        "start": day(d, start),
        "end": day(end_day, end),
        "min_staff": n,
        "max_staff": n if most is None else most,
        "skills": kw.pop("skills", []),
    }
    out.update(kw)
    return out


def person(pid: str, **kw: Any) -> dict[str, Any]:
    out = {"id": pid, "first_line": True, "skills": [], "min_hours_per_week": 0}
    out.update(kw)
    return out


def problem(
    shifts: list[dict[str, Any]],
    staff: list[dict[str, Any]],
    weeks: int = 1,
    start: str = MONDAY,
    **rules: Any,
) -> dict[str, Any]:
    extra = {k: rules.pop(k) for k in ("pinned", "previous") if k in rules}
    return {
        "version": 1,
        "timezone": "Europe/Oslo",
        "period": {"start": start, "weeks": weeks},
        "service_points": [
            {"id": "desk", "name": "Desk", "ground_floor": True, "first_line": True},
        ],
        "shifts": shifts,
        "staff": staff,
        "rules": {"min_hours_per_week": 0, "min_break_minutes": 15, **rules},
        **extra,
    }


def run(data: dict[str, Any], time_limit: float = 5, **kw: Any) -> Solution:
    kw.setdefault("workers", 1)
    return solve(problem_from_dict(data), time_limit=time_limit, **kw)


def held(solution: Solution) -> set[tuple[str, str]]:
    return {(a.shift, a.staff) for a in solution.assignments}


def checker(data: dict[str, Any], solution: Solution, tmp_path: Path) -> str:
    """Check the pair with the engine's own checker (``scheduler.solver.check``) and, where
    ``../shared/tools/check_roster.py`` is next to the repository, cross-check with it too.
    Fails the test on any broken rule or an objective the checkers do not agree on."""
    report = check(problem_from_dict(data), solution.assignments)
    assert report.ok, [v.message for v in report.violations]
    assert report.objective == solution.objective, (report.objective, solution.objective)
    line = f"OK objective={report.objective}"
    if not CHECK_ROSTER.is_file():
        return line
    p, s = tmp_path / "problem.json", tmp_path / "solution.json"
    p.write_text(json.dumps(data))
    s.write_text(json.dumps(solution_to_dict(solution)))
    out = subprocess.run(
        [sys.executable, str(CHECK_ROSTER), str(p), str(s)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def example(name: str) -> Path:
    path = EXAMPLES / name
    if not path.is_file():
        pytest.skip(f"example not found at {path}")
    return path
