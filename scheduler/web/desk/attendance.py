"""Attendance on the web: a librarian marks past appointments; drop-in hosts check people
in and count walk-ins; leaders read the second line's report (pages with charts and CSV).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from scheduler.booking import attendance as svc
from scheduler.booking.second_line_report import (
    MAX_DAYS,
    SecondLineReport,
    report_csv,
    second_line_report,
)
from scheduler.desk.roles import leader_library_ids
from scheduler.errors import DomainError
from scheduler.extensions import db
from scheduler.inputs import Fields, parse_date_range, parse_id, parse_whole
from scheduler.models import (
    Appointment,
    AppointmentStatus,
    Attendance,
    DropInSession,
    Registration,
    RegistrationStatus,
    Role,
    SessionStatus,
)
from scheduler.models.dropin import session_hosts
from scheduler.timeutil import to_local
from scheduler.web import current_site, nav
from scheduler.web.auth import role_required
from scheduler.web.desk.shared import actor, allowed_libraries, chosen_library
from scheduler.web.forms import ConfirmForm, saved
from scheduler.web.i18n import localize

bp = Blueprint("desk_attendance", __name__)

SECOND_LINE = (Role.LIBRARIAN, Role.SECTION_LEADER)
LOOK_BACK = timedelta(days=14)

nav.add("desk_attendance.attendance", _l("Attendance"), roles=SECOND_LINE, area="staff", order=35)
nav.add(
    "desk_attendance.report",
    _l("Second-line report"),
    roles=(Role.SECTION_LEADER,),
    area="staff",
    order=65,
)

ATTENDANCE_LABELS = {
    Attendance.ATTENDED: _l("Attended"),
    Attendance.NO_SHOW: _l("No-show"),
    Attendance.LATE_CANCEL: _l("Cancelled late"),
}


@bp.get("/staff/attendance")
@role_required(*SECOND_LINE)
def attendance() -> Any:
    """My appointments of the last two weeks, and the drop-ins I host."""
    now = current_site().now
    person = actor()
    appointments = db.session.scalars(
        select(Appointment)
        .where(
            Appointment.librarian_id == person.id,
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.starts_at >= now - LOOK_BACK,
            Appointment.starts_at <= now,
        )
        .order_by(Appointment.starts_at.desc())
    ).all()
    dropins = db.session.scalars(
        select(DropInSession)
        .join(session_hosts, session_hosts.c.session_id == DropInSession.id)
        .where(
            session_hosts.c.person_id == person.id,
            DropInSession.status == SessionStatus.ANNOUNCED,
            DropInSession.starts_at >= now - LOOK_BACK,
            DropInSession.starts_at <= now + timedelta(hours=12),
        )
        .order_by(DropInSession.starts_at.desc())
    ).all()
    return render_template(
        "desk/attendance.html",
        appointments=appointments,
        dropins=dropins,
        labels=ATTENDANCE_LABELS,
        confirm=ConfirmForm(),
    )


@bp.post("/staff/attendance/appointments/<id:appointment_id>")
@role_required(*SECOND_LINE)
def mark(appointment_id: int) -> Any:
    appointment = db.get_or_404(Appointment, appointment_id)
    if not svc.may_mark_appointment(actor(), appointment):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    raw = request.form.get("attendance") or ""
    back = url_for(".attendance") + f"#a{appointment.id}"
    try:
        value = Attendance(raw) if raw else None
    except ValueError:
        abort(400)
    try:
        svc.mark_appointment(db.session, actor(), appointment, value, current_site().now)
    except DomainError as exc:
        return saved(localize(exc.message), back, code=303, category="error")
    return saved(_("Marked."), back, code=303)


def _dropin(session_id: int) -> DropInSession:
    dropin = db.get_or_404(DropInSession, session_id)
    if not svc.may_host(actor(), dropin):
        abort(404)
    return dropin


@bp.route("/staff/attendance/dropins/<id:session_id>", methods=["GET", "POST"])
@role_required(*SECOND_LINE)
def check_in(session_id: int) -> Any:
    """The host's list: tick people off, count the walk-ins."""
    dropin = _dropin(session_id)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        back = url_for(".check_in", session_id=dropin.id)
        try:
            if request.form.get("action") == "walk_ins":
                fields = Fields(request.form)
                count = fields.read("walk_ins", parse_whole, low=0, high=svc.MAX_WALK_INS)
                fields.check()
                svc.count_walk_ins(db.session, actor(), dropin, count or 0)
            else:
                reg_id = parse_id(request.form.get("registration"), "registration")
                registration = db.session.get(Registration, reg_id)
                if registration is None or registration.session_id != dropin.id:
                    abort(404)
                present = request.form.get("attended") == "1"
                svc.check_in(db.session, actor(), registration, present, current_site().now)
        except DomainError as exc:
            reasons = "; ".join(f"{k}: {localize(v)}" for k, v in exc.fields.items())
            return saved(reasons or localize(exc.message), back, code=303, category="error")
        return saved(_("Saved."), back, code=303)
    registered = [r for r in dropin.registrations if r.status == RegistrationStatus.REGISTERED]
    return render_template(
        "desk/check_in.html",
        dropin=dropin,
        registered=sorted(registered, key=lambda r: (r.name or "").lower()),
        confirm=ConfirmForm(),
    )


# The report -----------------------------------------------------------------------------


def _period(library_tz: str) -> tuple[Any, Any]:
    today = to_local(current_site().now, library_tz).date()
    # By default this month and the two before it, from the first.
    start = (today.replace(day=1) - timedelta(days=40)).replace(day=1)
    return parse_date_range(
        request.args.get("from"),
        request.args.get("to"),
        default_start=start,
        default_days=(today - start).days,
        max_days=MAX_DAYS,
    )


@bp.get("/leader/reports/second-line")
@role_required(Role.SECTION_LEADER)
def report() -> Any:
    libraries = allowed_libraries(leader_library_ids(actor()))
    library = chosen_library(request.args.get("library"), libraries)
    error = None
    try:
        start, end = _period(library.timezone)
        found = second_line_report(db.session, actor(), library.id, start, end)
    except DomainError as exc:
        if exc.status == 403:
            abort(403)
        error = "; ".join(f"{k}: {localize(v)}" for k, v in exc.fields.items())
        start = end = to_local(current_site().now, library.timezone).date()
        found = SecondLineReport()
    return (
        render_template(
            "desk/second_line.html",
            library=library,
            libraries=libraries,
            start=start,
            end=end,
            report=found,
            error=error,
        ),
        422 if error else 200,
    )


@bp.get("/leader/reports/second-line.csv")
@role_required(Role.SECTION_LEADER)
def report_export() -> Any:
    libraries = allowed_libraries(leader_library_ids(actor()))
    library = chosen_library(request.args.get("library"), libraries)
    start, end = _period(library.timezone)
    found = second_line_report(db.session, actor(), library.id, start, end)
    name = f"second-line-{library.slug}-{start.isoformat()}-{end.isoformat()}.csv"
    return Response(
        report_csv(found),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
