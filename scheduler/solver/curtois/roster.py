"""Reading and writing Curtois-Qu rosters: the Curtois roster JSON and the site's grid.

A roster maps each employee id to one entry per day: a shift id, or ``""`` for a day off.

**Curtois roster JSON** is the file ``scheduler roster solve --format curtois`` writes and
``python -m scheduler.solver.curtois.evaluate`` reads. One object::

    {"status": "FEASIBLE", "objective": 1143, "bound": 1141, "wall_time_s": 60.1,
     "time_to_first_s": 0.03,
     "roster": {"A": ["", "D", "D", ...], "B": [...], ...}}

* ``status``: ``"OPTIMAL"`` (the bound meets the objective), ``"FEASIBLE"``,
  ``"INFEASIBLE"`` (no roster exists) or ``"UNKNOWN"`` (none found in time); null allowed.
* ``objective``: the roster's penalty (the benchmark objective); ``bound``: a lower bound
  on every roster's penalty proven by the solver itself, or null; ``wall_time_s`` and
  ``time_to_first_s``: seconds. Any of them may be null or absent; other keys are ignored.
* ``roster``: employee id -> list of exactly ``horizon`` entries, in ``SECTION_STAFF`` order
  when written. An entry is a shift id, ``""`` or null for a day off, or (only to describe
  an invalid model output, which the evaluator then reports under rule 1) a list of shift
  ids worked that day. ``roster`` is null or absent when no roster was found.

The grid is the benchmark site's exchange format: one line per employee in ``SECTION_STAFF``
order, one tab-separated cell per day, a cell holding the shift id or nothing.

These functions only check the shape of a file; whether the shift ids exist and the rows
have the right length is checked by :func:`scheduler.solver.curtois.evaluate.evaluate`,
which reports it precisely against the instance.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scheduler.solver.curtois.instance import Instance

# One day's entry: a shift id, "" or None for a day off, or (only in JSON, to describe an
# invalid model output) a list of shift ids worked that day.
DayEntry = str | Sequence[str] | None
Roster = Mapping[str, Sequence[DayEntry]]


class RosterFormatError(ValueError):
    """A roster file or object that cannot be read as a roster of the given instance."""


@dataclass(frozen=True)
class RosterFile:
    """A roster together with what the solver reported about it (all optional but roster)."""

    roster: Roster | None
    status: str | None = None
    objective: float | None = None
    bound: float | None = None
    wall_time_s: float | None = None


# -- JSON ---------------------------------------------------------------------------------


def roster_to_json(
    roster: Roster,
    *,
    status: str | None,
    objective: float | None,
    bound: float | None,
    wall_time_s: float | None,
    instance: Instance | None = None,
) -> str:
    """Render the Curtois roster JSON; one employee per line so large rosters stay diffable.

    With ``instance`` the rows follow ``SECTION_STAFF`` order, otherwise the roster's order.
    """
    order = list(instance.employee_ids) if instance is not None else list(roster)
    missing = [e for e in order if e not in roster]
    if missing:
        raise RosterFormatError(f"roster has no row for employee(s) {', '.join(missing)}")
    head = {"status": status, "objective": objective, "bound": bound, "wall_time_s": wall_time_s}
    parts = [f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in head.items()]
    rows = [f"    {json.dumps(e)}: {json.dumps(list(roster[e]))}" for e in order]
    body = "{\n" + ",\n".join(rows) + "\n  }" if rows else "{}"
    return "{\n" + ",\n".join([*parts, f'  "roster": {body}']) + "\n}\n"


def write_roster_json(
    path: str | os.PathLike[str],
    roster: Roster,
    *,
    status: str | None,
    objective: float | None,
    bound: float | None,
    wall_time_s: float | None,
    instance: Instance | None = None,
) -> None:
    """Write :func:`roster_to_json` output to ``path``."""
    text = roster_to_json(
        roster,
        status=status,
        objective=objective,
        bound=bound,
        wall_time_s=wall_time_s,
        instance=instance,
    )
    Path(path).write_text(text, encoding="utf-8")


def parse_roster_json(text: str) -> RosterFile:
    """Parse the Curtois roster JSON; ``roster`` may be null or absent (none was found)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RosterFormatError(f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise RosterFormatError("the JSON document must be an object")
    status = data.get("status")
    if status is not None and not isinstance(status, str):
        raise RosterFormatError(f'"status" must be a string or null, got {status!r}')
    return RosterFile(
        roster=_roster_from_json(data.get("roster")),
        status=status,
        objective=_number(data, "objective"),
        bound=_number(data, "bound"),
        wall_time_s=_number(data, "wall_time_s"),
    )


def _number(data: dict[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RosterFormatError(f"{key!r} must be a finite number or null, got {value!r}")
    return value


def _roster_from_json(value: object) -> dict[str, list[DayEntry]] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RosterFormatError('"roster" must be an object mapping employee id to a day list')
    roster: dict[str, list[DayEntry]] = {}
    for employee, days in value.items():
        if not isinstance(days, list):
            raise RosterFormatError(f"roster row of employee {employee!r} must be a list")
        row: list[DayEntry] = []
        for day, entry in enumerate(days):
            if entry is None or isinstance(entry, str):
                row.append(entry)
            elif isinstance(entry, list) and all(isinstance(s, str) for s in entry):
                row.append(list(entry))
            else:
                raise RosterFormatError(
                    f"employee {employee!r}, day {day}: expected a shift id, "
                    f'"" or null, got {entry!r}'
                )
        roster[employee] = row
    return roster


# -- tab-separated grid --------------------------------------------------------------------


def roster_to_grid(instance: Instance, roster: Roster) -> str:
    """Render the site's grid: rows in ``SECTION_STAFF`` order, tab-separated, LF endings."""
    lines = []
    for employee in instance.employee_ids:
        if employee not in roster:
            raise RosterFormatError(f"roster has no row for employee {employee}")
        cells = []
        for day, entry in enumerate(roster[employee]):
            if entry is None:
                cells.append("")
            elif isinstance(entry, str):
                cells.append(entry)
            else:
                raise RosterFormatError(
                    f"employee {employee}, day {day}: the grid holds one shift per cell, "
                    f"got {list(entry)!r}"
                )
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def parse_roster_grid(instance: Instance, text: str) -> dict[str, list[DayEntry]]:
    """Parse the site's grid against ``instance`` (it has no employee column).

    Cells are stripped. A row shorter than the horizon is padded with days off, because
    editors drop trailing tabs; a row with extra non-empty cells, or the wrong number of
    rows, is an error. Blank lines count as rows (an employee with no shifts), except at the
    end of the file beyond the last employee; so a file whose last employee has no shifts
    must end with that empty row's line break.
    """
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()  # the last line's terminator, not an extra (empty) row
    while len(lines) > len(instance.staff) and not lines[-1].strip():
        lines.pop()
    if len(lines) != len(instance.staff):
        raise RosterFormatError(
            f"grid has {len(lines)} rows, instance {instance.name} has "
            f"{len(instance.staff)} employees (one row each, in SECTION_STAFF order)"
        )
    roster: dict[str, list[DayEntry]] = {}
    for number, (employee, line) in enumerate(zip(instance.employee_ids, lines, strict=True), 1):
        cells = [c.strip() for c in line.split("\t")] if line.strip() else []
        extra = [c for c in cells[instance.horizon :] if c]
        if extra:
            raise RosterFormatError(
                f"grid row {number} (employee {employee}) has {len(cells)} cells, "
                f"the horizon is {instance.horizon} days"
            )
        cells = cells[: instance.horizon]
        roster[employee] = [*cells, *[""] * (instance.horizon - len(cells))]
    return roster


# -- either form ---------------------------------------------------------------------------


def parse_roster(instance: Instance, text: str) -> RosterFile:
    """Parse a roster in either form: JSON when the text starts with ``{``, else the grid."""
    if text.lstrip("\ufeff \t\r\n").startswith("{"):
        return parse_roster_json(text)
    return RosterFile(roster=parse_roster_grid(instance, text))


def read_roster(instance: Instance, path: str | os.PathLike[str]) -> RosterFile:
    """Read a roster file in either form (see :func:`parse_roster`)."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RosterFormatError(f"{path}: not a text file ({exc.reason})") from None
    return parse_roster(instance, text)
