"""/staff/my-shifts: the signed-in person's published shifts, and where feed events link."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import PublishedShift, PublishedShiftStatus, Role
from scheduler.timeutil import to_local, utcnow
from scheduler.web import nav
from scheduler.web.auth import STAFF_ROLES, role_required

bp = Blueprint("my_shifts", __name__, url_prefix="/staff")

nav.add("my_shifts.index", _l("My shifts"), roles=(Role.FIRST_LINE,), area="staff", order=5)


@bp.get("/my-shifts")
@role_required(*STAFF_ROLES)
def index() -> Any:
    """The signed-in person's published, confirmed shifts: upcoming first, then past."""
    now = utcnow()
    rows = db.session.scalars(
        select(PublishedShift)
        .where(
            PublishedShift.person_id == current_user.id,
            PublishedShift.status == PublishedShiftStatus.CONFIRMED,
            PublishedShift.starts_at >= now - timedelta(days=30),
        )
        .order_by(PublishedShift.starts_at, PublishedShift.id)
    ).all()
    upcoming = [r for r in rows if r.ends_at >= now]
    past = [r for r in rows if r.ends_at < now][::-1]
    return render_template(
        "roster_review/my_shifts.html",
        upcoming=upcoming,
        past=past,
        feeds_url=url_for("feeds.settings"),
        local_day=lambda r: to_local(r.starts_at, r.service_point.library.timezone).date(),
    )


@bp.get("/my-shifts/<id:shift_id>")
@role_required(*STAFF_ROLES)
def shift(shift_id: int) -> Any:
    """Where a shift in a calendar feed links to: the shift on "my shifts"."""
    return redirect(url_for(".index", _anchor=f"shift-{shift_id}"))
