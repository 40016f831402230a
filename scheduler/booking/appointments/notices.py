"""E-mails about appointments, in the patron's (or librarian's) language.

Each function queues one message with :func:`scheduler.notify.queue_email`, so it is
stored in the use case's transaction and sent by a job after the commit. Invitations
carry an iCalendar attachment built by :mod:`scheduler.calendars`: METHOD:REQUEST for a
new or moved appointment, METHOD:CANCEL (same UID, higher SEQUENCE) for a cancelled one,
so that mail clients offer "add to calendar" and later update or remove the entry.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from babel import dates
from sqlalchemy.orm import Session

from scheduler.booking.context import BookingContext
from scheduler.booking.i18n import LANGUAGES, translator
from scheduler.calendars import appointment_event, build_calendar
from scheduler.models import Appointment, Mode
from scheduler.notify import queue_email


def _language(preferred: str | None, ctx: BookingContext) -> str:
    return preferred if preferred in LANGUAGES else ctx.language


class _Text:
    """Translation and formatting in one language, outside any request."""

    def __init__(self, lang: str, tz: str) -> None:
        self.lang = lang
        self.tz = ZoneInfo(tz)
        self.gettext: Callable[[str], str] = translator(lang)

    def when(self, appointment: Appointment) -> str:
        start = appointment.starts_at.astimezone(self.tz)
        end = appointment.ends_at.astimezone(self.tz)
        day = dates.format_date(start.date(), "full", locale=self.lang)
        return f"{day}, {start:%H:%M}–{end:%H:%M}"

    def mode(self, mode: Mode) -> str:
        _ = self.gettext
        return {
            Mode.IN_PERSON: _("in person"),
            Mode.ONLINE: _("online (video)"),
            Mode.PHONE: _("by phone"),
        }[mode]


def _tz(appointment: Appointment, ctx: BookingContext) -> str:
    return appointment.library.timezone if appointment.library else ctx.default_tz


def _details(t: _Text, appointment: Appointment) -> str:
    _ = t.gettext
    topic = appointment.topic.name if appointment.topic else _("Guidance")
    lines = [
        _("What: %(topic)s") % {"topic": topic},
        _("With: %(name)s") % {"name": appointment.librarian.name},
        _("When: %(when)s") % {"when": t.when(appointment)},
        _("How: %(mode)s") % {"mode": t.mode(appointment.mode)},
    ]
    if appointment.mode == Mode.IN_PERSON and appointment.library is not None:
        place = appointment.library.name
        if appointment.library.address:
            place = f"{place}, {appointment.library.address}"
        lines.append(_("Where: %(place)s") % {"place": place})
    return "\n".join(lines)


def _invitation(appointment: Appointment, ctx: BookingContext, method: str, url: str | None):
    event = appointment_event(
        appointment, host=ctx.host, url=url, for_patron=True, default_tz=ctx.default_tz
    )
    ics = build_calendar([event], stamp=ctx.now, method=method).decode()
    return {
        "filename": "invite.ics" if method == "REQUEST" else "cancel.ics",
        "content_type": f"text/calendar; method={method}",
        "content": ics,
    }


def _signature(t: _Text, appointment: Appointment) -> str:
    library = appointment.library.name if appointment.library else t.gettext("The library")
    return f"\n\n-- \n{library}\n"


def send_confirmation(
    session: Session, appointment: Appointment, manage_token: str | None, ctx: BookingContext
) -> None:
    """ "Your appointment is booked", with the invitation and the manage link."""
    t = _Text(_language(appointment.locale, ctx), _tz(appointment, ctx))
    _ = t.gettext
    url = ctx.manage_url(manage_token) if manage_token else None
    body = [
        _("Hello %(name)s,") % {"name": appointment.patron_name},
        "",
        _("Your appointment with the library is booked."),
        "",
        _details(t, appointment),
    ]
    if appointment.booked_by is not None:
        body += ["", _("Booked for you at the information desk.")]
    body += ["", _("The attached invitation adds the appointment to your calendar.")]
    if url:
        body += [_("See, move or cancel your appointment here:"), url]
    session.flush()
    queue_email(
        session,
        appointment.patron_email or "",
        _("Booked: %(topic)s with %(name)s, %(when)s")
        % {
            "topic": appointment.topic.name if appointment.topic else _("Guidance"),
            "name": appointment.librarian.name,
            "when": t.when(appointment),
        },
        "\n".join(body) + _signature(t, appointment),
        attachments=[_invitation(appointment, ctx, "REQUEST", url)],
    )


def send_verification(
    session: Session, appointment: Appointment, verify_token: str, ctx: BookingContext
) -> None:
    """ "Confirm your address": the booking holds its time until the link is used."""
    t = _Text(_language(appointment.locale, ctx), _tz(appointment, ctx))
    _ = t.gettext
    expires = appointment.hold_expires_at.astimezone(t.tz) if appointment.hold_expires_at else None
    body = [
        _("Hello %(name)s,") % {"name": appointment.patron_name},
        "",
        _("Please confirm your e-mail address to complete this booking:"),
        "",
        _details(t, appointment),
        "",
        ctx.verify_url(verify_token),
        "",
    ]
    if expires is not None:
        body.append(
            _("We hold the time for you until %(time)s. If you did not book it, ignore this.")
            % {"time": f"{expires:%H:%M}"}
        )
    queue_email(
        session,
        appointment.patron_email or "",
        _("Confirm your booking with the library"),
        "\n".join(body) + _signature(t, appointment),
    )


def send_rescheduled(
    session: Session, appointment: Appointment, manage_token: str | None, ctx: BookingContext
) -> None:
    """The moved appointment: an updated invitation (same UID, higher SEQUENCE)."""
    t = _Text(_language(appointment.locale, ctx), _tz(appointment, ctx))
    _ = t.gettext
    url = ctx.manage_url(manage_token) if manage_token else None
    body = [
        _("Hello %(name)s,") % {"name": appointment.patron_name},
        "",
        _("Your appointment has been moved. The new time is:"),
        "",
        _details(t, appointment),
        "",
        _("The attached invitation updates the entry in your calendar."),
    ]
    if url:
        body += [_("See, move or cancel your appointment here:"), url]
    session.flush()
    queue_email(
        session,
        appointment.patron_email or "",
        _("Moved: your appointment is now %(when)s") % {"when": t.when(appointment)},
        "\n".join(body) + _signature(t, appointment),
        attachments=[_invitation(appointment, ctx, "REQUEST", url)],
    )


def send_cancellation(session: Session, appointment: Appointment, ctx: BookingContext) -> None:
    """The cancellation, with the librarian's message if there is one, and METHOD:CANCEL."""
    t = _Text(_language(appointment.locale, ctx), _tz(appointment, ctx))
    _ = t.gettext
    if appointment.cancelled_by == "patron":
        intro = _("Your appointment is cancelled, as you asked.")
    else:
        intro = _("We are sorry: the library had to cancel your appointment.")
    body = [_("Hello %(name)s,") % {"name": appointment.patron_name}, "", intro, ""]
    body.append(_details(t, appointment))
    if appointment.cancel_message and appointment.cancelled_by != "patron":
        body += ["", _("Message from %(name)s:") % {"name": appointment.librarian.name}]
        body.append(appointment.cancel_message)
    body += ["", _("You are welcome to book a new time:"), ctx.url("/book/")]
    session.flush()
    queue_email(
        session,
        appointment.patron_email or "",
        _("Cancelled: your appointment %(when)s") % {"when": t.when(appointment)},
        "\n".join(body) + _signature(t, appointment),
        attachments=[_invitation(appointment, ctx, "CANCEL", None)],
    )


def send_reminder(
    session: Session, appointment: Appointment, manage_token: str | None, ctx: BookingContext
) -> None:
    """The reminder the day before."""
    t = _Text(_language(appointment.locale, ctx), _tz(appointment, ctx))
    _ = t.gettext
    body = [
        _("Hello %(name)s,") % {"name": appointment.patron_name},
        "",
        _("A reminder of your appointment with the library:"),
        "",
        _details(t, appointment),
    ]
    if appointment.message:
        body += ["", _("You wrote: %(message)s") % {"message": appointment.message}]
    if manage_token:
        body += ["", _("Cannot come? Please cancel, so someone else can have the time:")]
        body.append(ctx.manage_url(manage_token))
    queue_email(
        session,
        appointment.patron_email or "",
        _("Reminder: %(when)s") % {"when": t.when(appointment)},
        "\n".join(body) + _signature(t, appointment),
    )


def notify_librarian(
    session: Session, appointment: Appointment, event: str, ctx: BookingContext
) -> None:
    """Tell the librarian about a booking, a move or a patron's cancellation.

    ``event`` is "booked", "moved" or "cancelled". The message goes to the librarian's
    own address, so it may name the patron; it links to the appointment behind sign-in.
    """
    librarian = appointment.librarian
    t = _Text(_language(librarian.locale, ctx), _tz(appointment, ctx))
    _ = t.gettext
    subjects = {
        "booked": _("New appointment: %(when)s"),
        "moved": _("Appointment moved: %(when)s"),
        "cancelled": _("Appointment cancelled: %(when)s"),
    }
    body = [_details(t, appointment), ""]
    body.append(_("Patron: %(name)s") % {"name": appointment.patron_name or "—"})
    if appointment.booked_by is not None:
        body.append(_("Booked at the desk by %(name)s.") % {"name": appointment.booked_by.name})
    if appointment.message:
        body += ["", appointment.message]
    body += ["", ctx.url(f"/staff/booking/appointments/{appointment.id}")]
    queue_email(
        session,
        librarian.email,
        subjects[event] % {"when": t.when(appointment)},
        "\n".join(body) + "\n",
    )
