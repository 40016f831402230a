"""The roster as CSV, for spreadsheets and for people who plan on paper.

One row per person per shift, in time order, in the library's local time. Shifts that
nobody holds yet are listed too (with an empty name), so a printout shows the gaps.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy.orm import Session

from scheduler.models import RosterPeriod
from scheduler.rostering.review import load_shifts

COLUMNS = (
    "date",
    "weekday",
    "start",
    "end",
    "service_point",
    "person",
    "pinned",
    "source",
    "needed",
    "override_reason",
)

# Spreadsheets run cells that start like a formula; a leading apostrophe keeps them text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def roster_csv(session: Session, period: RosterPeriod) -> str:
    """The period's draft roster as CSV text (RFC 4180 line endings)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for s in load_shifts(session, period):
        base = [
            s.day.isoformat(),
            s.day.strftime("%a"),
            s.start.strftime("%H:%M"),
            s.end.strftime("%H:%M"),
            _cell(s.point_name),
        ]
        needed = str(s.min_staff) if s.min_staff == s.max_staff else f"{s.min_staff}-{s.max_staff}"
        if not s.people:
            writer.writerow([*base, "", "", "", needed, ""])
        for p in s.people:
            writer.writerow(
                [
                    *base,
                    _cell(p.name),
                    "yes" if p.pinned else "no",
                    "manual" if p.manual else "solver",
                    needed,
                    _cell(p.override_reason),
                ]
            )
    return out.getvalue()
