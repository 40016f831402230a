"""Roster periods: whole ISO weeks of one library, created with their shifts."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.errors import InputError
from scheduler.models import Library, PeriodStatus, Person, RosterPeriod
from scheduler.reasons import Reason, _
from scheduler.rostering.permissions import require_leader

MAX_WEEKS = 26


class PeriodError(InputError):
    """A period that cannot be created: ``field`` names the input, ``reason`` says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}", {field: reason})
        self.field_name = field
        self.reason: str | Reason = reason


def period_end(period: RosterPeriod) -> date:
    """The first day after the period (exclusive end)."""
    return period.start_date + timedelta(days=7 * period.weeks)


def check_period(session: Session, library: Library, start: date, weeks: object) -> int:
    """Validate a new period's dates; returns the weeks as an int or raises PeriodError."""
    if isinstance(weeks, bool) or not isinstance(weeks, int):
        raise PeriodError("weeks", _("must be a whole number of weeks"))
    if not 1 <= weeks <= MAX_WEEKS:
        raise PeriodError("weeks", _("must be between 1 and %(most)s whole weeks", most=MAX_WEEKS))
    if start.weekday() != 0:
        raise PeriodError("start", _("must be a Monday (roster weeks run Monday to Sunday)"))
    end = start + timedelta(days=7 * weeks)
    published = session.scalars(
        select(RosterPeriod).where(
            RosterPeriod.library_id == library.id,
            RosterPeriod.status == PeriodStatus.PUBLISHED,
            RosterPeriod.start_date < end,
        )
    )
    for other in published:
        if period_end(other) > start:
            raise PeriodError(
                "start",
                _(
                    "overlaps the published roster from %(start)s to %(end)s",
                    start=other.start_date.isoformat(),
                    end=(period_end(other) - timedelta(days=1)).isoformat(),
                ),
            )
    return weeks


def create_period(
    session: Session, library: Library, start: date, weeks: int, actor: Person | None
) -> RosterPeriod:
    """A new draft period with its shifts generated from the library's demand rules.

    Either everything is created or nothing (a savepoint), so a demand error leaves no
    half-made period behind. Flushes; the caller commits.
    """
    require_leader(actor, library.id)
    weeks = check_period(session, library, start, weeks)
    from scheduler.rostering.demand import DemandError, create_period_shifts

    try:
        with session.begin_nested():
            period = RosterPeriod(
                library=library,
                start_date=start,
                weeks=weeks,
                created_by_id=actor.id if actor is not None else None,
            )
            session.add(period)
            session.flush()
            create_period_shifts(session, period)
            session.flush()
    except DemandError as exc:
        raise PeriodError("demand", str(exc)) from exc
    return period
