"""Small builders for roster Problems in tests, plus a ROSTER-FORMAT writer for the checker.

Tests build Problems directly from the dataclasses so they do not depend on the JSON reader;
``to_dict`` writes the same Problem back in ROSTER-FORMAT.md form for
``../shared/tools/check_roster.py``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from scheduler.solver.io import problem_to_dict
from scheduler.solver.problem import (
    Assignment,
    Preference,
    Problem,
    Rules,
    ServicePoint,
    Shift,
    Staff,
    Unavailable,
)

MONDAY = date(2027, 1, 4)
ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
CHECK_ROSTER = SHARED / "tools" / "check_roster.py"  # optional cross-check
EXAMPLES = ROOT / "data" / "roster-examples"

DESK = ServicePoint("desk", "Information desk", ground_floor=True, first_line=True)
REMOTE = ServicePoint("remote", "Phone and chat", ground_floor=True, first_line=True)


def at(day: int, hour: int, minute: int = 0, month: int = 1, year: int = 2027) -> datetime:
    return datetime(year, month, day, hour, minute)


def shift(
    sid: str,
    day: int,
    start: int,
    end: int,
    *,
    point: str = "desk",
    need: int = 1,
    most: int | None = None,
    skills: tuple[str, ...] = (),
    month: int = 1,
) -> Shift:
    return Shift(
        sid, point, at(day, start, month=month), at(day, end, month=month), need,
        need if most is None else most, skills,
    )  # fmt: skip


def person(
    pid: str,
    name: str | None = None,
    *,
    first_line: bool = True,
    skills: tuple[str, ...] = (),
    min_h: float = 0,
    max_week: float | None = None,
    max_day: float = 8,
    target: float | None = None,
    unavailable: tuple[Unavailable, ...] = (),
    preferences: tuple[Preference, ...] = (),
) -> Staff:
    return Staff(
        pid, name or pid.capitalize(), first_line, skills, min_h, max_week, max_day, target,
        unavailable, preferences,
    )  # fmt: skip


def problem(
    shifts: list[Shift],
    staff: list[Staff],
    *,
    weeks: int = 1,
    rules: Rules | None = None,
    pinned: list[tuple[str, str]] = (),
    previous: list[tuple[str, str]] = (),
    points: tuple[ServicePoint, ...] = (DESK, REMOTE),
    start: date = MONDAY,
    timezone: str = "Europe/Oslo",
) -> Problem:
    return Problem(
        timezone, start, weeks, points, tuple(shifts), tuple(staff), rules or Rules(),
        tuple(Assignment(s, p) for s, p in pinned), tuple(Assignment(s, p) for s, p in previous),
    )  # fmt: skip


def assign(*pairs: tuple[str, str]) -> list[Assignment]:
    return [Assignment(s, p) for s, p in pairs]


def with_rules(p: Problem, **changes) -> Problem:
    return replace(p, rules=replace(p.rules, **changes))


# The engine's writer: tests write the same JSON that check_roster.py reads from the CLI.
to_dict = problem_to_dict


def from_dict(d: dict) -> Problem:
    """A minimal ROSTER-FORMAT reader for tests (no validation; the engine's io.py validates)."""
    r = d.get("rules", {})
    rules = Rules(
        min_hours_per_week=r.get("min_hours_per_week", 4),
        max_hours_per_day=r.get("max_hours_per_day", 8),
        max_consecutive_hours=r.get("max_consecutive_hours"),
        min_break_minutes=r.get("min_break_minutes", 15),
        allow_understaffing=r.get("allow_understaffing", False),
        weights={**Rules().weights, **r.get("weights", {})},
    )
    t = datetime.fromisoformat
    return Problem(
        d.get("timezone", "Europe/Oslo"),
        date.fromisoformat(d["period"]["start"]),
        d["period"]["weeks"],
        tuple(ServicePoint(s["id"], s["name"], s["ground_floor"], s["first_line"])
              for s in d["service_points"]),
        tuple(Shift(s["id"], s["service_point"], t(s["start"]), t(s["end"]), s["min_staff"],
                    s.get("max_staff", s["min_staff"]), tuple(s.get("skills", ())))
              for s in d["shifts"]),
        tuple(Staff(q["id"], q.get("name", q["id"]), q["first_line"], tuple(q["skills"]),
                    q.get("min_hours_per_week", rules.min_hours_per_week),
                    q.get("max_hours_per_week"),
                    q.get("max_hours_per_day", rules.max_hours_per_day),
                    q.get("target_hours_per_week"),
                    tuple(Unavailable(t(u["start"]), t(u["end"]), u.get("reason", ""))
                          for u in q.get("unavailable", ())),
                    tuple(Preference(t(u["start"]), t(u["end"]), u["weight"])
                          for u in q.get("preferences", ())))
              for q in d["staff"]),
        rules,
        tuple(Assignment(a["shift"], a["staff"]) for a in d.get("pinned", ())),
        tuple(Assignment(a["shift"], a["staff"]) for a in d.get("previous", ())),
    )  # fmt: skip
