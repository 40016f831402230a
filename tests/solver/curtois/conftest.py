"""Fixtures for the Curtois-Qu benchmark tests: the benchmark folder and tiny instances.

The tests directory has no ``__init__.py`` files (the engine author owns ``tests/solver``),
so shared helpers are handed out as fixtures rather than imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from scheduler.solver.curtois.instance import Instance
from scheduler.solver.curtois.reader import read_instance

# tests/solver/curtois/conftest.py -> parents[3] is the repository root.
REPO_ROOT = Path(__file__).resolve().parents[3]
BENCHMARK_DIR = REPO_ROOT / "data" / "curtois-qu"


@pytest.fixture(scope="session")
def benchmark_dir() -> Path:
    """The folder with Instance1..24.txt; skips the test when it is not there."""
    if not (BENCHMARK_DIR / "Instance1.txt").is_file():
        pytest.skip(
            f"Curtois-Qu benchmark files not found at {BENCHMARK_DIR} (they are in the repository)"
        )
    return BENCHMARK_DIR


def _staff_line(
    eid: str = "A",
    max_shifts: str = "D=99",
    *,
    max_minutes: int = 99_999,
    min_minutes: int = 0,
    max_consecutive: int = 99,
    min_consecutive: int = 1,
    min_days_off: int = 1,
    max_weekends: int = 99,
) -> str:
    return (
        f"{eid},{max_shifts},{max_minutes},{min_minutes},{max_consecutive},"
        f"{min_consecutive},{min_days_off},{max_weekends}"
    )


def _instance_text(
    *,
    horizon: int | str = 7,
    shifts: Iterable[str] = ("D,480,",),
    staff: Iterable[str] | None = None,
    days_off: Iterable[str] = (),
    on: Iterable[str] = (),
    off: Iterable[str] = (),
    cover: Iterable[str] = (),
) -> str:
    """Instance text in the published layout (headers, comment lines, blank separators)."""
    staff = [_staff_line()] if staff is None else list(staff)
    sections = [
        ("SECTION_HORIZON", "# The horizon length in days:", [str(horizon)]),
        ("SECTION_SHIFTS", "# ShiftID, Length in mins, Shifts which cannot follow", shifts),
        ("SECTION_STAFF", "# ID, MaxShifts, MaxTotalMinutes, ...", staff),
        ("SECTION_DAYS_OFF", "# EmployeeID, DayIndexes (start at zero)", days_off),
        ("SECTION_SHIFT_ON_REQUESTS", "# EmployeeID, Day, ShiftID, Weight", on),
        ("SECTION_SHIFT_OFF_REQUESTS", "# EmployeeID, Day, ShiftID, Weight", off),
        ("SECTION_COVER", "# Day, ShiftID, Requirement, Weight for under, Weight for over", cover),
    ]
    parts = ["# A tiny hand-made instance"]
    for header, comment, lines in sections:
        parts.extend([header, comment, *lines, ""])
    return "\n".join(parts)


@pytest.fixture
def staff_line() -> Callable[..., str]:
    """``staff_line(id, "D=2|E=3", max_minutes=..., ...)``: one SECTION_STAFF line."""
    return _staff_line


@pytest.fixture
def instance_text() -> Callable[..., str]:
    """``instance_text(horizon=7, shifts=[...], staff=[...], ...)``: LF instance text."""
    return _instance_text


@pytest.fixture
def make_instance() -> Callable[..., Instance]:
    """Like ``instance_text`` but parsed; a permissive employee A when staff is omitted."""

    def make(**kwargs: Any) -> Instance:
        return read_instance(_instance_text(**kwargs), name="tiny")

    return make
