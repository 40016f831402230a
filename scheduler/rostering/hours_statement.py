"""A person's hours for one month at one library: planned (published) against worked.

- **planned**: the shifts as the section leader published them (each publish, a sick-day
  repair's included, is the plan), i.e. the confirmed published shifts now with every
  approved self-service change undone (a shift given away counts, one taken over does
  not);
- **worked**: the confirmed published shifts now (after swaps, claims and approved time
  off), less any time they overlap one of the person's absences (a sick day reported
  after publishing, say);
- **min / target / max**: the contract's weekly hours, prorated by the days of each ISO
  week that fall in the month (``weekly × days / 7``), so that the month's limits are
  the sum over its weeks.

A shift belongs to the month and the week of its local start day. All figures are in
minutes here; pages and the CSV show hours.
"""

from __future__ import annotations

import calendar
import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import access
from scheduler.errors import Forbidden
from scheduler.models import (
    Absence,
    Library,
    Person,
    PublishedShift,
    PublishedShiftStatus,
    RequestStatus,
    Role,
    ServicePoint,
    StaffRequest,
)
from scheduler.reasons import _
from scheduler.timeutil import day_bounds, to_local


@dataclass(frozen=True)
class WeekLine:
    """One ISO week's part of the month."""

    iso_year: int
    iso_week: int
    first: date
    last: date
    planned: int  # minutes
    worked: int
    min: float  # minutes, prorated
    target: float | None
    max: float | None

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class ShiftLine:
    """A shift now on the roster, with the minutes an absence took from it."""

    starts_at: datetime
    ends_at: datetime
    point: str
    minutes: int
    absent: int


@dataclass
class HoursStatement:
    person: Person
    library: Library
    year: int
    month: int
    weeks: list[WeekLine] = field(default_factory=list)
    shifts: list[ShiftLine] = field(default_factory=list)

    def total(self, name: str) -> float | None:
        values = [getattr(w, name) for w in self.weeks]
        if any(v is None for v in values):
            return None
        return sum(values)


def _overlap(a0: datetime, a1: datetime, b0: datetime, b1: datetime) -> int:
    return max(0, int((min(a1, b1) - max(a0, b0)).total_seconds() // 60))


def hours_statement(
    session: Session, actor: Person, person: Person, library: Library, year: int, month: int
) -> HoursStatement:
    """The statement of ``person`` at ``library`` for ``year``-``month``.

    Staff see their own; the section leader of the library sees anyone's.
    """
    if actor.id != person.id and not access.holds(actor, Role.SECTION_LEADER, library.id):
        raise Forbidden(_("Only the person and the section leader may see these hours."))
    tz = library.timezone
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    lo, hi = day_bounds(first, tz)[0], day_bounds(last, tz)[1]

    def week_of(instant: datetime) -> tuple[int, int]:
        iso = to_local(instant, tz).date().isocalendar()
        return (iso[0], iso[1])

    rows = list(
        session.scalars(
            select(PublishedShift)
            .join(ServicePoint, ServicePoint.id == PublishedShift.service_point_id)
            .where(
                PublishedShift.person_id == person.id,
                PublishedShift.status == PublishedShiftStatus.CONFIRMED,
                ServicePoint.library_id == library.id,
                PublishedShift.starts_at >= lo,
                PublishedShift.starts_at < hi,
            )
            .order_by(PublishedShift.starts_at)
        )
    )
    absences = list(
        session.scalars(
            select(Absence).where(
                Absence.person_id == person.id, Absence.starts_at < hi, Absence.ends_at > lo
            )
        )
    )
    now: dict[tuple[int, int], int] = defaultdict(int)
    worked: dict[tuple[int, int], int] = defaultdict(int)
    statement = HoursStatement(person, library, year, month)
    for r in rows:
        minutes = int((r.ends_at - r.starts_at).total_seconds() // 60)
        absent = min(
            minutes, sum(_overlap(r.starts_at, r.ends_at, a.starts_at, a.ends_at) for a in absences)
        )
        now[week_of(r.starts_at)] += minutes
        worked[week_of(r.starts_at)] += minutes - absent
        statement.shifts.append(
            ShiftLine(r.starts_at, r.ends_at, r.service_point.name, minutes, absent)
        )
    # Undo what approved self-service requests changed for this person.
    changed: dict[tuple[int, int], int] = defaultdict(int)
    for req in session.scalars(
        select(StaffRequest).where(
            StaffRequest.library_id == library.id,
            StaffRequest.status == RequestStatus.APPROVED,
            StaffRequest.applied.is_not(None),
        )
    ):
        for entry in req.applied or []:
            if entry.get("person") != person.id:
                continue
            start = datetime.fromisoformat(entry["starts_at"])
            if lo <= start < hi:
                changed[week_of(start)] += int(entry["minutes"])
    day = first
    while day <= last:
        iso = day.isocalendar()
        end = min(last, day + timedelta(days=6 - day.weekday()))
        key = (iso[0], iso[1])
        share = ((end - day).days + 1) / 7

        def prorate(weekly: float | None, share: float = share) -> float | None:
            return None if weekly is None else weekly * 60 * share

        statement.weeks.append(
            WeekLine(
                iso_year=key[0],
                iso_week=key[1],
                first=day,
                last=end,
                planned=now[key] - changed[key],
                worked=worked[key],
                min=prorate(person.min_hours_per_week) or 0.0,
                target=prorate(person.target_hours_per_week),
                max=prorate(person.max_hours_per_week),
            )
        )
        day = end + timedelta(days=1)
    return statement


CSV_HEADER = (
    "person",
    "email",
    "library",
    "iso_week",
    "from",
    "to",
    "days",
    "planned_hours",
    "worked_hours",
    "min_hours",
    "target_hours",
    "max_hours",
)


def hours(minutes: float | None) -> str:
    return "" if minutes is None else f"{minutes / 60:.2f}"


def csv_rows(statement: HoursStatement) -> list[list[str]]:
    """The statement as CSV rows (one per week and a total), hours with two decimals."""
    p, lib = statement.person, statement.library
    out = []
    for w in statement.weeks:
        out.append(
            [
                p.name, p.email, lib.name, f"{w.iso_year}-W{w.iso_week:02d}",
                w.first.isoformat(), w.last.isoformat(), str(w.days),
                hours(w.planned), hours(w.worked), hours(w.min), hours(w.target), hours(w.max),
            ]
        )  # fmt: skip
    first, last = statement.weeks[0].first, statement.weeks[-1].last
    out.append(
        [
            p.name, p.email, lib.name, "total", first.isoformat(), last.isoformat(),
            str((last - first).days + 1),
            hours(statement.total("planned")), hours(statement.total("worked")),
            hours(statement.total("min")), hours(statement.total("target")),
            hours(statement.total("max")),
        ]
    )  # fmt: skip
    return out


def statement_csv(*statements: HoursStatement) -> str:
    """Statements as CSV text for payroll (RFC 4180 line endings), one header.

    Names that start like a spreadsheet formula are kept as text (a leading apostrophe).
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for statement in statements:
        for values in csv_rows(statement):
            writer.writerow(["'" + v if v[:1] in ("=", "+", "-", "@") else v for v in values])
    return out.getvalue()


def library_statements(
    session: Session, actor: Person, library: Library, year: int, month: int
) -> list[HoursStatement]:
    """Every first-line pool member's statement at ``library``: the payroll export."""
    from scheduler.rostering.problem import pool

    access.require(actor, Role.SECTION_LEADER, library.id)
    return [
        hours_statement(session, actor, person, library, year, month)
        for person in sorted(pool(session, library.id), key=lambda p: p.name)
    ]
