"""Fixtures for the Curtois-Qu benchmark tests: the benchmark folder and tiny instances.

The tests directory has no ``__init__.py`` files (the engine author owns ``tests/solver``),
so shared helpers are handed out as fixtures rather than imported.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scheduler.solver.curtois.descent import construct
from scheduler.solver.curtois.instance import Instance
from scheduler.solver.curtois.model import Grid, Tables
from scheduler.solver.curtois.pricing import RowPricer
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


def _random_instance(seed: int, ids: str = "AB") -> Instance:
    """A small instance with random rules (feasible or not: both are checked)."""
    rng = random.Random(seed)
    weeks = rng.choice((1, 2, 3))
    horizon = 7 * weeks
    names = ["D", "E", "N"][: rng.randint(1, 3)]
    lengths = [rng.choice((480, 480, 600, 720)) for _ in names]
    shifts = []
    for name, length in zip(names, lengths, strict=True):
        banned = [u for u in names if u != name and rng.random() < 0.4]
        shifts.append(f"{name},{length},{'|'.join(banned)}")
    staff = []
    for eid in ids:
        caps = "|".join(f"{n}={rng.choice((0, 1, 2, 3, horizon))}" for n in names)
        low = rng.randint(0, horizon // 2) * 480
        high = low + rng.choice((480, 960, 1440, 4000))
        staff.append(
            f"{eid},{caps},{high},{low},{rng.randint(2, 6)},{rng.randint(1, 3)},"
            f"{rng.randint(1, 3)},{rng.randint(0, weeks)}"
        )
    days_off = [f"{eid},{rng.randrange(horizon)}" for eid in ids if rng.random() < 0.7]
    # At most one request per employee and day (as in the published files).
    cells = rng.sample([(e, d) for e in ids for d in range(horizon)], k=2 * len(ids))
    requests = [(e, d, rng.choice(names), rng.randint(1, 3)) for e, d in cells]
    on, off = requests[: len(ids)], requests[len(ids) :]
    text = "\n".join(
        [
            "SECTION_HORIZON",
            str(horizon),
            "",
            "SECTION_SHIFTS",
            *shifts,
            "",
            "SECTION_STAFF",
            *staff,
            "",
            "SECTION_DAYS_OFF",
            *days_off,
            "",
            "SECTION_SHIFT_ON_REQUESTS",
            *[f"{e},{d},{n},{w}" for e, d, n, w in on],
            "",
            "SECTION_SHIFT_OFF_REQUESTS",
            *[f"{e},{d},{n},{w}" for e, d, n, w in off],
            "",
            "SECTION_COVER",
            *[f"{d},{n},{rng.randint(0, 2)},100,1" for d in range(horizon) for n in names],
            "",
        ]
    )
    return read_instance(text, name=f"random{seed}")


@pytest.fixture
def random_instance() -> Callable[..., Instance]:
    """``random_instance(seed, ids="AB")``: a small instance with random rules."""
    return _random_instance


@dataclass
class FirstRoster:
    """A benchmark instance with its tables, row pricers, random source and the DP's
    first roster (what the descent and the search start from)."""

    instance: Instance
    tables: Tables
    pricers: list[RowPricer]
    rng: random.Random
    grid: Grid


@pytest.fixture
def first_roster(benchmark_dir: Path) -> Callable[[str, float], FirstRoster]:
    """``first_roster("Instance5.txt", seconds)``: the instance's DP first roster, seed 1."""

    def _make(name: str, seconds: float) -> FirstRoster:
        instance = read_instance(benchmark_dir / name)
        tables = Tables.of(instance)
        pricers = [RowPricer(tables, e) for e in range(tables.n_staff)]
        rng = random.Random(1)
        grid = construct(tables, pricers, time.monotonic() + seconds, rng)
        assert grid is not None, f"{name}: no first roster in {seconds} s"
        return FirstRoster(instance, tables, pricers, rng, grid)

    return _make
