"""Appointments, drop-in sessions and published shifts as :class:`CalendarEvent` values.

The same mapping serves feeds and e-mail invitations, so an event keeps one UID and
one SEQUENCE wherever it appears. Callers pass URLs, the UID host and a ``gettext``
for the reader's language in: this module knows nothing about Flask or routing.

Patron names stay out of a librarian's calendar unless ``show_patron`` (feeds end up on
Google's, Microsoft's and Apple's servers): the summary names the topic, and the URL
leads to the details behind sign-in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from scheduler.calendars.ical import CalendarEvent, Person, event_uid
from scheduler.i18n import date_locale
from scheduler.models import (
    Appointment,
    AppointmentStatus,
    DropInSession,
    Mode,
    PublishedShift,
    PublishedShiftStatus,
    SessionStatus,
)
from scheduler.models.translations import localized
from scheduler.requester_text import shown_name

Gettext = Callable[[str], str]


def untranslated(text: str) -> str:
    """The default ``gettext``: English as written."""
    return text


@dataclass(frozen=True)
class Colleague:
    """Someone else on the same service point while a shift runs."""

    name: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None


def _library_tz(library: object | None, default: str) -> str:
    return getattr(library, "timezone", None) or default


def _hhmm(value: datetime, tz: str) -> str:
    return value.astimezone(ZoneInfo(tz)).strftime("%H:%M")


def _join(lines: Sequence[str | None]) -> str | None:
    text = "\n".join(line for line in lines if line)
    return text or None


def _details(url: str | None, gettext: Gettext) -> str | None:
    # Google Calendar does not show the URL property, so the link goes in the text too.
    _ = gettext
    return _("Details: %(url)s") % {"url": url} if url else None


def mode_label(mode: Mode, gettext: Gettext = untranslated) -> str:
    _ = gettext
    labels = {Mode.IN_PERSON: _("In person"), Mode.ONLINE: _("Online"), Mode.PHONE: _("Phone")}
    return labels[mode]


def appointment_location(
    appointment: Appointment, gettext: Gettext = untranslated, locale: str | None = None
) -> str:
    _ = gettext
    if appointment.mode == Mode.ONLINE:
        return appointment.meeting_url or _("Online")
    if appointment.mode == Mode.PHONE:
        return _("Phone")
    lib = appointment.library
    if lib is None:
        return ""
    name = localized(lib, "name", locale)
    return f"{name}, {lib.address}" if lib.address else name


def appointment_status(appointment: Appointment) -> str:
    if appointment.status == AppointmentStatus.CANCELLED:
        return "CANCELLED"
    if appointment.status == AppointmentStatus.PENDING:
        return "TENTATIVE"  # held for the patron until the e-mail address is confirmed
    return "CONFIRMED"


def appointment_event(
    appointment: Appointment,
    *,
    host: str,
    url: str | None = None,
    for_patron: bool = False,
    show_patron: bool = False,
    default_tz: str = "Europe/Oslo",
    gettext: Gettext = untranslated,
    locale: str | None = None,
) -> CalendarEvent:
    """One appointment, as the patron's invitation or as an entry in a librarian's feed.

    In the librarian's feed the patron stays out unless ``show_patron``; then the
    summary carries the patron's name and the description their e-mail and message.
    """
    _ = gettext
    librarian = appointment.librarian
    topic = localized(appointment.topic, "name", locale) if appointment.topic else _("Guidance")
    mode = mode_label(appointment.mode, gettext)
    if for_patron:
        summary = _("Library guidance: %(topic)s with %(librarian)s") % {
            "topic": topic,
            "librarian": librarian.name,
        }
        # Not the patron's message: the invitation goes to an address anyone may type.
        description = None
    else:
        summary = _("Guidance: %(topic)s") % {"topic": topic}
        patron_lines: list[str | None] = []
        if show_patron and appointment.patron_name:
            summary = _("Guidance: %(topic)s (%(patron)s)") % {
                "topic": topic,
                "patron": appointment.patron_name,
            }
            patron_lines = [
                _("Patron: %(name)s") % {"name": appointment.patron_name},
                appointment.patron_email,
                appointment.message,
            ]
        description = _join(
            [
                _("%(mode)s appointment") % {"mode": mode},
                *patron_lines,
                _("Booked at the desk") if appointment.booked_by_id else None,
                _details(url, gettext),
            ]
        )
    meeting = appointment.meeting_url if appointment.mode == Mode.ONLINE else None
    if meeting:
        description = _join([_("Join the meeting: %(url)s") % {"url": meeting}, description])
        if for_patron:
            description = _join([description, _details(url, gettext)])
    organizer = Person(librarian.name, librarian.email)
    attendees: tuple[Person, ...] = ()
    if for_patron and appointment.patron_email:
        attendees = (
            Person(
                shown_name(appointment.patron_name) or appointment.patron_email,
                appointment.patron_email,
            ),
        )
    return CalendarEvent(
        uid=event_uid("appointment", appointment.id, host),
        start=appointment.starts_at,
        end=appointment.ends_at,
        summary=summary,
        tz=_library_tz(appointment.library, default_tz),
        description=description,
        location=appointment_location(appointment, gettext, locale) or None,
        # Clients open URL (and RFC 7986 CONFERENCE) as the place to join; the page
        # about the appointment stays in the description.
        url=meeting or url,
        conference=meeting,
        sequence=appointment.sequence,
        status=appointment_status(appointment),
        last_modified=appointment.updated_at,
        created=appointment.created_at,
        organizer=organizer,
        attendees=attendees,
        categories=(mode,),
    )


def dropin_event(
    dropin: DropInSession,
    *,
    host: str,
    url: str | None = None,
    default_tz: str = "Europe/Oslo",
    gettext: Gettext = untranslated,
    locale: str = "en",
    host_names: Sequence[str] | None = None,
    for_registrant: bool = False,
) -> CalendarEvent:
    """A drop-in session or event, for the shared activity calendar and registrants.

    It is TRANSPARENT: subscribing to the activity calendar must not make anyone look
    busy. Registration counts stay out, so the event does not change with every sign-up.
    ``host_names`` saves loading ``dropin.hosts`` when the caller has them already.
    The online link of a session that needs registration goes to registrants only
    (``for_registrant``), never into public calendars.
    """
    _ = gettext
    library = dropin.library
    tz = _library_tz(library, default_tz)
    online_url = dropin.online_url if for_registrant or not dropin.registration_required else None
    location = dropin.location or ""
    if online_url:
        location = f"{location} ({online_url})" if location else online_url
    library_name = localized(library, "name", locale)
    if library is not None and library_name not in location:
        location = f"{location}, {library_name}" if location else library_name
    registration = None
    if dropin.registration_required and dropin.registration_deadline is not None:
        local = dropin.registration_deadline.astimezone(ZoneInfo(tz))
        deadline = f"{format_date(local, 'medium', locale=date_locale(str(locale)))} {local:%H:%M}"
        registration = _("Registration required, by %(deadline)s") % {"deadline": deadline}
    elif dropin.registration_required:
        registration = _("Registration required")
    if host_names is None:
        host_names = [p.name for p in dropin.hosts]
    hosts = ", ".join(host_names)
    description = _join(
        [
            localized(dropin, "description", locale),
            _("Online: %(url)s") % {"url": online_url} if online_url else None,
            _("Hosts: %(names)s") % {"names": hosts} if hosts else None,
            registration,
            _details(url, gettext),
        ]
    )
    return CalendarEvent(
        uid=event_uid("session", dropin.id, host),
        start=dropin.starts_at,
        end=dropin.ends_at,
        summary=localized(dropin, "title", locale),
        tz=tz,
        description=description,
        location=location or None,
        url=url,
        sequence=dropin.sequence,
        status="CANCELLED" if dropin.status == SessionStatus.CANCELLED else "CONFIRMED",
        last_modified=dropin.updated_at,
        created=dropin.created_at,
        categories=tuple(c for c in (localized(dropin.topic, "name", locale),) if c),
        transparent=True,
    )


def _short_names(colleagues: Sequence[Colleague]) -> list[str]:
    """First names ("Ola"), unless two colleagues share one: then full names."""
    firsts = [c.name.split()[0] if c.name.split() else c.name for c in colleagues]
    if len(set(firsts)) < len(firsts):
        return [c.name for c in colleagues]
    return firsts


def _and_list(names: Sequence[str], gettext: Gettext) -> str:
    _ = gettext
    if len(names) <= 1:
        return "".join(names)
    return _("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


def shift_event(
    shift: PublishedShift,
    *,
    host: str,
    colleagues: Sequence[str | Colleague] = (),
    url: str | None = None,
    default_tz: str = "Europe/Oslo",
    gettext: Gettext = untranslated,
) -> CalendarEvent:
    """A published desk shift: "Information desk, ground floor — with Ola"."""
    _ = gettext
    people = [c if isinstance(c, Colleague) else Colleague(c) for c in colleagues]
    point = shift.service_point
    library = point.library
    tz = _library_tz(library, default_tz)
    where = point.name
    if point.ground_floor:
        where = _("%(point)s, ground floor") % {"point": point.name}
    summary = where
    if people:
        summary = _("%(where)s — with %(names)s") % {
            "where": where,
            "names": _and_list(_short_names(people), gettext),
        }
    on_duty = []
    for c in people:
        same = c.starts_at in (None, shift.starts_at) and c.ends_at in (None, shift.ends_at)
        if same or c.starts_at is None or c.ends_at is None:
            on_duty.append(c.name)
        else:
            on_duty.append(f"{c.name} ({_hhmm(c.starts_at, tz)}–{_hhmm(c.ends_at, tz)})")
    description = _join(
        [
            point.description,
            _("On duty with: %(names)s") % {"names": ", ".join(on_duty)} if on_duty else None,
            _details(url, gettext),
        ]
    )
    return CalendarEvent(
        uid=event_uid("shift", shift.id, host),
        start=shift.starts_at,
        end=shift.ends_at,
        summary=summary,
        tz=tz,
        description=description,
        location=", ".join(x for x in (point.location, library.name if library else None) if x)
        or None,
        url=url,
        sequence=shift.sequence,
        status="CANCELLED" if shift.status == PublishedShiftStatus.CANCELLED else "CONFIRMED",
        last_modified=shift.updated_at,
    )
