"""Read and write roster problems and solutions in the ROSTER-FORMAT.md JSON form.

The reader validates as it goes and raises ``InputError`` naming the field path, so the
CLI and the web app can tell the user exactly what to fix. Defaults from the format are
applied here, once: every value in the returned ``Problem`` is the value the rules use.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scheduler.solver.errors import InputError
from scheduler.solver.problem import (
    DEFAULT_WEIGHTS,
    Assignment,
    Preference,
    Problem,
    Rules,
    ServicePoint,
    Shift,
    Solution,
    Staff,
    Unavailable,
)

DEFAULT_TIMEZONE = "Europe/Oslo"
_MISSING = object()


def load_problem(path: str | Path) -> Problem:
    """Read a problem file; unreadable files and bad JSON are input errors too."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(str(path), f"cannot read the file ({exc.strerror or exc})") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError(str(path), f"malformed JSON ({exc})") from exc
    return problem_from_dict(data)


# -- small typed getters that name the field on failure ---------------------------------


def _obj(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InputError(path, f"must be an object, not {_kind(value)}")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise InputError(path, f"must be a list, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string"}.get(
        type(value), "a list" if isinstance(value, list) else "an object"
    )


def _get(d: Mapping[str, Any], key: str, path: str, default: Any = _MISSING) -> Any:
    if key in d:
        return d[key]
    if default is _MISSING:
        raise InputError(f"{path}.{key}" if path else key, "is missing")
    return default


def _str(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise InputError(path, f"must be a non-empty string, not {_kind(value)}")
    return value


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(path, f"must be true or false, not {_kind(value)}")
    return value


def _int(value: Any, path: str, *, minimum: int | None = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise InputError(path, f"must be a whole number, not {_kind(value)}")
    if minimum is not None and value < minimum:
        raise InputError(path, f"must be at least {minimum}, not {value}")
    return value


def _hours(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(path, f"must be a number of hours, not {_kind(value)}")
    if value != value or value in (float("inf"), float("-inf")):
        raise InputError(path, "must be a finite number of hours")
    if value < 0:
        raise InputError(path, f"must not be negative, not {value:g}")
    return value


def _opt_hours(value: Any, path: str) -> float | None:
    return None if value is None else _hours(value, path)


def _datetime(value: Any, path: str) -> datetime:
    text = _str(value, path)
    try:
        dt = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(path, f"{text!r} is not a local time like 2027-01-04T08:00") from exc
    if dt.tzinfo is not None:
        raise InputError(path, f"{text!r} must be a local wall-clock time without an offset")
    if "T" not in text and " " not in text:
        raise InputError(path, f"{text!r} is not a local time like 2027-01-04T08:00")
    return dt


def _ids(items: list[Any], path: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        ident = item.get("id") if isinstance(item, Mapping) else None
        if ident in seen:
            raise InputError(f"{path}[{i}].id", f"duplicate id {ident!r}")
        if isinstance(ident, str):
            seen.add(ident)


def _skills(value: Any, path: str) -> tuple[str, ...]:
    items = _list(value, path)
    return tuple(_str(s, f"{path}[{i}]") for i, s in enumerate(items))


# -- the reader ----------------------------------------------------------------------------


def problem_from_dict(data: Any) -> Problem:
    """Validate ``data`` (parsed JSON) and build a ``Problem`` with defaults applied."""
    root = _obj(data, "problem")
    version = _int(_get(root, "version", "", 1), "version")
    if version != 1:
        raise InputError("version", f"only version 1 is understood, not {version}")
    tz_name = _str(_get(root, "timezone", "", DEFAULT_TIMEZONE), "timezone")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError("timezone", f"unknown time zone {tz_name!r}") from exc

    period = _obj(_get(root, "period", ""), "period")
    start_text = _str(_get(period, "start", "period"), "period.start")
    try:
        start = date.fromisoformat(start_text)
    except ValueError as exc:
        raise InputError("period.start", f"{start_text!r} is not a date like 2027-01-04") from exc
    if start.weekday() != 0:
        raise InputError("period.start", f"{start_text} is a {start:%A}, not a Monday")
    weeks = _int(_get(period, "weeks", "period"), "period.weeks", minimum=1)
    period_end = datetime.combine(start + timedelta(weeks=weeks), datetime.min.time())
    period_start = datetime.combine(start, datetime.min.time())

    def elapsed(dt: datetime) -> datetime:
        return dt.replace(tzinfo=tz).astimezone(UTC)

    def interval(item: Mapping[str, Any], path: str) -> tuple[datetime, datetime]:
        s = _datetime(_get(item, "start", path), f"{path}.start")
        e = _datetime(_get(item, "end", path), f"{path}.end")
        if e <= s or elapsed(e) <= elapsed(s):
            raise InputError(f"{path}.end", f"{e:%Y-%m-%dT%H:%M} is not after the start")
        return s, e

    raw_points = _list(_get(root, "service_points", ""), "service_points")
    _ids(raw_points, "service_points")
    points: list[ServicePoint] = []
    for i, raw in enumerate(raw_points):
        p = f"service_points[{i}]"
        d = _obj(raw, p)
        ident = _str(_get(d, "id", p), f"{p}.id")
        points.append(
            ServicePoint(
                id=ident,
                name=_str(_get(d, "name", p, ident), f"{p}.name"),
                ground_floor=_bool(_get(d, "ground_floor", p), f"{p}.ground_floor"),
                first_line=_bool(_get(d, "first_line", p), f"{p}.first_line"),
            )
        )
    point_by_id = {pt.id: pt for pt in points}

    raw_shifts = _list(_get(root, "shifts", ""), "shifts")
    _ids(raw_shifts, "shifts")
    shifts: list[Shift] = []
    for i, raw in enumerate(raw_shifts):
        p = f"shifts[{i}]"
        d = _obj(raw, p)
        ident = _str(_get(d, "id", p), f"{p}.id")
        sp = _str(_get(d, "service_point", p), f"{p}.service_point")
        point = point_by_id.get(sp)
        if point is None:
            raise InputError(f"{p}.service_point", f"no service point {sp!r}")
        if not point.ground_floor:
            raise InputError(f"{p}.service_point", f"{sp!r} is not on the ground floor")
        if not point.first_line:
            raise InputError(f"{p}.service_point", f"{sp!r} is not a first-line service point")
        s, e = interval(d, p)
        if s < period_start:
            raise InputError(f"{p}.start", f"{s:%Y-%m-%dT%H:%M} is before the period starts")
        if e > period_end:
            raise InputError(f"{p}.end", f"{e:%Y-%m-%dT%H:%M} is after the period ends")
        lo = _int(_get(d, "min_staff", p), f"{p}.min_staff")
        hi = _int(_get(d, "max_staff", p, lo), f"{p}.max_staff")
        if hi < lo:
            raise InputError(f"{p}.max_staff", f"{hi} is below min_staff {lo}")
        shifts.append(
            Shift(ident, sp, s, e, lo, hi, _skills(_get(d, "skills", p, []), f"{p}.skills"))
        )
    shift_ids = {sh.id for sh in shifts}

    rules = _rules(_obj(_get(root, "rules", "", {}), "rules"))

    raw_staff = _list(_get(root, "staff", ""), "staff")
    _ids(raw_staff, "staff")
    staff: list[Staff] = []
    for i, raw in enumerate(raw_staff):
        p = f"staff[{i}]"
        d = _obj(raw, p)
        ident = _str(_get(d, "id", p), f"{p}.id")
        lo_h = _hours(
            _get(d, "min_hours_per_week", p, rules.min_hours_per_week), f"{p}.min_hours_per_week"
        )
        hi_h = _opt_hours(_get(d, "max_hours_per_week", p, None), f"{p}.max_hours_per_week")
        if hi_h is not None and lo_h > hi_h:
            raise InputError(
                f"{p}.min_hours_per_week", f"{lo_h:g} is above max_hours_per_week {hi_h:g}"
            )
        unavailable = []
        for j, u in enumerate(_list(_get(d, "unavailable", p, []), f"{p}.unavailable")):
            q = f"{p}.unavailable[{j}]"
            us, ue = interval(_obj(u, q), q)
            reason = _get(u, "reason", q, "")
            if not isinstance(reason, str):
                raise InputError(f"{q}.reason", f"must be a string, not {_kind(reason)}")
            unavailable.append(Unavailable(us, ue, reason))
        preferences = []
        for j, pref in enumerate(_list(_get(d, "preferences", p, []), f"{p}.preferences")):
            q = f"{p}.preferences[{j}]"
            ps, pe = interval(_obj(pref, q), q)
            weight = _int(_get(pref, "weight", q), f"{q}.weight", minimum=None)
            preferences.append(Preference(ps, pe, weight))
        staff.append(
            Staff(
                id=ident,
                name=_str(_get(d, "name", p, ident), f"{p}.name"),
                first_line=_bool(_get(d, "first_line", p), f"{p}.first_line"),
                skills=_skills(_get(d, "skills", p), f"{p}.skills"),
                min_hours_per_week=lo_h,
                max_hours_per_week=hi_h,
                max_hours_per_day=_hours(
                    _get(d, "max_hours_per_day", p, rules.max_hours_per_day),
                    f"{p}.max_hours_per_day",
                ),
                target_hours_per_week=_opt_hours(
                    _get(d, "target_hours_per_week", p, None), f"{p}.target_hours_per_week"
                ),
                unavailable=tuple(unavailable),
                preferences=tuple(preferences),
            )
        )
    staff_by_id = {person.id: person for person in staff}

    def pairs(key: str, *, first_line_only: bool) -> tuple[Assignment, ...]:
        out = []
        for i, raw in enumerate(_list(_get(root, key, "", []), key)):
            p = f"{key}[{i}]"
            d = _obj(raw, p)
            sid = _str(_get(d, "shift", p), f"{p}.shift")
            pid = _str(_get(d, "staff", p), f"{p}.staff")
            if sid not in shift_ids:
                raise InputError(f"{p}.shift", f"no shift {sid!r}")
            if pid not in staff_by_id:
                raise InputError(f"{p}.staff", f"no staff member {pid!r}")
            if first_line_only and not staff_by_id[pid].first_line:
                raise InputError(f"{p}.staff", f"{pid!r} is not first-line staff")
            out.append(Assignment(sid, pid))
        return tuple(out)

    return Problem(
        timezone=tz_name,
        start=start,
        weeks=weeks,
        service_points=tuple(points),
        shifts=tuple(shifts),
        staff=tuple(staff),
        rules=rules,
        pinned=pairs("pinned", first_line_only=True),
        previous=pairs("previous", first_line_only=False),
        version=version,
    )


def _rules(d: Mapping[str, Any]) -> Rules:
    defaults = Rules()
    consec = _get(d, "max_consecutive_hours", "rules", None)
    weights = dict(DEFAULT_WEIGHTS)
    for name, value in _obj(_get(d, "weights", "rules", {}), "rules.weights").items():
        if name not in DEFAULT_WEIGHTS:
            known = ", ".join(DEFAULT_WEIGHTS)
            raise InputError(f"rules.weights.{name}", f"unknown term (known: {known})")
        weights[name] = _int(value, f"rules.weights.{name}", minimum=None)
    return Rules(
        min_hours_per_week=_hours(
            _get(d, "min_hours_per_week", "rules", defaults.min_hours_per_week),
            "rules.min_hours_per_week",
        ),
        max_hours_per_day=_hours(
            _get(d, "max_hours_per_day", "rules", defaults.max_hours_per_day),
            "rules.max_hours_per_day",
        ),
        max_consecutive_hours=_opt_hours(consec, "rules.max_consecutive_hours"),
        min_break_minutes=_int(
            _get(d, "min_break_minutes", "rules", defaults.min_break_minutes),
            "rules.min_break_minutes",
        ),
        allow_understaffing=_bool(
            _get(d, "allow_understaffing", "rules", defaults.allow_understaffing),
            "rules.allow_understaffing",
        ),
        weights=weights,
    )


# -- the writers ---------------------------------------------------------------------------


def _time(dt: datetime) -> str:
    return dt.isoformat(timespec="minutes" if not dt.second and not dt.microsecond else "auto")


def _num(value: float | None) -> float | int | None:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """The ROSTER-FORMAT.md form of ``problem``, every default written out."""
    r = problem.rules
    return {
        "version": problem.version,
        "timezone": problem.timezone,
        "period": {"start": problem.start.isoformat(), "weeks": problem.weeks},
        "service_points": [
            {"id": p.id, "name": p.name, "ground_floor": p.ground_floor, "first_line": p.first_line}
            for p in problem.service_points
        ],
        "shifts": [
            {
                "id": s.id,
                "service_point": s.service_point,
                "start": _time(s.start),
                "end": _time(s.end),
                "min_staff": s.min_staff,
                "max_staff": s.max_staff,
                "skills": list(s.skills),
            }
            for s in problem.shifts
        ],
        "staff": [
            {
                "id": p.id,
                "name": p.name,
                "first_line": p.first_line,
                "skills": list(p.skills),
                "min_hours_per_week": _num(p.min_hours_per_week),
                "max_hours_per_week": _num(p.max_hours_per_week),
                "max_hours_per_day": _num(p.max_hours_per_day),
                "target_hours_per_week": _num(p.target_hours_per_week),
                "unavailable": [
                    {"start": _time(u.start), "end": _time(u.end), "reason": u.reason}
                    for u in p.unavailable
                ],
                "preferences": [
                    {"start": _time(q.start), "end": _time(q.end), "weight": q.weight}
                    for q in p.preferences
                ],
            }
            for p in problem.staff
        ],
        "rules": {
            "min_hours_per_week": _num(r.min_hours_per_week),
            "max_hours_per_day": _num(r.max_hours_per_day),
            **(
                {"max_consecutive_hours": _num(r.max_consecutive_hours)}
                if r.max_consecutive_hours is not None
                else {}
            ),
            "min_break_minutes": r.min_break_minutes,
            "allow_understaffing": r.allow_understaffing,
            "weights": dict(r.weights),
        },
        "pinned": [{"shift": a.shift, "staff": a.staff} for a in problem.pinned],
        "previous": [{"shift": a.shift, "staff": a.staff} for a in problem.previous],
    }


def solution_to_dict(solution: Solution) -> dict[str, Any]:
    """The ROSTER-FORMAT.md form of ``solution`` (plus ``terms`` and ``first_solution_s``)."""
    return {
        "status": solution.status,
        "objective": solution.objective,
        "bound": solution.bound,
        "wall_time_s": round(solution.wall_time_s, 3),
        "assignments": [{"shift": a.shift, "staff": a.staff} for a in solution.assignments],
        "uncovered": [{"shift": u.shift, "missing": u.missing} for u in solution.uncovered],
        "explanation": list(solution.explanation),
        "terms": dict(solution.terms),
        "first_solution_s": (
            None if solution.first_solution_s is None else round(solution.first_solution_s, 3)
        ),
    }
