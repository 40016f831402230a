"""The patron's own pages behind secret links: view, cancel, move, calendar file, verify."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from scheduler.booking.appointments import book as svc
from scheduler.booking.appointments import queries
from scheduler.booking.appointments.slots import SlotQuery, find_slots
from scheduler.calendars import appointment_event, build_calendar
from scheduler.errors import Conflict, DomainError
from scheduler.extensions import db
from scheduler.inputs import parse_id, parse_instant
from scheduler.models import Appointment, AppointmentStatus
from scheduler.web import current_site
from scheduler.web.appointments import bp, no_store, public_write_limit
from scheduler.web.appointments.forms import MODE_LABELS, MoveForm
from scheduler.web.appointments.public import group_by_day, iso, libraries_by_id, week_from_args
from scheduler.web.forms import ConfirmForm, errors_to_form
from scheduler.web.i18n import localize


def _load(token: str) -> Appointment:
    return svc.find_by_manage_token(db.session, token)


def _changeable(appointment: Appointment) -> tuple[bool, Any]:
    until = svc.changeable_until(db.session, appointment)
    ok = appointment.status == AppointmentStatus.BOOKED and current_site().now <= until
    return ok, until


@bp.get("/book/manage/<token>")
def manage(token: str) -> Any:
    appointment = _load(token)
    can_change, until = _changeable(appointment)
    html = render_template(
        "appointments/manage.html",
        appointment=appointment,
        token=token,
        can_change=can_change,
        until=until,
        cancel_form=ConfirmForm(),
        mode_labels=MODE_LABELS,
    )
    return no_store(Response(html))


@bp.get("/book/manage/<token>/cancel")
def confirm_cancel(token: str) -> Any:
    """Cancelling is asked once more: one stray click must not give the time away."""
    appointment = _load(token)
    can_change, _until = _changeable(appointment)
    if not can_change:
        return redirect(url_for("appointments.manage", token=token))
    html = render_template(
        "appointments/cancel_confirm.html",
        appointment=appointment,
        token=token,
        cancel_form=ConfirmForm(),
        mode_labels=MODE_LABELS,
    )
    return no_store(Response(html))


@bp.post("/book/manage/<token>/cancel")
@public_write_limit
def cancel(token: str) -> Any:
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("The form has expired. Reload the page and try again."), "error")
        return redirect(url_for("appointments.manage", token=token))
    try:
        svc.cancel_by_patron(db.session, token, site=current_site())
    except Conflict as exc:
        flash(localize(exc.message), "error")
    else:
        flash(_("Your appointment is cancelled. We have sent you a confirmation."), "success")
    return redirect(url_for("appointments.manage", token=token))


@bp.route("/book/manage/<token>/move", methods=["GET", "POST"])
@public_write_limit
def move(token: str) -> Any:
    """Move to another free time of the same librarian (same way of meeting)."""
    appointment = _load(token)
    can_change, _until = _changeable(appointment)
    if not can_change:
        flash(_("This appointment can no longer be changed online."), "error")
        return redirect(url_for("appointments.manage", token=token))
    site = current_site()
    week = week_from_args()
    slots = find_slots(
        db.session,
        SlotQuery(
            week.first, week.last, librarian_id=appointment.librarian_id, mode=appointment.mode
        ),
        now=site.now,
        default_tz=site.default_tz,
        busy_policy=site.busy_policy,
    )
    form = MoveForm()
    form.start.choices = [(f"{iso(s.start)}|{s.library_id}", iso(s.start)) for s in slots]
    status = 200
    if form.validate_on_submit():
        raw_start, _sep, raw_library = (form.start.data or "").partition("|")
        try:
            svc.reschedule(
                db.session,
                token,
                parse_instant(raw_start, "start"),
                site=site,
                library_id=parse_id(raw_library, "library", required=False),
            )
        except DomainError as exc:
            # Every reason concerns the time chosen: it goes on the one field there is.
            errors_to_form(form, exc, dict.fromkeys(("mode", "library"), "start"))
            status = exc.status
        else:
            flash(
                _("Your appointment is moved. We have sent you an updated invitation."), "success"
            )
            return redirect(url_for("appointments.manage", token=token))
    elif form.is_submitted():
        status = 422
    libraries = libraries_by_id()
    profiles = queries.librarian_profiles(db.session, [appointment.librarian_id])
    days = group_by_day(slots, profiles, libraries)
    html = render_template(
        "appointments/move.html",
        appointment=appointment,
        token=token,
        form=form,
        days=days,
        libraries=libraries,
        week=week,
        iso=iso,
    )
    return no_store(Response(html, status=status))


@bp.get("/book/manage/<token>/appointment.ics")
def ics(token: str) -> Any:
    """The appointment as a calendar file, for calendars the e-mail did not reach."""
    appointment = _load(token)
    site = current_site()
    event = appointment_event(
        appointment,
        host=site.host,
        url=site.appointment_url(token),
        for_patron=True,
        default_tz=site.default_tz,
    )
    body = build_calendar([event], stamp=site.now, method="PUBLISH")
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = "attachment; filename=appointment.ics"
    return no_store(response)


@bp.route("/book/verify/<token>", methods=["GET", "POST"])
@public_write_limit
def verify(token: str) -> Any:
    """The link in the verification e-mail: a button (mail scanners follow links, and a
    GET must not book), then the booking is confirmed."""
    site = current_site()
    appointment = svc.find_by_verify_token(db.session, token)
    if appointment.status == AppointmentStatus.BOOKED:
        manage_token = svc.current_manage_token(appointment, site)
        if manage_token:
            return redirect(url_for("appointments.manage", token=manage_token))
    form = ConfirmForm()
    status = 200
    error = None
    if form.validate_on_submit():
        try:
            booked = svc.verify_email(db.session, token, site=site)
        except Conflict as exc:
            error, status = localize(exc.message), 409
        else:
            flash(
                _("Thank you: your booking is confirmed. We have sent you an invitation."),
                "success",
            )
            return redirect(url_for("appointments.manage", token=booked.manage_token))
    html = render_template(
        "appointments/verify.html",
        appointment=appointment,
        form=form,
        error=error,
        mode_labels=MODE_LABELS,
    )
    return no_store(Response(html, status=status))
