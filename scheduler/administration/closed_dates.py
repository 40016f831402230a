"""Closed dates (holidays): the one set that booking, drop-ins and rosters all read.

A closed date removes the library's booking slots that day, refuses drop-in sessions on
it and gives the roster no demand for it.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from scheduler.administration.common import audit, clean_text, require_admin
from scheduler.errors import InputError
from scheduler.models import ClosedDate, Library, Person
from scheduler.reasons import _

MAX_DAYS = 366


def add_closed_dates(
    session: Session,
    actor: Person,
    library: Library,
    first: date,
    last: date | None = None,
    reason: str | None = None,
) -> int:
    """Close the library from ``first`` to ``last`` (inclusive; one day without ``last``).

    Days already closed keep their reason; returns how many days were added."""
    require_admin(actor)
    last = last or first
    if last < first:
        raise InputError.field("until", _("must not be before the first closed date"))
    if (last - first).days >= MAX_DAYS:
        raise InputError.field(
            "until", _("a range may span at most %(count)s days", count=MAX_DAYS)
        )
    text = clean_text(reason, "reason", max_length=200) or None
    have = {c.date for c in library.closed_dates}
    added = 0
    day = first
    while day <= last:
        if day not in have:
            library.closed_dates.append(ClosedDate(date=day, reason=text))
            added += 1
        day += timedelta(days=1)
    audit(
        session,
        actor,
        "library.closed_dates_added",
        f"library:{library.id}",
        {"first": first.isoformat(), "last": last.isoformat(), "added": added},
    )
    session.flush()
    return added


def remove_closed_date(session: Session, actor: Person, library: Library, closed_id: int) -> None:
    require_admin(actor)
    row = next((c for c in library.closed_dates if c.id == closed_id), None)
    if row is None:
        raise InputError.field("id", _("no such closed date in this library"))
    library.closed_dates.remove(row)
    audit(
        session,
        actor,
        "library.closed_date_removed",
        f"library:{library.id}",
        {"date": row.date.isoformat()},
    )
    session.flush()
