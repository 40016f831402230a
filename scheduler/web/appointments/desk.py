"""Hand-over from the desk: first-line staff book second-line guidance for a patron.

The same times and rules as the public pages; the booking is marked as made by the
staff member, and the patron gets the usual confirmation e-mail with the manage link.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from scheduler.booking.appointments import book as svc
from scheduler.booking.appointments import queries
from scheduler.booking.appointments.slots import SlotQuery, find_slots
from scheduler.errors import InputError
from scheduler.extensions import db
from scheduler.inputs import parse_id
from scheduler.models import Role, Topic
from scheduler.models.people import person_topics
from scheduler.web import current_site
from scheduler.web.appointments import bp
from scheduler.web.appointments.forms import MODE_LABELS
from scheduler.web.appointments.public import (
    booking_form,
    group_by_day,
    iso,
    libraries_by_id,
    week_from_args,
)
from scheduler.web.auth import role_required
from scheduler.web.i18n import format_local_date, format_local_time


@bp.get("/staff/booking/desk")
@role_required(Role.FIRST_LINE)
def desk() -> Any:
    """Choose a topic, then a time; the form comes next."""
    topics = db.session.scalars(
        select(Topic).where(Topic.id.in_(select(person_topics.c.topic_id))).order_by(Topic.name)
    ).all()
    try:
        topic_id = parse_id(request.args.get("topic"), "topic", required=False)
    except InputError:
        topic_id = None
    chosen = next((t for t in topics if t.id == topic_id), None)
    week = week_from_args()
    days = []
    if chosen is not None:
        site = current_site()
        slots = find_slots(
            db.session,
            SlotQuery(week.first, week.last, topic_id=chosen.id),
            now=site.now,
            default_tz=site.default_tz,
            busy_policy=site.busy_policy,
        )
        profiles = queries.librarian_profiles(db.session, {s.librarian_id for s in slots})
        days = group_by_day(slots, profiles, libraries_by_id())
    return render_template(
        "appointments/desk.html",
        topics=topics,
        topic=chosen,
        days=days,
        libraries=libraries_by_id(),
        week=week,
        mode_labels=MODE_LABELS,
        iso=iso,
    )


@bp.route("/staff/booking/desk/book", methods=["GET", "POST"])
@role_required(Role.FIRST_LINE)
def desk_book() -> Any:
    def done(booked: svc.Booked) -> Any:
        appointment = booked.appointment
        tz = appointment.library.timezone if appointment.library else None
        flash(
            _(
                "Booked %(patron)s with %(librarian)s, %(when)s. "
                "The patron gets a confirmation by e-mail.",
                patron=appointment.patron_name,
                librarian=appointment.librarian.name,
                when=format_local_date(appointment.starts_at, "full", tz)
                + ", "
                + format_local_time(appointment.starts_at, tz),
            ),
            "success",
        )
        return redirect(url_for("appointments.desk", topic=appointment.topic_id))

    return booking_form(
        actor=current_user._get_current_object(),  # type: ignore[attr-defined]
        done=done,
        back_endpoint="appointments.desk",
    )
