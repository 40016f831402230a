"""The library's numbers from the inquiry log: when questions come, through which channel,
what about, where people were referred, and how many were handed over to guidance.

Counts are made in Python from the rows of the chosen period, in the library's local
time (so an inquiry at 12:30 Oslo time is in the 12 o'clock column in summer and in
winter alike). A period of a year at a busy desk is some tens of thousands of rows.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scheduler.desk.roles import require_leader
from scheduler.desk.spreadsheet import cell
from scheduler.errors import NotFound
from scheduler.models import Inquiry, InquiryChannel, Library, Person
from scheduler.reasons import _, input_error
from scheduler.timeutil import day_bounds, iso_week, to_local

MAX_DAYS = 400


@dataclass(frozen=True)
class StatsFilter:
    """Which inquiries count: a library, local dates ``start``..``end`` (inclusive), and
    optionally one service point and one channel."""

    library_id: int
    start: date
    end: date
    service_point_id: int | None = None
    channel: InquiryChannel | None = None


@dataclass
class Statistics:
    total: int = 0
    # (weekday 0 = Monday, local hour) -> inquiries
    heat: Counter[tuple[int, int]] = field(default_factory=Counter)
    # (ISO year, ISO week) -> inquiries, every week of the period (zeros included)
    weeks: dict[tuple[int, int], int] = field(default_factory=dict)
    # (year, term) -> inquiries; terms of the academic year, see :func:`term_of`
    terms: Counter[tuple[int, int]] = field(default_factory=Counter)
    channels: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    referrals: Counter[str] = field(default_factory=Counter)
    handed_over: int = 0

    @property
    def handed_over_share(self) -> float:
        return self.handed_over / self.total if self.total else 0.0

    @property
    def hours(self) -> list[int]:
        """The hours with any inquiry, widened to a whole working day for the picture."""
        used = {h for _d, h in self.heat}
        if not used:
            return list(range(8, 20))
        return list(range(min(min(used), 8), max(max(used), 19) + 1))

    @property
    def heat_max(self) -> int:
        return max(self.heat.values(), default=0)


SPRING, SUMMER, AUTUMN = 1, 2, 3


def term_of(day: date) -> tuple[int, int]:
    """The academic term of a date, as (year, term): spring (January-June), summer
    (July), autumn (August-December); numbered so that they sort in time."""
    if day.month <= 6:
        return day.year, SPRING
    if day.month == 7:
        return day.year, SUMMER
    return day.year, AUTUMN


def _inquiries(session: Session, library: Library, filters: StatsFilter) -> list[Inquiry]:
    begin = day_bounds(filters.start, library.timezone)[0]
    end = day_bounds(filters.end, library.timezone)[1]
    query = (
        select(Inquiry)
        .where(
            Inquiry.library_id == library.id,
            Inquiry.asked_at >= begin,
            Inquiry.asked_at < end,
        )
        .options(selectinload(Inquiry.category), selectinload(Inquiry.referred_to))
        .order_by(Inquiry.asked_at)
    )
    if filters.service_point_id is not None:
        query = query.where(Inquiry.service_point_id == filters.service_point_id)
    if filters.channel is not None:
        query = query.where(Inquiry.channel == filters.channel)
    return list(session.scalars(query))


def _check(library: Library | None, filters: StatsFilter) -> Library:
    if library is None:
        raise NotFound(_("No such library."), {"library": _("does not exist")})
    if filters.end < filters.start:
        raise input_error({"to": _("must not be before the start date")})
    if (filters.end - filters.start).days > MAX_DAYS:
        raise input_error({"to": _("at most %(days)s days after the start date", days=MAX_DAYS)})
    return library


def library_statistics(session: Session, actor: Person, filters: StatsFilter) -> Statistics:
    """Everything the statistics page shows, for a leader of the library."""
    library = _check(session.get(Library, filters.library_id), filters)
    require_leader(actor, library.id)
    stats = Statistics()
    day = filters.start
    while day <= filters.end:
        stats.weeks.setdefault(iso_week(day), 0)
        day += timedelta(days=1)
    for inquiry in _inquiries(session, library, filters):
        local = to_local(inquiry.asked_at, library.timezone)
        stats.total += 1
        stats.heat[(local.weekday(), local.hour)] += 1
        stats.weeks[iso_week(local.date())] = stats.weeks.get(iso_week(local.date()), 0) + 1
        stats.terms[term_of(local.date())] += 1
        stats.channels[inquiry.channel.value] += 1
        stats.categories[inquiry.category.name if inquiry.category else ""] += 1
        if inquiry.referred_to is not None:
            stats.referrals[inquiry.referred_to.name] += 1
        if inquiry.handed_over or inquiry.appointment_id is not None:
            stats.handed_over += 1
    return stats


CSV_HEADER = [
    "date",
    "time",
    "weekday",
    "service_point",
    "channel",
    "category",
    "duration",
    "read_scale",
    "referred_to",
    "handed_over",
]


def statistics_csv(session: Session, actor: Person, filters: StatsFilter) -> str:
    """One line per inquiry (local date and time, no free text), for a spreadsheet."""
    library = _check(session.get(Library, filters.library_id), filters)
    require_leader(actor, library.id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for inquiry in _inquiries(session, library, filters):
        local: datetime = to_local(inquiry.asked_at, library.timezone)
        writer.writerow(
            [
                local.date().isoformat(),
                local.strftime("%H:%M"),
                local.isoweekday(),
                cell(inquiry.service_point.name if inquiry.service_point else ""),
                inquiry.channel.value,
                cell(inquiry.category.name if inquiry.category else ""),
                inquiry.duration.value,
                inquiry.read_scale or "",
                cell(inquiry.referred_to.name if inquiry.referred_to else ""),
                "yes" if inquiry.handed_over or inquiry.appointment_id else "no",
            ]
        )
    return out.getvalue()
