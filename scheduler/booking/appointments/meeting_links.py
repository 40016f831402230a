"""Video meeting links for online appointments.

A librarian may keep one personal meeting room (Zoom, Teams, Jitsi, Whereby … any https
address); a library may instead set a template with ``{token}`` in it, so that every
online appointment there gets a room of its own that nobody can guess. The link is fixed
when the appointment is booked and kept when it is moved: the patron already has it.
"""

from __future__ import annotations

import secrets
import string
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from scheduler.booking.appointments.rules import can_edit, settings_for
from scheduler.errors import Forbidden, InputError
from scheduler.models import Appointment, BookingSettings, Library, Mode, Person
from scheduler.reasons import _

MAX_LENGTH = 500
TOKEN_FIELD = "{token}"
# About 103 random bits in lower-case letters and digits only, so that services which fold
# room names to lower case (some do) still keep rooms apart.
_TOKEN_ALPHABET = string.ascii_lowercase + string.digits
_TOKEN_LENGTH = 20


def parse_https_url(raw: object, field: str) -> str | None:
    """An absolute https address with a host and nothing that could smuggle another
    one in (no spaces, no user:password@); empty means none."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    if len(text) > MAX_LENGTH:
        raise InputError.field(field, _("is longer than %(n)s characters", n=MAX_LENGTH))
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in text):
        raise InputError.field(field, _("must not contain spaces"))
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise InputError.field(field, _("is not a valid web address")) from None
    if parts.scheme.lower() != "https":
        raise InputError.field(field, _("must start with https://"))
    if not host or "." not in host.strip("."):
        raise InputError.field(field, _("is not a valid web address"))
    if parts.username is not None or parts.password is not None:
        raise InputError.field(field, _("must not contain a user name or password"))
    return text


def parse_template(raw: object, field: str) -> str | None:
    """A meeting address with exactly one ``{token}`` where the room name goes."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    if text.count(TOKEN_FIELD) != 1:
        raise InputError.field(field, _("must contain {token} once"))
    if "{" in text.replace(TOKEN_FIELD, "") or "}" in text.replace(TOKEN_FIELD, ""):
        raise InputError.field(field, _("may contain no braces other than {token}"))
    parse_https_url(text.replace(TOKEN_FIELD, "x" * _TOKEN_LENGTH), field)
    return text


def new_room_token() -> str:
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _n in range(_TOKEN_LENGTH))


def link_for(
    session: Session, *, mode: Mode, librarian_id: int, library_id: int | None
) -> str | None:
    """The link a new appointment gets: the library's room per appointment if it has a
    template, else the librarian's own room; none unless the appointment is online."""
    if mode != Mode.ONLINE:
        return None
    library = session.get(Library, library_id) if library_id is not None else None
    if library is not None and library.meeting_url_template:
        return library.meeting_url_template.replace(TOKEN_FIELD, new_room_token())
    settings = session.get(BookingSettings, librarian_id)
    return settings.meeting_url if settings is not None else None


def link_after_move(
    session: Session, appointment: Appointment, *, mode: Mode, library_id: int | None
) -> str | None:
    """A moved online appointment keeps its link (the patron already has it); one that
    becomes online gets one, one that stops being online loses it."""
    if mode != Mode.ONLINE:
        return None
    if appointment.meeting_url:
        return appointment.meeting_url
    return link_for(
        session, mode=mode, librarian_id=appointment.librarian_id, library_id=library_id
    )


def set_personal_link(
    session: Session, *, actor: Person, person: Person, raw: object
) -> BookingSettings:
    """Save (or clear, when empty) the librarian's own meeting room."""
    if not can_edit(actor, person):
        raise Forbidden(_("You can only change your own availability."))
    url = parse_https_url(raw, "meeting_url")
    row = settings_for(session, person)
    row.meeting_url = url
    session.flush()
    return row
