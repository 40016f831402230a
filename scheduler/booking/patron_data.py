"""A patron's own bookings, found by their e-mail address: one page behind a link sent to
that address lists every appointment and drop-in registration, exports them, cancels
them, and erases the patron's details (GDPR articles 15, 17 and 20).

The link carries the address, signed and dated (24 hours), so nothing is stored to
make it and anyone who can read that mailbox — and only they — can open it. Asking for
a link answers the same whether or not the address has bookings.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from scheduler import audit
from scheduler.accounts import normalise_email
from scheduler.booking.appointments.book import (
    cancel_by_patron,
    changeable_until,
    current_manage_token,
)
from scheduler.booking.dropins.registrations import cancel_registrations
from scheduler.errors import Conflict, NotFound
from scheduler.mail.letter import Letter
from scheduler.models import (
    Appointment,
    AppointmentStatus,
    DropInSession,
    EmailState,
    OutboundEmail,
    Registration,
    RegistrationStatus,
)
from scheduler.reasons import _
from scheduler.site import Site

LINK_HOURS = 24
_SALT = "patron-bookings"


@dataclass(frozen=True)
class AppointmentLine:
    appointment: Appointment
    manage_token: str | None  # to move or cancel on its own page; None when not changeable
    upcoming: bool


@dataclass(frozen=True)
class RegistrationLine:
    registration: Registration
    cancellable: bool
    upcoming: bool


@dataclass(frozen=True)
class PatronBookings:
    email: str
    appointments: list[AppointmentLine]
    registrations: list[RegistrationLine]

    @property
    def empty(self) -> bool:
        return not self.appointments and not self.registrations


@dataclass(frozen=True)
class Erased:
    appointments: int
    registrations: int
    cancelled: int
    email_ids: list[int]  # stored e-mails deleted (their files go too, after the commit)


def _serializer(site: Site) -> URLSafeTimedSerializer:
    if not site.secret_key:
        raise ValueError("Site.secret_key is empty: nothing can be signed with it")
    return URLSafeTimedSerializer(site.secret_key, salt=_SALT)


def link_token(site: Site, email: str) -> str:
    return _serializer(site).dumps(email)


def email_from_token(site: Site, token: str) -> str:
    """The address a link was sent to; NotFound when it is not ours or too old."""
    try:
        email = _serializer(site).loads(token or "", max_age=LINK_HOURS * 3600)
    except SignatureExpired:
        raise NotFound(_("This link has expired. Ask for a new one.")) from None
    except BadSignature:
        raise NotFound(_("This link is not valid. Ask for a new one.")) from None
    return str(email)


def _appointments(session: Session, email: str) -> list[Appointment]:
    return list(
        session.scalars(
            select(Appointment)
            .where(func.lower(Appointment.patron_email) == email)
            .options(selectinload(Appointment.librarian), selectinload(Appointment.topic))
            .order_by(Appointment.starts_at.desc())
        )
    )


def _registrations(session: Session, email: str) -> list[Registration]:
    return list(
        session.scalars(
            select(Registration)
            .join(Registration.session)
            .where(func.lower(Registration.email) == email)
            .options(selectinload(Registration.session).selectinload(DropInSession.library))
            .order_by(DropInSession.starts_at.desc())
        )
    )


def has_bookings(session: Session, email: str) -> bool:
    return bool(_appointments(session, email) or _registrations(session, email))


def request_link(session: Session, raw_email: str, *, site: Site, language: str | None) -> bool:
    """E-mail the link if the address has anything with us; True if one was queued. The
    caller answers the same either way (no one learns who books with the library)."""
    email = normalise_email(raw_email)
    if not has_bookings(session, email):
        return False
    letter = Letter(email, language=language, site=site)
    _ = letter.gettext
    letter.add(
        _("Someone (we hope you) asked for a list of your bookings with the library."),
        "",
        _("Open this link within 24 hours to see, cancel, export or erase them:"),
        site.url(f"/my-bookings/{link_token(site, email)}"),
        "",
        _("If you did not ask, you can ignore this e-mail."),
    )
    letter.queue(session, _("Your bookings with the library"), signature=None)
    return True


def bookings_for(session: Session, email: str, *, site: Site) -> PatronBookings:
    now = site.now
    appointments = []
    for a in _appointments(session, email):
        upcoming = a.ends_at > now and a.status != AppointmentStatus.CANCELLED
        changeable = a.status == AppointmentStatus.BOOKED and now <= changeable_until(session, a)
        token = current_manage_token(a, site) if changeable else None
        appointments.append(AppointmentLine(a, token, upcoming))
    registrations = []
    for r in _registrations(session, email):
        active = r.status != RegistrationStatus.CANCELLED
        upcoming = active and r.session.ends_at > now
        registrations.append(RegistrationLine(r, active and r.session.starts_at > now, upcoming))
    return PatronBookings(email, appointments, registrations)


def cancel_registration(
    session: Session, email: str, registration_id: int, *, site: Site
) -> Registration:
    """Cancel one of the patron's own registrations (the waitlist moves up)."""
    reg = session.get(Registration, registration_id)
    if reg is None or (reg.email or "").lower() != email:
        raise NotFound(_("No such registration."), {"registration": _("does not exist")})
    if reg.status == RegistrationStatus.CANCELLED:
        return reg
    if reg.session.starts_at <= site.now:
        raise Conflict(_("The session has already started; it can no longer be cancelled."))
    cancel_registrations(session, [reg], site=site, now=site.now)
    return reg


def export(session: Session, email: str, *, site: Site) -> dict[str, Any]:
    """Everything we hold about the address, as plain JSON values (article 20)."""

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    appointments = _appointments(session, email)
    registrations = _registrations(session, email)
    audit.record(
        session,
        audit.Action.PATRON_DATA_EXPORTED,
        actor=None,
        subject="patron_data",  # never the address: the log keeps no patron data
        details={"appointments": len(appointments), "registrations": len(registrations)},
        at=site.now,
    )
    return {
        "email": email,
        "exported_at": iso(site.now),
        "appointments": [
            {
                "starts_at": iso(a.starts_at),
                "ends_at": iso(a.ends_at),
                "status": a.status.value,
                "way_to_meet": a.mode.value,
                "librarian": a.librarian.name if a.librarian else None,
                "topic": a.topic.name if a.topic else None,
                "library": a.library.name if a.library else None,
                "name": a.patron_name,
                "email": a.patron_email,
                "message": a.message,
                "answers": a.answers,
                "language": a.locale,
                "booked_at": iso(a.created_at),
                "cancelled_at": iso(a.cancelled_at),
            }
            for a in appointments
        ],
        "registrations": [
            {
                "session": r.session.title,
                "starts_at": iso(r.session.starts_at),
                "ends_at": iso(r.session.ends_at),
                "library": r.session.library.name if r.session.library else None,
                "status": r.status.value,
                "waitlist_position": r.position,
                "name": r.name,
                "email": r.email,
                "answer": r.answer,
                "lunch": r.lunch,
                "language": r.locale,
                "registered_at": iso(r.created_at),
                "cancelled_at": iso(r.cancelled_at),
            }
            for r in registrations
        ],
    }


def erase(session: Session, email: str, *, site: Site) -> Erased:
    """Cancel what is still to come (the library and the waitlist are told), then forget
    the patron's name, address, message and answers everywhere; the rows stay, without
    them, so counts per topic and session still add up (article 17)."""
    now = site.now
    cancelled = 0
    appointments = _appointments(session, email)
    for a in appointments:
        if a.status in (AppointmentStatus.BOOKED, AppointmentStatus.PENDING) and a.ends_at > now:
            token = current_manage_token(a, site)
            if token is not None and a.status == AppointmentStatus.BOOKED:
                # Too late to cancel online (Conflict): the library keeps the time.
                with contextlib.suppress(Conflict):
                    cancel_by_patron(session, token, site=site)
            else:
                a.status = AppointmentStatus.CANCELLED
                a.cancelled_at, a.cancelled_by = now, "patron"
            cancelled += a.status == AppointmentStatus.CANCELLED
    registrations = _registrations(session, email)
    upcoming = [
        r
        for r in registrations
        if r.status != RegistrationStatus.CANCELLED and r.session.starts_at > now
    ]
    if upcoming:
        cancel_registrations(session, upcoming, site=site, now=now)
        cancelled += len(upcoming)
    session.flush()
    for a in appointments:
        a.patron_name = a.patron_email = a.message = a.answers = a.cancel_message = None
        a.verify_token_hash = None
        a.purged_at = now
    for r in registrations:
        r.name = r.email = r.answer = None
        r.purged_at = now
    # Stored e-mails quote the address and name; those still to be sent (the
    # cancellations just written) go out first and are purged with the rest later.
    ids = list(
        session.scalars(
            select(OutboundEmail.id).where(
                func.lower(OutboundEmail.to_address) == email,
                OutboundEmail.state.in_([EmailState.SENT, EmailState.FAILED]),
            )
        )
    )
    if ids:
        session.execute(delete(OutboundEmail).where(OutboundEmail.id.in_(ids)))
    audit.record(
        session,
        audit.Action.PATRON_DATA_ERASED,
        actor=None,
        subject="patron_data",
        details={
            "appointments": len(appointments),
            "registrations": len(registrations),
            "cancelled": cancelled,
            "stored_emails": len(ids),
        },
        at=now,
    )
    session.flush()
    return Erased(len(appointments), len(registrations), cancelled, ids)
