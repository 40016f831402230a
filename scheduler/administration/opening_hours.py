"""A library's regular weekly opening hours, set for the whole week at once.

Rows with a validity period (term-time or summer hours, added on the roster set-up page)
are left alone; this sets the hours that always apply: one interval per weekday, or
closed that day. A day whose hours are sent back unchanged keeps its rows, so a day
split in two (a lunch closure, set on the roster set-up page) survives saving the week.
Booking, drop-ins and rosters read the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time

from sqlalchemy.orm import Session

from scheduler.administration.common import audit, require_admin
from scheduler.errors import InputError
from scheduler.models import Library, OpeningHours, Person
from scheduler.reasons import _, input_error

# weekday (0 = Monday) -> (opens, closes); (None, None) means closed all day.
WeeklyHours = Mapping[int, tuple[time | None, time | None]]


def _always(row: OpeningHours) -> bool:
    return row.valid_from is None and row.valid_until is None


def weekly_hours(library: Library) -> dict[int, tuple[time | None, time | None]]:
    """The always-valid hours per weekday (the earliest interval when a day has several)."""
    out: dict[int, tuple[time | None, time | None]] = dict.fromkeys(range(7), (None, None))
    for row in library.opening_hours:
        if _always(row) and out[row.weekday][0] is None:
            out[row.weekday] = (row.opens, row.closes)
    return out


def other_intervals(library: Library) -> dict[int, list[OpeningHours]]:
    """Per weekday, the rows the weekly form does not show (later intervals, seasons)."""
    shown = weekly_hours(library)
    out: dict[int, list[OpeningHours]] = {d: [] for d in range(7)}
    for row in library.opening_hours:
        if not (_always(row) and shown[row.weekday] == (row.opens, row.closes)):
            out[row.weekday].append(row)
    return out


def set_weekly_hours(session: Session, actor: Person, library: Library, hours: WeeklyHours) -> None:
    """Replace the always-valid opening hours; every bad day is reported at once."""
    require_admin(actor)
    errors: dict[str, str] = {}
    for weekday in range(7):
        opens, closes = hours.get(weekday, (None, None))
        if (opens is None) != (closes is None):
            missing = "opens" if opens is None else "closes"
            errors[f"{missing}_{weekday}"] = _(
                "give both the opening and the closing time, or neither (closed)"
            )
        elif opens is not None and closes is not None and closes <= opens:
            errors[f"closes_{weekday}"] = _("must be after the opening time")
    if errors:
        raise input_error(errors)
    if any(weekday not in range(7) for weekday in hours):
        raise InputError.field("weekday", _("must be Monday to Sunday"))
    shown = weekly_hours(library)
    changed = {d for d in range(7) if hours.get(d, (None, None)) != shown[d]}
    library.opening_hours = [
        row for row in library.opening_hours if not (_always(row) and row.weekday in changed)
    ]
    for weekday in sorted(changed):
        opens, closes = hours.get(weekday, (None, None))
        if opens is not None and closes is not None:
            library.opening_hours.append(OpeningHours(weekday=weekday, opens=opens, closes=closes))
    if changed:
        audit(
            session,
            actor,
            "library.hours_saved",
            f"library:{library.id}",
            {"days": sorted(changed)},
        )
    session.flush()
