"""Booking, cancelling and moving appointments; hand-over from the desk; e-mail checks.

No double booking, ever: the free-slot check below gives a clear answer in the normal
case, but the guarantee is the database's. On PostgreSQL an exclusion constraint refuses
a second active appointment whose busy range meets another of the same librarian (the
losing transaction gets a 409); on SQLite every writing transaction begins IMMEDIATE, so
the check and the insert run alone. On PostgreSQL, bookings for one librarian also
queue on a row lock, so that concurrent requests get a clean 409 (not a deadlock) and
the daily maximum cannot be passed by two requests at once.

Manage tokens are signed: an HMAC of a random per-appointment salt under a key derived
from the app's secret. Only their digest is stored; because they can be derived again,
reminders and later e-mails can carry the same link.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from scheduler import access, accounts, audit
from scheduler.booking.appointments import meeting_links, notices
from scheduler.booking.appointments.availability import BookingRules, Slot
from scheduler.booking.appointments.slots import slot_at
from scheduler.booking.confirmation import must_confirm
from scheduler.errors import Conflict, Forbidden, InputError, NotFound
from scheduler.models import (
    Appointment,
    AppointmentStatus,
    BookingSettings,
    Mode,
    Person,
    Role,
    Topic,
)
from scheduler.models.booking import NO_OVERLAP_CONSTRAINT
from scheduler.reasons import _, input_error
from scheduler.site import Site

MAX_NAME = 200
MAX_MESSAGE = 2000
MAX_ANSWER = 1000
EXCLUSION_VIOLATION = "23P01"  # PostgreSQL SQLSTATEs
DEADLOCK_DETECTED = "40P01"


@dataclass(frozen=True)
class BookingRequest:
    """What a patron (or desk staff for them) asks for; values already typed."""

    librarian_id: int
    topic_id: int
    start: datetime
    mode: Mode | None
    name: str
    email: str
    message: str | None = None
    answers: Mapping[str, str] = field(default_factory=dict)
    library_id: int | None = None
    locale: str | None = None


@dataclass(frozen=True)
class Booked:
    """The outcome: the appointment, and its manage token once the patron may have it."""

    appointment: Appointment
    manage_token: str | None
    needs_verification: bool = False


# Tokens ---------------------------------------------------------------------------


def manage_token_for(appointment: Appointment, site: Site) -> str:
    """The appointment's manage token (the same every time for the same secret key)."""
    return site.sign("appointment-manage", appointment.token_salt)


def find_by_manage_token(session: Session, token: str) -> Appointment:
    digest = accounts.token_digest(token or "")
    appointment = session.scalar(select(Appointment).where(Appointment.manage_token_hash == digest))
    if appointment is None or not accounts.tokens_equal(appointment.manage_token_hash, digest):
        raise NotFound(_("No booking has this link. It may be mistyped or no longer valid."))
    return appointment


def find_by_verify_token(session: Session, token: str) -> Appointment:
    digest = accounts.token_digest(token or "")
    appointment = session.scalar(select(Appointment).where(Appointment.verify_token_hash == digest))
    if appointment is None or not accounts.tokens_equal(
        appointment.verify_token_hash or "", digest
    ):
        raise NotFound(_("This confirmation link is not valid."))
    return appointment


def current_manage_token(appointment: Appointment, site: Site) -> str | None:
    """The token for links in new e-mails, if it still matches (the key may have changed)."""
    token = manage_token_for(appointment, site)
    if accounts.tokens_equal(accounts.token_digest(token), appointment.manage_token_hash):
        return token
    return None


# Settings and locking ---------------------------------------------------------------


def booking_rules(session: Session, librarian_id: int) -> BookingRules:
    row = session.get(BookingSettings, librarian_id)
    if row is None:
        return BookingRules()
    return BookingRules(
        slot_minutes=row.slot_minutes,
        buffer_minutes=row.buffer_minutes,
        min_notice_minutes=row.min_notice_minutes,
        horizon_days=row.horizon_days,
        max_per_day=row.max_per_day,
    )


def _lock_librarian(session: Session, librarian_id: int) -> None:
    """Serialise bookings for one librarian (PostgreSQL; SQLite writers are serialised by
    BEGIN IMMEDIATE already).

    The exclusion constraint alone is enough to prevent double booking, but when many
    requests insert conflicting rows at once PostgreSQL resolves them by deadlock
    detection (a second's wait, then an error); with this lock the losers wait their turn
    and see the winner's row in the slot check. It also makes the daily maximum exact.
    FOR NO KEY UPDATE does not block inserts that merely reference the person.
    """
    session.execute(
        select(Person.id).where(Person.id == librarian_id).with_for_update(key_share=True)
    )


def _release_expired_holds(session: Session, librarian_id: int, now: datetime) -> None:
    """Pending bookings whose hold ran out stop holding their time (for the constraint
    too, which only sees the status)."""
    expired = session.scalars(
        select(Appointment).where(
            Appointment.librarian_id == librarian_id,
            Appointment.status == AppointmentStatus.PENDING,
            Appointment.hold_expires_at <= now,
        )
    )
    for appointment in expired:
        appointment.status = AppointmentStatus.CANCELLED
        appointment.cancelled_at = now
        appointment.cancelled_by = "expired"
    session.flush()


def _is_overlap(exc: DBAPIError) -> bool:
    """The database refused the row because another active appointment meets it (or two
    such inserts deadlocked, which is how PostgreSQL settles conflicting ones)."""
    orig = exc.orig
    state = getattr(orig, "sqlstate", None)
    return state in (EXCLUSION_VIOLATION, DEADLOCK_DETECTED) or NO_OVERLAP_CONSTRAINT in str(orig)


def _taken(site: Site) -> Conflict:
    return Conflict(
        _("This time is no longer free. Please choose another time."),
        {"start": _("is no longer free")},
    )


def _already_taken(
    session: Session, librarian_id: int, start: datetime, site: Site, rules: BookingRules
) -> bool:
    """Whether an active appointment already starts at ``start`` (a bookable time): the
    many who lose a race for one slot get their 409 from one indexed read, without
    queueing for the librarian's lock and computing the day's slots (measured in
    bench/load: the booking storm). A miss proves nothing; the locked path decides."""
    if not site.now + rules.notice <= start <= site.now + timedelta(days=rules.horizon_days):
        return False  # outside the window, the locked path gives the precise reason
    found = session.scalar(
        select(Appointment.id)
        .where(
            Appointment.librarian_id == librarian_id,
            Appointment.starts_at == start,
            (Appointment.status == AppointmentStatus.BOOKED)
            | (
                (Appointment.status == AppointmentStatus.PENDING)
                & (Appointment.hold_expires_at > site.now)
            ),
        )
        .limit(1)
    )
    return found is not None


def _write(session: Session, appointment: Appointment, site: Site) -> None:
    """Flush the new or changed appointment; the database's refusal becomes a 409."""
    try:
        with session.begin_nested():
            session.add(appointment)
            session.flush()
    except (IntegrityError, OperationalError) as exc:
        if _is_overlap(exc):
            raise _taken(site) from None
        raise


def _free_slot(
    session: Session,
    librarian_id: int,
    start: datetime,
    site: Site,
    rules: BookingRules,
    *,
    library_id: int | None = None,
    moving: Appointment | None = None,
) -> Slot:
    """The free slot at ``start``, or the reason there is none (422, or 409 if taken)."""
    kwargs = {
        "now": site.now,
        "default_tz": site.default_tz,
        "busy_policy": site.busy_policy,
        "library_id": library_id,
        "exclude_appointment_id": moving.id if moving is not None else None,
    }
    slot = slot_at(session, librarian_id, start, **kwargs)
    if slot is not None:
        return slot
    if start <= site.now:
        raise InputError.field("start", _("is in the past"))
    if start < site.now + rules.notice:
        hours = format(rules.min_notice_minutes / 60, "g")
        raise InputError.field(
            "start", _("is inside the minimum notice of %(hours)s hours", hours=hours)
        )
    if start > site.now + timedelta(days=rules.horizon_days + 1):
        raise InputError.field(
            "start",
            _("is further ahead than bookings open (%(days)s days)", days=rules.horizon_days),
        )
    if slot_at(session, librarian_id, start, include_appointments=False, **kwargs) is not None:
        raise _taken(site)
    raise InputError.field("start", _("is not one of this librarian's free times"))


# Booking -----------------------------------------------------------------------------


def _check_request(session: Session, req: BookingRequest, site: Site):
    """Everything about a request that does not depend on the calendar; all bad fields at
    once, so a form can mark each of them."""
    errors: dict[str, str] = {}
    librarian = session.get(Person, req.librarian_id)
    if librarian is None or not (librarian.active and librarian.bookable):
        raise InputError.field("librarian", _("is not a librarian who can be booked"))
    topic = session.get(Topic, req.topic_id)
    if topic is None:
        raise InputError.field("topic", _("is not a known topic"))
    if topic not in librarian.topics:
        errors["topic"] = _("is not one of this librarian's topics")
    name = " ".join((req.name or "").split())
    if not name:
        errors["name"] = _("is required")
    elif len(name) > MAX_NAME:
        errors["name"] = _("is longer than %(n)s characters", n=MAX_NAME)
    email = ""
    try:
        email = accounts.normalise_email(req.email)
    except InputError:
        errors["email"] = _("is not a valid e-mail address")
    domains = topic.group.email_domains if topic.group else []
    if email and domains and email.rpartition("@")[2] not in domains:
        errors["email"] = _("must be an address at %(domains)s", domains=_any_of(domains))
    message = (req.message or "").strip() or None
    if message and len(message) > MAX_MESSAGE:
        errors["message"] = _("is longer than %(n)s characters", n=MAX_MESSAGE)
    if req.mode is None:
        errors["mode"] = _("is required")
    answers = _check_answers(topic, req.answers, errors)
    if errors:
        raise input_error(errors)
    return librarian, topic, name, email, message, answers, bool(domains)


def _any_of(choices: list[str]) -> str:
    """ "a or b or c", as reasons, so that a page shows "or" in its own language."""
    text: str = choices[0]
    for choice in choices[1:]:
        text = _("%(either)s or %(other)s", either=text, other=choice)
    return text


def _check_answers(topic: Topic, given: Mapping[str, str], errors: dict) -> dict | None:
    questions = topic.group.questions if topic.group else []
    known = {str(q.id): q for q in questions}
    for key in given:
        if str(key) not in known:
            errors[f"answers.{key}"] = _("is not a question on this booking page")
    out = {}
    for key, question in known.items():
        text = (given.get(key) or "").strip()
        if not text:
            if question.required:
                errors[f"answers.{key}"] = _("is required")
            continue
        if len(text) > MAX_ANSWER:
            errors[f"answers.{key}"] = _("is longer than %(n)s characters", n=MAX_ANSWER)
            continue
        out[key] = {"question": question.label, "answer": text}
    return out or None


def book(
    session: Session,
    req: BookingRequest,
    *,
    site: Site,
    actor: Person | None = None,
) -> Booked:
    """Book a free slot for a patron; ``actor`` is the desk staff member booking for them.

    Topics of a group restricted to some e-mail domains or set to confirm by e-mail, and
    any booking beyond the address's daily number (:mod:`scheduler.booking.confirmation`),
    make a pending booking that holds its time for ``site.hold_minutes`` until the patron
    follows the link sent to the address (desk bookings skip this: the patron is there).
    """
    # Any library's desk may hand a patron to any librarian (an online meeting, or the
    # specialist for the subject at another branch): first line somewhere is enough.
    if actor is not None and not actor.holds_anywhere(Role.FIRST_LINE):
        raise Forbidden(_("Only first-line staff can book for a patron."))
    librarian, topic, name, email, message, answers, restricted = _check_request(session, req, site)
    rules = booking_rules(session, librarian.id)
    if _already_taken(session, librarian.id, req.start, site, rules):
        raise _taken(site)
    _lock_librarian(session, librarian.id)
    _release_expired_holds(session, librarian.id, site.now)
    slot = _free_slot(session, librarian.id, req.start, site, rules, library_id=req.library_id)
    assert req.mode is not None
    if req.mode not in slot.modes:
        raise InputError.field("mode", _("is not offered at this time"))
    always = restricted or bool(topic.group and topic.group.confirm_by_email)
    pending = actor is None and must_confirm(session, email, site, always=always)
    verify_token, verify_digest = accounts.new_token() if pending else (None, None)
    salt = secrets.token_hex(16)
    token = site.sign("appointment-manage", salt)
    meeting_url = meeting_links.link_for(
        session, mode=req.mode, librarian_id=librarian.id, library_id=slot.library_id
    )
    # One INSERT and nothing else: on PostgreSQL every write of the row is checked
    # against the exclusion constraint again, and each check may wait for other bookings.
    appointment = Appointment(
        librarian_id=librarian.id,
        library_id=slot.library_id,
        topic_id=topic.id,
        mode=req.mode,
        starts_at=slot.start,
        ends_at=slot.end,
        blocked_until=slot.end + rules.buffer,
        status=AppointmentStatus.PENDING if pending else AppointmentStatus.BOOKED,
        hold_expires_at=site.now + timedelta(minutes=site.hold_minutes) if pending else None,
        verify_token_hash=verify_digest,
        patron_name=name,
        patron_email=email,
        message=message,
        answers=answers,
        locale=req.locale,
        booked_by_id=actor.id if actor is not None else None,
        token_salt=salt,
        manage_token_hash=accounts.token_digest(token),
        meeting_url=meeting_url,
        created_at=site.now,
    )
    _write(session, appointment, site)
    if pending:
        assert verify_token is not None
        notices.send_verification(session, appointment, verify_token, site)
        return Booked(appointment, None, needs_verification=True)
    notices.send_confirmation(session, appointment, token, site)
    notices.notify_librarian(session, appointment, "booked", site)
    return Booked(appointment, token)


def verify_email(session: Session, verify_token: str, *, site: Site) -> Booked:
    """Confirm a pending booking from the link in the e-mail (again: shows it once more).

    A hold that ran out is taken up again if the time is still free.
    """
    appointment = find_by_verify_token(session, verify_token)
    if appointment.status == AppointmentStatus.BOOKED:
        return Booked(appointment, current_manage_token(appointment, site))
    if appointment.status == AppointmentStatus.CANCELLED and appointment.cancelled_by != "expired":
        raise Conflict(_("This booking was cancelled."))
    if appointment.starts_at <= site.now:
        raise Conflict(_("This booking was not confirmed in time."))
    held = (
        appointment.status == AppointmentStatus.PENDING
        and appointment.hold_expires_at is not None
        and appointment.hold_expires_at > site.now
    )
    if not held:
        _lock_librarian(session, appointment.librarian_id)
        _release_expired_holds(session, appointment.librarian_id, site.now)
        slot = slot_at(
            session,
            appointment.librarian_id,
            appointment.starts_at,
            now=site.now,
            default_tz=site.default_tz,
            busy_policy=site.busy_policy,
            library_id=appointment.library_id,
            exclude_appointment_id=appointment.id,
        )
        if slot is None:
            rules = booking_rules(session, appointment.librarian_id)
            if appointment.starts_at < site.now + rules.notice:
                raise Conflict(
                    _("It is too late to confirm this time now. Please book another time."),
                    {"start": _("is inside the minimum notice")},
                )
            raise Conflict(
                _("Sorry, this time was taken while we waited for your confirmation."),
                {"start": _("is no longer free")},
            )
    appointment.status = AppointmentStatus.BOOKED
    appointment.hold_expires_at = None
    appointment.cancelled_at = None
    appointment.cancelled_by = None
    appointment.sequence += 1
    _write(session, appointment, site)
    token = manage_token_for(appointment, site)
    notices.send_confirmation(session, appointment, token, site)
    notices.notify_librarian(session, appointment, "booked", site)
    return Booked(appointment, token)


# Changes by the patron ---------------------------------------------------------------


def _check_changeable(session: Session, appointment: Appointment, site: Site) -> None:
    if appointment.status == AppointmentStatus.CANCELLED:
        raise Conflict(_("This appointment is cancelled."))
    if appointment.status == AppointmentStatus.PENDING:
        raise Conflict(_("Please confirm your e-mail address first."))
    rules = booking_rules(session, appointment.librarian_id)
    if site.now > appointment.starts_at - rules.notice:
        raise Conflict(
            _(
                "It is too late to change this appointment online. "
                "Please contact the library if you cannot come."
            )
        )


def changeable_until(session: Session, appointment: Appointment) -> datetime:
    """The last instant the patron may still cancel or move the appointment."""
    return appointment.starts_at - booking_rules(session, appointment.librarian_id).notice


def cancel_by_patron(session: Session, token: str, *, site: Site) -> Appointment:
    """Cancel through the manage link, until the minimum notice; cancelling twice is a
    no-op."""
    appointment = find_by_manage_token(session, token)
    if appointment.status == AppointmentStatus.CANCELLED:
        return appointment
    _check_changeable(session, appointment, site)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = site.now
    appointment.cancelled_by = "patron"
    appointment.sequence += 1
    session.flush()
    notices.send_cancellation(session, appointment, site)
    notices.notify_librarian(session, appointment, "cancelled", site)
    return appointment


def reschedule(
    session: Session,
    token: str,
    new_start: datetime,
    *,
    site: Site,
    mode: Mode | None = None,
    library_id: int | None = None,
) -> Appointment:
    """Move to another free slot of the same librarian, until the minimum notice."""
    appointment = find_by_manage_token(session, token)
    _check_changeable(session, appointment, site)
    if new_start == appointment.starts_at:
        raise InputError.field("start", _("is the time already booked"))
    _lock_librarian(session, appointment.librarian_id)
    rules = booking_rules(session, appointment.librarian_id)
    _release_expired_holds(session, appointment.librarian_id, site.now)
    slot = _free_slot(
        session,
        appointment.librarian_id,
        new_start,
        site,
        rules,
        library_id=library_id,
        moving=appointment,
    )
    mode = mode or appointment.mode
    if mode not in slot.modes:
        raise InputError.field("mode", _("is not offered at this time"))
    # Read before the row changes: a query now would flush the change outside _write.
    meeting_url = meeting_links.link_after_move(
        session, appointment, mode=mode, library_id=slot.library_id
    )
    appointment.starts_at = slot.start
    appointment.ends_at = slot.end
    appointment.blocked_until = slot.end + rules.buffer
    appointment.library_id = slot.library_id
    appointment.mode = mode
    appointment.meeting_url = meeting_url
    appointment.reminder_sent_at = None
    appointment.sequence += 1
    _write(session, appointment, site)
    session.refresh(appointment, ["library"])
    notices.send_rescheduled(session, appointment, token, site)
    notices.notify_librarian(session, appointment, "moved", site)
    return appointment


# Changes by staff ----------------------------------------------------------------------


def can_see_patron(actor: Person | None, appointment: Appointment) -> bool:
    """Patron details are for the librarian concerned and administrators only."""
    return actor is not None and (actor.id == appointment.librarian_id or access.is_admin(actor))


def cancel_by_staff(
    session: Session,
    appointment_id: int,
    *,
    actor: Person,
    message: str | None,
    site: Site,
) -> Appointment:
    """The librarian (or an administrator) cancels, with a message to the patron."""
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or not can_see_patron(actor, appointment):
        raise NotFound(_("No such appointment."))
    if appointment.status == AppointmentStatus.CANCELLED:
        raise Conflict(_("This appointment is cancelled."))
    if appointment.ends_at <= site.now:
        raise Conflict(_("This appointment has already taken place."))
    message = (message or "").strip() or None
    if message and len(message) > MAX_MESSAGE:
        raise InputError.field("message", _("is longer than %(n)s characters", n=MAX_MESSAGE))
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = site.now
    appointment.cancelled_by = "librarian" if actor.id == appointment.librarian_id else "staff"
    appointment.cancel_message = message
    appointment.hold_expires_at = None
    appointment.sequence += 1
    session.flush()
    audit.record(
        session,
        audit.Action.APPOINTMENT_CANCELLED,
        actor=actor,
        subject=f"appointment:{appointment.id}",
        details={"librarian": appointment.librarian_id, "by": appointment.cancelled_by},
        library_id=appointment.library_id,
        at=site.now,
    )
    if appointment.patron_email:
        notices.send_cancellation(session, appointment, site)
    if actor.id != appointment.librarian_id:
        notices.notify_librarian(session, appointment, "cancelled", site)
    return appointment
