"""E-mails about appointments, in the patron's (or librarian's) language.

Each function writes one :class:`~scheduler.mail.letter.Letter`, stored in the use
case's transaction and sent by a job after the commit. Invitations carry METHOD:REQUEST
for a new or moved appointment and METHOD:CANCEL (same UID, higher SEQUENCE) for a
cancelled one, so that mail clients later update or remove the entry.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from scheduler.calendars import appointment_event
from scheduler.mail.letter import Letter
from scheduler.models import Appointment, Mode
from scheduler.models.translations import localized
from scheduler.site import Site


def _letter(to: str | None, language: str | None, appointment: Appointment, site: Site) -> Letter:
    tz = appointment.library.timezone if appointment.library else site.default_tz
    return Letter(to or "", language=language, site=site, tz=tz)


def _when(letter: Letter, appointment: Appointment) -> str:
    return letter.when(appointment.starts_at, appointment.ends_at)


def _mode(letter: Letter, mode: Mode) -> str:
    _ = letter.gettext
    return {
        Mode.IN_PERSON: _("in person"),
        Mode.ONLINE: _("online (video)"),
        Mode.PHONE: _("by phone"),
    }[mode]


def _topic(letter: Letter, appointment: Appointment) -> str:
    if appointment.topic is None:
        return letter.gettext("Guidance")
    return localized(appointment.topic, "name", letter.lang)


def _details(letter: Letter, appointment: Appointment) -> str:
    _ = letter.gettext
    lines = [
        _("What: %(topic)s") % {"topic": _topic(letter, appointment)},
        _("With: %(name)s") % {"name": appointment.librarian.name},
        _("When: %(when)s") % {"when": _when(letter, appointment)},
        _("How: %(mode)s") % {"mode": _mode(letter, appointment.mode)},
    ]
    if appointment.mode == Mode.IN_PERSON and appointment.library is not None:
        place = localized(appointment.library, "name", letter.lang)
        if appointment.library.address:
            place = f"{place}, {appointment.library.address}"
        lines.append(_("Where: %(place)s") % {"place": place})
    if appointment.mode == Mode.ONLINE and appointment.meeting_url:
        lines.append(_("Join the meeting: %(url)s") % {"url": appointment.meeting_url})
    return "\n".join(lines)


def _invite(letter: Letter, appointment: Appointment, method: str, url: str | None) -> None:
    event = appointment_event(
        appointment,
        host=letter.site.host,
        url=url,
        for_patron=True,
        default_tz=letter.site.default_tz,
        gettext=letter.gettext,
        locale=letter.lang,
    )
    filename = "invite.ics" if method == "REQUEST" else "cancel.ics"
    letter.invite([event], method=method, filename=filename)


def _signature(letter: Letter, appointment: Appointment) -> str:
    return appointment.library.name if appointment.library else letter.gettext("The library")


def _to_patron(appointment: Appointment, site: Site) -> Letter:
    letter = _letter(appointment.patron_email, appointment.locale, appointment, site)
    letter.greet(appointment.patron_name)
    return letter


def send_confirmation(
    session: Session, appointment: Appointment, manage_token: str | None, site: Site
) -> None:
    """ "Your appointment is booked", with the invitation and the manage link."""
    letter = _to_patron(appointment, site)
    _ = letter.gettext
    url = site.appointment_url(manage_token) if manage_token else None
    letter.add(_("Your appointment with the library is booked."), "", _details(letter, appointment))
    if appointment.booked_by is not None:
        letter.add("", _("Booked for you at the information desk."))
    letter.add("", _("The attached invitation adds the appointment to your calendar."))
    if url:
        letter.add(_("See, move or cancel your appointment here:"), url)
    session.flush()
    _invite(letter, appointment, "REQUEST", url)
    subject = _("Booked: %(topic)s with %(name)s, %(when)s") % {
        "topic": _topic(letter, appointment),
        "name": appointment.librarian.name,
        "when": _when(letter, appointment),
    }
    letter.queue(session, subject, signature=_signature(letter, appointment))


def send_verification(
    session: Session, appointment: Appointment, verify_token: str, site: Site
) -> None:
    """ "Confirm your address": the booking holds its time until the link is used."""
    letter = _to_patron(appointment, site)
    _ = letter.gettext
    letter.add(
        _("Please confirm your e-mail address to complete this booking:"),
        "",
        _details(letter, appointment),
        "",
        site.verify_url(verify_token),
        "",
    )
    if appointment.hold_expires_at is not None:
        letter.add(
            _("We hold the time for you until %(time)s. If you did not book it, ignore this.")
            % {"time": letter.clock(appointment.hold_expires_at)}
        )
    letter.queue(
        session,
        _("Confirm your booking with the library"),
        signature=_signature(letter, appointment),
    )


def send_rescheduled(
    session: Session, appointment: Appointment, manage_token: str | None, site: Site
) -> None:
    """The moved appointment: an updated invitation (same UID, higher SEQUENCE)."""
    letter = _to_patron(appointment, site)
    _ = letter.gettext
    url = site.appointment_url(manage_token) if manage_token else None
    letter.add(
        _("Your appointment has been moved. The new time is:"),
        "",
        _details(letter, appointment),
        "",
        _("The attached invitation updates the entry in your calendar."),
    )
    if url:
        letter.add(_("See, move or cancel your appointment here:"), url)
    session.flush()
    _invite(letter, appointment, "REQUEST", url)
    letter.queue(
        session,
        _("Moved: your appointment is now %(when)s") % {"when": _when(letter, appointment)},
        signature=_signature(letter, appointment),
    )


def send_cancellation(session: Session, appointment: Appointment, site: Site) -> None:
    """The cancellation, with the librarian's message if there is one, and METHOD:CANCEL."""
    letter = _to_patron(appointment, site)
    _ = letter.gettext
    if appointment.cancelled_by == "patron":
        letter.add(_("Your appointment is cancelled, as you asked."))
    else:
        letter.add(_("We are sorry: the library had to cancel your appointment."))
    letter.add("", _details(letter, appointment))
    if appointment.cancel_message and appointment.cancelled_by != "patron":
        letter.add("", _("Message from %(name)s:") % {"name": appointment.librarian.name})
        letter.add(appointment.cancel_message)
    letter.add("", _("You are welcome to book a new time:"), site.url("/book/"))
    session.flush()
    _invite(letter, appointment, "CANCEL", None)
    letter.queue(
        session,
        _("Cancelled: your appointment %(when)s") % {"when": _when(letter, appointment)},
        signature=_signature(letter, appointment),
    )


def send_reminder(
    session: Session, appointment: Appointment, manage_token: str | None, site: Site
) -> None:
    """The reminder the day before."""
    letter = _to_patron(appointment, site)
    _ = letter.gettext
    letter.add(
        _("A reminder of your appointment with the library:"), "", _details(letter, appointment)
    )
    # Never the patron's message: whoever booked may not own the address (requester_text).
    if manage_token:
        letter.add("", _("Cannot come? Please cancel, so someone else can have the time:"))
        letter.add(site.appointment_url(manage_token))
    letter.queue(
        session,
        _("Reminder: %(when)s") % {"when": _when(letter, appointment)},
        signature=_signature(letter, appointment),
    )


def notify_librarian(session: Session, appointment: Appointment, event: str, site: Site) -> None:
    """Tell the librarian about a booking, a move or a patron's cancellation.

    ``event`` is "booked", "moved" or "cancelled". The message goes to the librarian's
    own address, so it may name the patron; it links to the appointment behind sign-in.
    """
    librarian = appointment.librarian
    letter = _letter(librarian.email, librarian.locale, appointment, site)
    _ = letter.gettext
    subjects = {
        "booked": _("New appointment: %(when)s"),
        "moved": _("Appointment moved: %(when)s"),
        "cancelled": _("Appointment cancelled: %(when)s"),
    }
    letter.add(_details(letter, appointment), "")
    letter.add(_("Patron: %(name)s") % {"name": appointment.patron_name or "—"})
    if appointment.booked_by is not None:
        letter.add(_("Booked at the desk by %(name)s.") % {"name": appointment.booked_by.name})
    if appointment.message:
        letter.add("", appointment.message)
    letter.add("", site.url(f"/staff/booking/appointments/{appointment.id}"))
    letter.queue(session, subjects[event] % {"when": _when(letter, appointment)}, signature=None)
