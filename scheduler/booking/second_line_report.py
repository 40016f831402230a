"""The second line's numbers for a library's leaders: appointments by month, topic and
way of meeting (bookings, lead time, attendance, no-shows, cancellations) and drop-ins
by month (registrations against attendance, walk-ins, waitlist promotions).

Months are the library's local months of the appointment's or session's start.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scheduler import access
from scheduler.errors import NotFound
from scheduler.models import (
    Appointment,
    AppointmentStatus,
    Attendance,
    DropInSession,
    Library,
    Person,
    RegistrationStatus,
    Role,
    SessionStatus,
)
from scheduler.reasons import _, input_error
from scheduler.timeutil import day_bounds, to_local

MAX_DAYS = 400
# Spreadsheets run cells that start like a formula; a leading apostrophe keeps them text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


@dataclass
class AppointmentFigures:
    bookings: int = 0  # booked or cancelled (not pending)
    cancelled: int = 0
    attended: int = 0
    no_show: int = 0
    late_cancel: int = 0
    lead_hours: float = 0.0  # summed over bookings

    @property
    def unmarked(self) -> int:
        return self.bookings - self.cancelled - self.attended - self.no_show - self.late_cancel

    @property
    def mean_lead_days(self) -> float:
        return self.lead_hours / 24 / self.bookings if self.bookings else 0.0


@dataclass
class DropinFigures:
    sessions: int = 0
    registered: int = 0
    attended: int = 0
    walk_ins: int = 0
    promotions: int = 0


@dataclass
class SecondLineReport:
    by_month: dict[str, AppointmentFigures] = field(default_factory=dict)
    by_topic: dict[str, AppointmentFigures] = field(default_factory=dict)
    by_mode: dict[str, AppointmentFigures] = field(default_factory=dict)
    dropins_by_month: dict[str, DropinFigures] = field(default_factory=dict)


def _count(figures: AppointmentFigures, appointment: Appointment) -> None:
    figures.bookings += 1
    figures.lead_hours += (appointment.starts_at - appointment.created_at).total_seconds() / 3600
    if appointment.status == AppointmentStatus.CANCELLED:
        figures.cancelled += 1
    elif appointment.attendance == Attendance.ATTENDED:
        figures.attended += 1
    elif appointment.attendance == Attendance.NO_SHOW:
        figures.no_show += 1
    elif appointment.attendance == Attendance.LATE_CANCEL:
        figures.late_cancel += 1


def second_line_report(
    session: Session, actor: Person, library_id: int, start: date, end: date
) -> SecondLineReport:
    """The figures of ``start``..``end`` (local dates, inclusive) for a leader."""
    library = session.get(Library, library_id)
    if library is None:
        raise NotFound(_("No such library."), {"library": _("does not exist")})
    access.require(actor, Role.SECTION_LEADER, library.id)
    if end < start:
        raise input_error({"to": _("must not be before the start date")})
    if (end - start).days > MAX_DAYS:
        raise input_error({"to": _("at most %(days)s days after the start date", days=MAX_DAYS)})
    begin = day_bounds(start, library.timezone)[0]
    until = day_bounds(end, library.timezone)[1]
    report = SecondLineReport()
    by_month: dict[str, AppointmentFigures] = defaultdict(AppointmentFigures)
    by_topic: dict[str, AppointmentFigures] = defaultdict(AppointmentFigures)
    by_mode: dict[str, AppointmentFigures] = defaultdict(AppointmentFigures)
    appointments = session.scalars(
        select(Appointment)
        .where(
            Appointment.library_id == library.id,
            Appointment.starts_at >= begin,
            Appointment.starts_at < until,
            Appointment.status != AppointmentStatus.PENDING,
        )
        .options(selectinload(Appointment.topic))
    )
    for appointment in appointments:
        month = to_local(appointment.starts_at, library.timezone).strftime("%Y-%m")
        _count(by_month[month], appointment)
        _count(by_topic[appointment.topic.name if appointment.topic else ""], appointment)
        _count(by_mode[appointment.mode.value], appointment)
    report.by_month = dict(sorted(by_month.items()))
    report.by_topic = dict(sorted(by_topic.items()))
    report.by_mode = dict(sorted(by_mode.items()))

    dropins: dict[str, DropinFigures] = defaultdict(DropinFigures)
    sessions = session.scalars(
        select(DropInSession)
        .where(
            DropInSession.library_id == library.id,
            DropInSession.starts_at >= begin,
            DropInSession.starts_at < until,
            DropInSession.status == SessionStatus.ANNOUNCED,
        )
        .options(selectinload(DropInSession.registrations))
    )
    for dropin in sessions:
        figures = dropins[to_local(dropin.starts_at, library.timezone).strftime("%Y-%m")]
        figures.sessions += 1
        figures.walk_ins += dropin.walk_ins
        for reg in dropin.registrations:
            if reg.status == RegistrationStatus.REGISTERED:
                figures.registered += 1
                if reg.attended_at is not None:
                    figures.attended += 1
            if reg.promoted_at is not None:
                figures.promotions += 1
    report.dropins_by_month = dict(sorted(dropins.items()))
    return report


def report_csv(report: SecondLineReport) -> str:
    """Every table of the report in one sheet: a ``table`` column says which."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "table",
            "key",
            "bookings",
            "cancelled",
            "attended",
            "no_show",
            "late_cancel",
            "unmarked",
            "mean_lead_days",
        ]
    )
    for table, rows in (
        ("month", report.by_month),
        ("topic", report.by_topic),
        ("mode", report.by_mode),
    ):
        for key, f in rows.items():
            writer.writerow(
                [
                    table,
                    _cell(key),
                    f.bookings,
                    f.cancelled,
                    f.attended,
                    f.no_show,
                    f.late_cancel,
                    f.unmarked,
                    f"{f.mean_lead_days:.1f}",
                ]
            )
    writer.writerow([])
    writer.writerow(
        ["table", "month", "sessions", "registered", "attended", "walk_ins", "promotions"]
    )
    for month, d in report.dropins_by_month.items():
        writer.writerow(
            ["dropins", month, d.sessions, d.registered, d.attended, d.walk_ins, d.promotions]
        )
    return out.getvalue()
