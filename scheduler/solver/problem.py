"""Typed roster problems and solutions (ROSTER-FORMAT.md, version 1).

These plain, immutable values are the engine's only vocabulary: the JSON reader builds
them, the CP-SAT model reads them, the web app's ``rostering`` package builds them from
the database. Times are naive local wall-clock datetimes in ``Problem.timezone``; the
engine converts to real elapsed minutes itself, so DST weekends are handled in one place.
Defaults from ``rules`` are already applied by the reader: every ``Staff`` field holds the
value the rules use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

Status = Literal["OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN"]

DEFAULT_WEIGHTS: dict[str, int] = {
    "understaffing": 100,
    "target": 1,
    "preference": 1,
    "split_duty": 60,
    "duty_days": 30,
    "unsocial_spread": 30,
    "change": 100,
}
TERMS: tuple[str, ...] = tuple(DEFAULT_WEIGHTS)


@dataclass(frozen=True, slots=True)
class ServicePoint:
    id: str
    name: str
    ground_floor: bool
    first_line: bool


@dataclass(frozen=True, slots=True)
class Shift:
    id: str
    service_point: str
    start: datetime  # naive, local wall-clock time
    end: datetime
    min_staff: int
    max_staff: int
    skills: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Unavailable:
    start: datetime
    end: datetime
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Preference:
    """Positive weight: the person dislikes working then; negative: wants to."""

    start: datetime
    end: datetime
    weight: int


@dataclass(frozen=True, slots=True)
class Staff:
    id: str
    name: str
    first_line: bool
    skills: tuple[str, ...]
    min_hours_per_week: float
    max_hours_per_week: float | None
    max_hours_per_day: float
    target_hours_per_week: float | None = None
    unavailable: tuple[Unavailable, ...] = ()
    preferences: tuple[Preference, ...] = ()


@dataclass(frozen=True, slots=True)
class Rules:
    min_hours_per_week: float = 4
    max_hours_per_day: float = 8
    # None: no H8 limit (the checker skips H8 when the field is absent).
    max_consecutive_hours: float | None = None
    min_break_minutes: int = 15
    allow_understaffing: bool = False
    weights: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))


@dataclass(frozen=True, slots=True)
class Assignment:
    shift: str
    staff: str


@dataclass(frozen=True)
class Problem:
    timezone: str
    start: date  # a Monday
    weeks: int
    service_points: tuple[ServicePoint, ...]
    shifts: tuple[Shift, ...]
    staff: tuple[Staff, ...]
    rules: Rules = field(default_factory=Rules)
    pinned: tuple[Assignment, ...] = ()
    previous: tuple[Assignment, ...] = ()
    version: int = 1


@dataclass(frozen=True, slots=True)
class Uncovered:
    shift: str
    missing: int


@dataclass(frozen=True, slots=True)
class Progress:
    """Sent to ``on_progress`` on every improving solution (and when the bound moves)."""

    objective: int | None
    bound: int | None
    wall_time_s: float


@dataclass
class Solution:
    status: Status
    objective: int | None
    bound: int | None
    wall_time_s: float
    assignments: list[Assignment] = field(default_factory=list)
    uncovered: list[Uncovered] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    # Objective broken down by term name (unweighted counts x weight = contribution);
    # maps term -> weighted contribution. Empty without a solution.
    terms: dict[str, int] = field(default_factory=dict)
    first_solution_s: float | None = None
