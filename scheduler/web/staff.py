"""The staff start page: what each role needs today, and links to their tools."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from scheduler import access
from scheduler.extensions import db
from scheduler.models import (
    Appointment,
    AppointmentStatus,
    PublishedShift,
    PublishedShiftStatus,
    Role,
)
from scheduler.rostering.overview import leader_overview
from scheduler.timeutil import utcnow
from scheduler.web import nav
from scheduler.web.auth import STAFF_ROLES, role_required

bp = Blueprint("staff", __name__, url_prefix="/staff")

nav.add("staff.dashboard", _l("My page"), roles=STAFF_ROLES, area="staff", order=0)


@bp.get("/")
@role_required(*STAFF_ROLES)
def dashboard() -> Any:
    now = utcnow()
    soon = now + timedelta(days=14)
    appointments = db.session.scalars(
        select(Appointment)
        .where(
            Appointment.librarian_id == current_user.id,
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.ends_at >= now,
            Appointment.starts_at < soon,
        )
        .order_by(Appointment.starts_at)
        .limit(10)
    ).all()
    shifts = db.session.scalars(
        select(PublishedShift)
        .where(
            PublishedShift.person_id == current_user.id,
            PublishedShift.status == PublishedShiftStatus.CONFIRMED,
            PublishedShift.ends_at >= now,
            PublishedShift.starts_at < soon,
        )
        .order_by(PublishedShift.starts_at)
        .limit(10)
    ).all()
    leads = bool(access.library_ids(current_user, Role.SECTION_LEADER) != set())
    rosters = leader_overview(db.session, current_user, now.date()) if leads else []
    return render_template(
        "staff/dashboard.html",
        appointments=appointments,
        shifts=shifts,
        rosters=rosters,
        leads=leads,
        now=now,
    )
