"""Signing up for sessions and cancelling: places, waitlist positions, manage links.

A registration for several sessions of a series is one sign-up: one manage link (its
digest on every row) and one confirmation e-mail. Capacity holds under concurrent
requests because the sessions' rows are locked before anything is counted (see
:mod:`scheduler.booking.dropins.waitlist`), and one address can hold only one active
registration per session: a partial unique index enforces that even if two requests
slip past the check at the same moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler.accounts import new_token, normalise_email
from scheduler.booking.dropins.notices import send_confirmation, send_registration_cancelled
from scheduler.booking.dropins.queries import registrations_for_token
from scheduler.booking.dropins.sessions import may_see_registrants
from scheduler.booking.dropins.waitlist import (
    fill_from_waitlist,
    lock_sessions,
    registered_count,
    renumber_waitlist,
)
from scheduler.errors import Forbidden, InputError, NotFound
from scheduler.models import (
    DropInSession,
    Person,
    Registration,
    RegistrationStatus,
    SessionStatus,
)
from scheduler.reasons import _, conflict, input_error
from scheduler.site import Site

MAX_ANSWER = 2000


@dataclass(frozen=True)
class Registrant:
    """Who signs up: name and address, the answer to the session's question, lunch."""

    name: str
    email: str
    answer: str | None = None
    lunch: bool | None = None
    locale: str | None = None


@dataclass(frozen=True)
class Registered:
    """The new registrations and the manage token (shown once; only its digest is kept)."""

    token: str
    registrations: list[Registration]

    def for_session(self, session_id: int) -> Registration:
        return next(r for r in self.registrations if r.session_id == session_id)


def register(
    session: Session,
    session_ids: Sequence[int],
    who: Registrant,
    *,
    site: Site,
    now: datetime,
) -> Registered:
    """Sign ``who`` up for one session, or several of one series; all or nothing.

    Each session gives a place while there is one, else a waitlist position (1, 2, ...)
    if it keeps a waitlist. Refused (and nothing stored) for a cancelled, started or
    past session, after the deadline, for an address already signed up, or when the
    session is full and keeps no waitlist.
    """
    name, email, answer = _check_registrant(who)
    wanted = list(dict.fromkeys(session_ids))
    if not wanted:
        raise input_error({"sessions": _("choose at least one session")})
    sessions = lock_sessions(session, wanted)
    found = {s.id for s in sessions}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise NotFound(_("No such session."), {"session": _("does not exist")})
    if len(sessions) > 1 and (
        len({s.series_id for s in sessions}) > 1 or sessions[0].series_id is None
    ):
        raise input_error({"sessions": _("must all belong to the same series")})

    ordered = sorted(sessions, key=lambda s: s.starts_at)
    for dropin in ordered:
        _ensure_open(session, dropin, email, now, several=len(sessions) > 1)
    token, digest = new_token()
    created = []
    for dropin in ordered:
        taken = registered_count(session, dropin.id)
        if dropin.capacity is None or taken < dropin.capacity:
            status, position = RegistrationStatus.REGISTERED, None
        else:
            status = RegistrationStatus.WAITLISTED
            position = len(renumber_waitlist(session, dropin.id)) + 1
        created.append(
            Registration(
                session_id=dropin.id,
                name=name,
                email=email,
                answer=answer if dropin.question else None,
                lunch=bool(who.lunch) if dropin.lunch else None,
                locale=who.locale,
                status=status,
                position=position,
                manage_token_hash=digest,
            )
        )
    try:
        with session.begin_nested():
            session.add_all(created)
            session.flush()
    except IntegrityError:
        # Only reachable if the row lock was bypassed; the index still says no.
        raise _duplicate() from None
    send_confirmation(session, site, created, token, now)
    return Registered(token, created)


def cancel_with_token(
    session: Session,
    token: str,
    session_ids: Sequence[int] | None = None,
    *,
    site: Site,
    now: datetime,
) -> list[Registration]:
    """The registrant cancels through the manage link: all upcoming sessions it covers,
    or the chosen ones. Places freed go to the first on the waitlist.

    Cancelling again is harmless (nothing left to cancel returns an empty list).
    """
    regs = registrations_for_token(session, token)
    if not regs:
        raise NotFound(_("This link is unknown or no longer valid."), {"token": _("is unknown")})
    if session_ids is not None:
        covered = {r.session_id for r in regs}
        stray = [i for i in session_ids if i not in covered]
        if stray:
            raise input_error(
                {"sessions": _("session %(id)s is not part of this registration", id=stray[0])}
            )
    active = [
        r
        for r in regs
        if r.status != RegistrationStatus.CANCELLED
        and (session_ids is None or r.session_id in session_ids)
    ]
    lock_sessions(session, [r.session_id for r in active])
    started = [r for r in active if r.session.starts_at <= now]
    if started and (session_ids is not None or len(started) == len(active)):
        raise conflict(
            "session", _("The session has already started; it can no longer be cancelled.")
        )
    return _cancel(session, [r for r in active if r not in started], site, now, by_staff=False)


def cancel_by_staff(
    session: Session, actor: Person, registration_id: int, *, site: Site, now: datetime
) -> Registration:
    """A host or section leader removes someone (and the next person moves up)."""
    reg = session.get(Registration, registration_id)
    if reg is None:
        raise NotFound(_("No such registration."), {"registration": _("does not exist")})
    if not may_see_registrants(actor, reg.session):
        raise Forbidden(
            _("Only the hosts and section leaders manage this session's registrations."),
            {"registration": _("not yours to change")},
        )
    lock_sessions(session, [reg.session_id])
    if reg.status == RegistrationStatus.CANCELLED:
        return reg
    if reg.session.ends_at <= now:
        raise conflict("session", _("This session has already taken place."))
    _cancel(session, [reg], site, now, by_staff=True)
    return reg


def cancel_registrations(
    session: Session, regs: list[Registration], *, site: Site, now: datetime
) -> list[Registration]:
    """Cancel these registrations as their registrant asked (the waitlist moves up)."""
    lock_sessions(session, [r.session_id for r in regs])
    return _cancel(session, regs, site, now, by_staff=False)


def _cancel(
    session: Session, regs: list[Registration], site: Site, now: datetime, *, by_staff: bool
) -> list[Registration]:
    had_place = {r.id for r in regs if r.status == RegistrationStatus.REGISTERED}
    for reg in regs:
        reg.status = RegistrationStatus.CANCELLED
        reg.position = None
        reg.cancelled_at = now
        if reg.id in had_place:
            # The CANCEL sent to this person must outrank the invitation they hold.
            reg.session.sequence += 1
    session.flush()
    send_registration_cancelled(
        session, site, regs, had_place=had_place, by_staff=by_staff, now=now
    )
    for dropin in {r.session for r in regs}:
        renumber_waitlist(session, dropin.id)
        fill_from_waitlist(session, dropin, site, now)
    session.flush()
    return regs


def _check_registrant(who: Registrant) -> tuple[str, str, str | None]:
    errors: dict[str, str] = {}
    name = (who.name or "").strip()
    if not name:
        errors["name"] = _("is required")
    elif len(name) > 200:
        errors["name"] = _("is longer than %(most)s characters", most=200)
    email = ""
    try:
        email = normalise_email(who.email or "")
    except InputError as exc:
        reason = exc.fields.get("email", "")
        errors["email"] = (
            _("is required") if reason == "is required" else _("is not a valid e-mail address")
        )
    answer = (who.answer or "").strip() or None
    if answer and len(answer) > MAX_ANSWER:
        errors["answer"] = _("is longer than %(most)s characters", most=MAX_ANSWER)
    if errors:
        raise input_error(errors)
    return name, email, answer


def _ensure_open(
    session: Session, dropin: DropInSession, email: str, now: datetime, *, several: bool
) -> None:
    """Conflicts with the session's state, named for the field a person can act on."""

    def refuse(field: str, reason: str) -> None:
        if several:
            local = dropin.starts_at.astimezone(_zone(dropin)).strftime("%Y-%m-%d")
            reason = _("%(reason)s (%(day)s)", reason=reason, day=local)
        raise conflict(field, reason)

    if dropin.status == SessionStatus.CANCELLED:
        refuse("session", _("This session is cancelled."))
    if dropin.ends_at <= now:
        refuse("session", _("This session has already taken place."))
    if dropin.starts_at <= now:
        refuse("session", _("This session has already started."))
    if not dropin.registration_required:
        refuse("session", _("This session needs no registration: just come."))
    if now >= dropin.registration_closes_at:
        refuse("registration_deadline", _("Registration for this session has closed."))
    duplicate = session.scalar(
        select(Registration.id).where(
            Registration.session_id == dropin.id,
            Registration.email == email,
            Registration.status != RegistrationStatus.CANCELLED,
        )
    )
    if duplicate is not None:
        raise _duplicate()
    full = dropin.capacity is not None and registered_count(session, dropin.id) >= dropin.capacity
    if full and not dropin.waitlist_enabled:
        refuse("session", _("This session is full and keeps no waitlist."))


def _duplicate() -> Exception:
    return conflict(
        "email",
        _("is already signed up for this session"),
        _("This e-mail address is already signed up for this session."),
    )


def _zone(dropin: DropInSession) -> ZoneInfo:
    return ZoneInfo(dropin.library.timezone)
