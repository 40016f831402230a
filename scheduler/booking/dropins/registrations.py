"""Signing up for sessions and cancelling: places, waitlist positions, manage links.

A registration for several sessions of a series is one sign-up: one manage link (its
digest on every row) and one confirmation e-mail. Capacity holds under concurrent
requests because the sessions' rows are locked before anything is counted (see
:mod:`scheduler.booking.dropins.waitlist`), and one address can hold only one active
registration per session: a partial unique index enforces that even if two requests
slip past the check at the same moment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.accounts import new_token, normalise_email, token_digest, tokens_equal
from scheduler.booking.confirmation import must_confirm
from scheduler.booking.dropins.notices import (
    send_confirmation,
    send_registration_cancelled,
    send_registration_verification,
)
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
from scheduler.timeutil import utcnow

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
    """The new registrations and the manage token (shown once; only its digest is kept).

    A sign-up that waits for its address to be confirmed has no token yet (it comes with
    the e-mail sent after the link is followed); ``hold_until`` says until when its
    places and waitlist positions are held.
    """

    token: str | None
    registrations: list[Registration]
    hold_until: datetime | None = None

    @property
    def pending(self) -> bool:
        return self.token is None

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
    release_expired_holds(session, ordered, site, now)
    for dropin in ordered:
        _ensure_open(session, dropin, email, now, several=len(sessions) > 1)
    always = any(s.series is not None and s.series.confirm_by_email for s in ordered)
    pending = must_confirm(session, email, replace(site, now=now), always=always)
    token, digest = new_token()
    verify_token, verify_digest = new_token() if pending else (None, None)
    hold_until = now + timedelta(minutes=site.hold_minutes) if pending else None
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
                verify_token_hash=verify_digest,
                hold_expires_at=hold_until,
                created_at=now,
            )
        )
    try:
        with session.begin_nested():
            session.add_all(created)
            session.flush()
    except IntegrityError:
        # Only reachable if the row lock was bypassed; the index still says no.
        raise _duplicate() from None
    if verify_token is not None:
        send_registration_verification(session, site, created, verify_token, now)
        return Registered(None, created, hold_until)
    send_confirmation(session, site, created, token, now)
    return Registered(token, created)


def confirm_registration(
    session: Session, verify_token: str, *, site: Site, now: datetime
) -> Registered:
    """The registrant followed the link: the sign-up is final, and the e-mail with the
    manage link (a new token: the first was never shown) and the invitation goes out.

    Following it again changes nothing (no token then: it went by e-mail). A hold that
    ran out gave its places away, so a late link asks to sign up again.
    """
    digest = token_digest(verify_token or "")
    regs = list(
        session.scalars(
            select(Registration)
            .where(Registration.verify_token_hash == digest)
            .order_by(Registration.id)
        )
    )
    if not regs or not tokens_equal(regs[0].verify_token_hash or "", digest):
        raise NotFound(_("This confirmation link is not valid."), {"token": _("is unknown")})
    lock_sessions(session, [r.session_id for r in regs])
    release_expired_holds(session, [r.session for r in regs], site, now)
    waiting = [r for r in regs if r.hold_expires_at is not None]
    if not waiting:
        if all(r.status == RegistrationStatus.CANCELLED for r in regs):
            raise conflict(
                "token",
                _("This registration was not confirmed in time. Please sign up again."),
            )
        return Registered(None, regs)
    token, manage_digest = new_token()
    for reg in waiting:
        reg.hold_expires_at = None
        reg.manage_token_hash = manage_digest
    session.flush()
    send_confirmation(session, site, waiting, token, now)
    return Registered(token, waiting)


def release_expired_registration_holds(
    session: Session, config: Mapping[str, Any] | None = None
) -> int:
    """The sweep: places held for addresses that were not confirmed in time go to the
    waitlist (or back to the free count) without waiting for the next sign-up."""
    now = utcnow()
    ids = set(
        session.scalars(
            select(Registration.session_id).where(
                Registration.hold_expires_at.is_not(None),
                Registration.hold_expires_at <= now,
                Registration.status != RegistrationStatus.CANCELLED,
            )
        )
    )
    if not ids:
        return 0
    locked = lock_sessions(session, ids)
    return len(release_expired_holds(session, locked, Site.from_config(config or {}), now))


def release_expired_holds(
    session: Session, sessions: Sequence[DropInSession], site: Site, now: datetime
) -> list[Registration]:
    """Registrations whose address was not confirmed in time give up their place or
    waitlist position (the next person moves up). The caller holds the sessions' locks."""
    ids = [s.id for s in sessions]
    expired = list(
        session.scalars(
            select(Registration).where(
                Registration.session_id.in_(ids),
                Registration.hold_expires_at.is_not(None),
                Registration.hold_expires_at <= now,
                Registration.status != RegistrationStatus.CANCELLED,
            )
        )
    )
    if not expired:
        return []
    for reg in expired:
        reg.status = RegistrationStatus.CANCELLED
        reg.position = None
        reg.cancelled_at = now
        reg.hold_expires_at = None
    session.flush()
    for dropin in {r.session for r in expired}:
        renumber_waitlist(session, dropin.id)
        fill_from_waitlist(session, dropin, site, now)
    session.flush()
    return expired


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
    audit.record(
        session,
        audit.Action.REGISTRATION_CANCELLED,
        actor=actor,
        subject=f"registration:{reg.id}",
        details={"session": reg.session_id},
        library_id=reg.session.library_id,
        at=now,
    )
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
