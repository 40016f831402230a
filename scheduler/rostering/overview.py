"""What a section leader needs on their start page: each library's current and coming
roster periods, how far each has got, and where the roster leaves places open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler import access
from scheduler.models import (
    Assignment,
    Library,
    PeriodStatus,
    Person,
    Role,
    RosterPeriod,
    RosterRun,
    Shift,
)

PERIODS_PER_LIBRARY = 3


@dataclass(frozen=True)
class PeriodSummary:
    period: RosterPeriod
    end: date  # exclusive
    shifts: int
    staffed: int  # shifts with at least their minimum headcount
    open_places: int  # people missing below the minimum, summed over shifts
    assigned: int  # assignments in the working roster
    last_run: RosterRun | None

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def state(self) -> str:
        """``published``; ``solving`` while a run is queued or running; ``roster`` when a
        draft roster is there to review; ``empty`` before any roster."""
        if self.period.status == PeriodStatus.PUBLISHED:
            return "published"
        job = self.last_run.job if self.last_run is not None else None
        if job is not None and not job.state.finished:
            return "solving"
        return "roster" if self.assigned else "empty"


@dataclass(frozen=True)
class LibraryOverview:
    library: Library
    periods: list[PeriodSummary]


def leader_overview(session: Session, person: Person, today: date) -> list[LibraryOverview]:
    """The libraries ``person`` leads (every active one for an administrator), each with
    the periods not yet over, earliest first."""
    led = access.library_ids(person, Role.SECTION_LEADER)
    query = select(Library).order_by(Library.name)
    if led is not None:
        if not led:
            return []
        query = query.where(Library.id.in_(led))
    overview = []
    for library in session.scalars(query):
        periods = session.scalars(
            select(RosterPeriod)
            .where(
                RosterPeriod.library_id == library.id,
                RosterPeriod.start_date > today - timedelta(days=7 * 26),
            )
            .order_by(RosterPeriod.start_date)
        ).all()
        current = [p for p in periods if p.start_date + timedelta(days=7 * p.weeks) > today]
        summaries = [_summary(session, p) for p in current[:PERIODS_PER_LIBRARY]]
        overview.append(LibraryOverview(library, summaries))
    return overview


def _summary(session: Session, period: RosterPeriod) -> PeriodSummary:
    staffed_count = (
        select(Shift.id, Shift.min_staff, func.count(Assignment.id).label("n"))
        .outerjoin(Assignment, Assignment.shift_id == Shift.id)
        .where(Shift.period_id == period.id)
        .group_by(Shift.id, Shift.min_staff)
        .subquery()
    )
    rows = session.execute(select(staffed_count.c.min_staff, staffed_count.c.n)).all()
    open_places = sum(max(0, minimum - n) for minimum, n in rows)
    staffed = sum(1 for minimum, n in rows if n >= minimum)
    last_run = session.scalar(
        select(RosterRun)
        .where(RosterRun.period_id == period.id)
        .order_by(RosterRun.id.desc())
        .limit(1)
    )
    return PeriodSummary(
        period=period,
        end=period.start_date + timedelta(days=7 * period.weeks),
        shifts=len(rows),
        staffed=staffed,
        open_places=open_places,
        assigned=sum(n for _minimum, n in rows),
        last_run=last_run,
    )
