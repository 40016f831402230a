"""Librarians' pages: upcoming appointments (with patron details), cancelling with a
message, and the availability editor. Administrators may open anyone's (``?person=``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import BadRequest

from scheduler import access
from scheduler.booking.appointments import book as svc
from scheduler.booking.appointments import meeting_links, queries, rules
from scheduler.booking.appointments.availability import BookingRules
from scheduler.booking.appointments.slots import SlotQuery, find_slots
from scheduler.errors import DomainError, InputError
from scheduler.extensions import db
from scheduler.inputs import parse_id
from scheduler.models import (
    Appointment,
    BookingSettings,
    ExceptionKind,
    Library,
    Mode,
    Person,
    Role,
)
from scheduler.models.translations import localized
from scheduler.web import current_site
from scheduler.web.appointments import bp, calendars
from scheduler.web.appointments.forms import (
    MODE_LABELS,
    WEEKDAY_CHOICES,
    ExceptionForm,
    MeetingLinkForm,
    SettingsForm,
    StaffCancelForm,
    WindowForm,
)
from scheduler.web.appointments.public import libraries_by_id, today_local
from scheduler.web.auth import role_required
from scheduler.web.forms import ConfirmForm, errors_to_form, form_flow, saved
from scheduler.web.i18n import localize, page_language


def _subject() -> Person:
    """Whose appointments or availability: your own, or anyone's for an administrator."""
    raw = request.values.get("person")
    if raw and access.is_admin(current_user):
        try:
            person = db.session.get(Person, parse_id(raw, "person"))
        except InputError:
            person = None
        if person is None:
            abort(404)
        return person
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _person_args(person: Person) -> dict[str, int]:
    return {} if person.id == current_user.id else {"person": person.id}


def _visible_appointment(appointment_id: int) -> Appointment:
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or not svc.can_see_patron(current_user, appointment):
        abort(404)
    return appointment


@bp.get("/staff/booking/appointments")
@role_required(Role.LIBRARIAN)
def appointments() -> Any:
    person = _subject()
    now = current_site().now
    return render_template(
        "appointments/staff_appointments.html",
        person=person,
        upcoming=queries.upcoming_for_librarian(db.session, person.id, now=now),
        cancelled=queries.recent_cancellations(db.session, person.id, now=now),
        people=queries.bookable_people(db.session) if access.is_admin(current_user) else [],
        mode_labels=MODE_LABELS,
    )


@bp.get("/staff/booking/appointments/<id:appointment_id>")
@role_required(Role.LIBRARIAN)
def appointment(appointment_id: int) -> Any:
    found = _visible_appointment(appointment_id)
    return render_template(
        "appointments/staff_appointment.html",
        appointment=found,
        mode_labels=MODE_LABELS,
        now=current_site().now,
    )


@bp.route("/staff/booking/appointments/<id:appointment_id>/cancel", methods=["GET", "POST"])
@role_required(Role.LIBRARIAN)
def cancel_appointment(appointment_id: int) -> Any:
    found = _visible_appointment(appointment_id)
    form = StaffCancelForm()
    back = {"person": found.librarian_id} if found.librarian_id != current_user.id else {}
    return form_flow(
        form,
        lambda: svc.cancel_by_staff(
            db.session,
            found.id,
            actor=current_user,
            message=form.message.data,
            site=current_site(),
        ),
        lambda _cancelled: saved(
            _("The appointment is cancelled and the patron has been told."),
            url_for("appointments.appointments", **back),
        ),
        lambda status: (
            render_template(
                "appointments/staff_cancel.html",
                appointment=found,
                form=form,
                mode_labels=MODE_LABELS,
            ),
            status,
        ),
    )


# Availability -----------------------------------------------------------------------


def _settings_form(person: Person, formdata: Any) -> SettingsForm:
    row = db.session.get(BookingSettings, person.id)
    current = (
        BookingRules()
        if row is None
        else BookingRules(
            row.slot_minutes,
            row.buffer_minutes,
            row.min_notice_minutes,
            row.horizon_days,
            row.max_per_day,
        )
    )
    return SettingsForm(
        formdata=formdata,
        prefix="s",
        data={
            "bookable": person.bookable,
            "slot_minutes": current.slot_minutes,
            "buffer_minutes": current.buffer_minutes,
            "notice_hours": current.min_notice_minutes // 60,
            "horizon_days": current.horizon_days,
            "max_per_day": current.max_per_day,
        },
    )


def _meeting_form(person: Person, formdata: Any) -> MeetingLinkForm:
    row = db.session.get(BookingSettings, person.id)
    current = row.meeting_url if row is not None else None
    return MeetingLinkForm(formdata=formdata, prefix="m", data={"meeting_url": current or ""})


def _save_meeting_link(person: Person, form: MeetingLinkForm) -> str | None:
    if not form.validate_on_submit():
        return None
    meeting_links.set_personal_link(
        db.session,
        actor=current_user._get_current_object(),  # type: ignore[attr-defined]
        person=person,
        raw=form.meeting_url.data,
    )
    return _("Your meeting room is saved.")


def _library_choices(all_option: bool) -> list[tuple[str, str]]:
    libraries = db.session.scalars(
        select(Library).where(Library.active.is_(True)).order_by(Library.position, Library.name)
    )
    choices = [(str(lib.id), localized(lib, "name", page_language())) for lib in libraries]
    return [("", _("All libraries")), *choices] if all_option else choices


@bp.route("/staff/booking/availability", methods=["GET", "POST"])
@role_required(Role.LIBRARIAN)
def availability() -> Any:
    """Settings, weekly windows and one-off exceptions on one page; each form posts an
    ``action`` and the page is shown again with that form's errors if it fails."""
    person = _subject()
    action = request.form.get("action") if request.method == "POST" else None
    settings_form = _settings_form(person, request.form if action == "settings" else None)
    window_form = WindowForm(formdata=request.form if action == "add_window" else None, prefix="w")
    window_form.library.choices = _library_choices(all_option=False)
    exception_form = ExceptionForm(
        formdata=request.form if action == "add_exception" else None, prefix="e"
    )
    exception_form.library.choices = _library_choices(all_option=True)
    calendar_form = calendars.CalendarForm(
        formdata=request.form if action == "add_calendar" else None, prefix="c"
    )
    replace_form = calendars.ReplaceForm(
        formdata=request.form if action == "replace_calendar" else None, prefix="r"
    )
    meeting_form = _meeting_form(person, request.form if action == "meeting_link" else None)
    site = current_site()
    status = 200
    if request.method == "POST":
        try:
            if action in calendars.ACTIONS:
                message = calendars.apply(action, person, calendar_form, replace_form, site.now)
            elif action == "meeting_link":
                message = _save_meeting_link(person, meeting_form)
            else:
                message = _apply_action(action, person, settings_form, window_form, exception_form)
        except InputError as exc:
            form = {
                "settings": settings_form,
                "add_window": window_form,
                "add_calendar": calendar_form,
                "replace_calendar": replace_form,
                "meeting_link": meeting_form,
            }.get(action or "", exception_form)
            errors_to_form(form, exc, {"min_notice_minutes": "notice_hours"})
            status = 422
        except DomainError as exc:
            flash(localize(exc.message), "error")
            status = exc.status
        else:
            if message is None:
                status = 422
            else:
                flash(message, "success")
                anchor = "calendars" if action in calendars.ACTIONS else None
                return redirect(
                    url_for("appointments.availability", **_person_args(person), _anchor=anchor)
                )
    today = today_local()
    preview = find_slots(
        db.session,
        SlotQuery(today, today + timedelta(days=13), librarian_id=person.id),
        now=site.now,
        default_tz=site.default_tz,
        busy_policy=site.busy_policy,
    )
    return render_template(
        "appointments/staff_availability.html",
        person=person,
        person_args=_person_args(person),
        settings_form=settings_form,
        window_form=window_form,
        exception_form=exception_form,
        delete_form=ConfirmForm(formdata=None),
        windows=rules.windows_of(db.session, person),
        exceptions=rules.exceptions_of(db.session, person, today),
        weekday_labels=dict(WEEKDAY_CHOICES),
        libraries=libraries_by_id(),
        mode_labels=MODE_LABELS,
        preview=preview[:12],
        calendar_form=calendar_form,
        replace_form=replace_form,
        meeting_form=meeting_form,
        meeting_templates=[
            lib.name for lib in libraries_by_id().values() if lib.meeting_url_template
        ],
        connected=calendars.section(person, site.now, calendars.tz_of(person)),
        people=queries.bookable_people(db.session) if access.is_admin(current_user) else [],
    ), status


def _modes(values: list[str] | None) -> list[Mode]:
    return [Mode(v) for v in values or [] if v in Mode._value2member_map_]


def _apply_action(
    action: str | None,
    person: Person,
    settings_form: SettingsForm,
    window_form: WindowForm,
    exception_form: ExceptionForm,
) -> str | None:
    """Carry out one posted form; the flash message on success, None if the form failed."""
    actor = current_user._get_current_object()  # type: ignore[attr-defined]
    if action == "settings":
        if not settings_form.validate_on_submit():
            return None
        rules.update_settings(
            db.session,
            actor=actor,
            person=person,
            change=rules.SettingsChange(
                slot_minutes=settings_form.slot_minutes.data,
                buffer_minutes=settings_form.buffer_minutes.data,
                min_notice_minutes=settings_form.notice_hours.data * 60,
                horizon_days=settings_form.horizon_days.data,
                max_per_day=settings_form.max_per_day.data,
                bookable=settings_form.bookable.data,
            ),
        )
        return _("Your settings are saved.")
    if action == "add_window":
        if not window_form.validate_on_submit():
            return None
        rules.add_window(
            db.session,
            actor=actor,
            person=person,
            library_id=parse_id(window_form.library.data, "library"),
            weekday=int(window_form.weekday.data),
            start=window_form.start.data,
            end=window_form.end.data,
            modes=_modes(window_form.modes.data),
            valid_from=window_form.valid_from.data,
            valid_until=window_form.valid_until.data,
        )
        return _("The weekly time is added.")
    if action == "add_exception":
        if not exception_form.validate_on_submit():
            return None
        rules.add_exception(
            db.session,
            actor=actor,
            person=person,
            day=exception_form.date.data,
            kind=ExceptionKind(exception_form.kind.data),
            library_id=parse_id(exception_form.library.data, "library", required=False),
            start=exception_form.start.data,
            end=exception_form.end.data,
            modes=_modes(exception_form.modes.data),
            note=exception_form.note.data,
            today=today_local(),
        )
        return _("The change is added.")
    if action in ("delete_window", "delete_exception"):
        if not ConfirmForm().validate_on_submit():
            abort(400)
        item_id = parse_id(request.form.get("id"), "id")
        if action == "delete_window":
            rules.delete_window(db.session, actor=actor, person=person, window_id=item_id)
            return _("The weekly time is removed.")
        rules.delete_exception(db.session, actor=actor, person=person, exception_id=item_id)
        return _("The change is removed.")
    raise BadRequest()
