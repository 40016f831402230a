"""E-mails to registrants: confirmation, promotion, changes and cancellations.

Each e-mail is a :class:`~scheduler.mail.letter.Letter` in the language the registrant
used (``Registration.locale``), stored in the caller's transaction and sent after the
commit. People registered for several sessions of a series get one e-mail, with one
calendar invitation (``.ics``, iTIP REQUEST or CANCEL) per session they hold a place
in; people on a waitlist get no invitation until they have a place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from scheduler.calendars import Person, dropin_event
from scheduler.mail.letter import Letter
from scheduler.models import DropInSession, Registration, RegistrationStatus
from scheduler.models.translations import localized
from scheduler.requester_text import shown_name
from scheduler.site import Site


def where(dropin: DropInSession, lang: str | None = None) -> str:
    """The room, the library and the online link, as one line."""
    library = localized(dropin.library, "name", lang) or ""
    parts = [p for p in (dropin.location, library) if p]
    if dropin.online_url:
        parts.append(dropin.online_url)
    return ", ".join(parts)


def by_recipient(regs: Iterable[Registration]) -> list[list[Registration]]:
    """Registrations grouped per person (address and manage link), sessions in time order."""
    groups: dict[tuple[str, str], list[Registration]] = {}
    for reg in regs:
        if not reg.email:
            continue  # purged: nobody to tell
        groups.setdefault((reg.email, reg.manage_token_hash), []).append(reg)
    return [sorted(g, key=lambda r: (r.session.starts_at, r.session_id)) for g in groups.values()]


def _letter(regs: list[Registration], site: Site) -> Letter:
    """A letter to the person of ``regs``, greeting them, in their language."""
    first = regs[0]
    library = first.session.library
    letter = Letter(
        first.email or "",
        language=first.locale,
        site=site,
        tz=library.timezone if library else site.default_tz,
    )
    letter.greet(first.name)
    return letter


def _when(letter: Letter, dropin: DropInSession) -> str:
    return letter.when(dropin.starts_at, dropin.ends_at)


def _title(letter: Letter, dropin: DropInSession) -> str:
    """The session's title in the recipient's language."""
    return str(localized(dropin, "title", letter.lang))


def _lines(letter: Letter, regs: list[Registration]) -> list[str]:
    return [
        f"- {_title(letter, r.session)}: {_when(letter, r.session)}, "
        f"{where(r.session, letter.lang)}"
        for r in regs
    ]


def _invite(
    letter: Letter, regs: Iterable[Registration], site: Site, method: str, now: datetime
) -> None:
    """One iTIP message per session for the registrant's address (REQUEST, or CANCEL)."""
    for reg in regs:
        dropin = reg.session
        event = dropin_event(
            dropin,
            host=site.host,
            url=site.dropin_url(dropin.id),
            default_tz=site.default_tz,
            gettext=letter.gettext,
            locale=letter.lang,
            for_registrant=True,
        )
        library = dropin.library
        organizer = Person(library.name, library.email or site.organizer_email)
        attendee = Person(shown_name(reg.name) or reg.email or "", reg.email or "")
        event = replace(event, organizer=organizer, attendees=(attendee,))
        if method == "CANCEL":
            event = replace(event, status="CANCELLED")
        letter.invite([event], method=method, filename=f"session-{dropin.id}.ics", stamp=now)


def _signature(regs: list[Registration]) -> str:
    library = regs[0].session.library
    return library.name if library else ""


def send_registration_verification(
    session: Session, site: Site, regs: list[Registration], verify_token: str, now: datetime
) -> None:
    """ "Confirm your address": the places are held until the link is followed."""
    first = regs[0]
    letter = _letter(regs, site)
    _ = letter.gettext
    letter.add(
        _("Please confirm your e-mail address to complete your registration for:"),
        *_lines(letter, regs),
        "",
        site.registration_confirm_url(verify_token),
        "",
    )
    if first.hold_expires_at is not None:
        letter.add(
            _("We hold your place until %(time)s. If you did not sign up, ignore this.")
            % {"time": letter.clock(first.hold_expires_at)}
        )
    letter.queue(
        session,
        _("Confirm your registration: %(title)s") % {"title": first.session.title},
        signature=_signature(regs),
    )


def send_confirmation(
    session: Session, site: Site, regs: list[Registration], token: str, now: datetime
) -> None:
    """Tell a new registrant where they stand in each session, with the link to cancel."""
    first = regs[0]
    letter = _letter(regs, site)
    _ = letter.gettext
    placed = [r for r in regs if r.status == RegistrationStatus.REGISTERED]
    waiting = [r for r in regs if r.status == RegistrationStatus.WAITLISTED]
    title = _title(letter, first.session)
    if placed:
        subject = _("Registered: %(title)s") % {"title": title}
        letter.add(_("You are registered for:"), *_lines(letter, placed), "")
        letter.add(_("The calendar invitation is attached."), "")
    else:
        subject = _("On the waitlist: %(title)s") % {"title": title}
    if waiting:
        letter.add(_("You are on the waitlist for:"))
        for r in waiting:
            letter.add(
                f"- {_title(letter, r.session)}: {_when(letter, r.session)} "
                + _("(number %(position)s on the waitlist)") % {"position": r.position}
            )
        letter.add(_("We will e-mail you if a place becomes free."), "")
    # The answer stays out: whoever signed up may not own the address (requester_text).
    if first.session.lunch and first.lunch is not None:
        letter.add(_("Lunch: yes") if first.lunch else _("Lunch: no"), "")
    letter.add(
        _("About the session: %(url)s") % {"url": site.dropin_url(first.session_id)},
        _("To cancel, open this link: %(url)s") % {"url": site.registration_url(token)},
    )
    _invite(letter, placed, site, "REQUEST", now)
    letter.queue(session, subject, signature=_signature(regs))


def send_promotion(session: Session, site: Site, reg: Registration, now: datetime) -> None:
    """A place became free and the first person on the waitlist has it now."""
    letter = _letter([reg], site)
    _ = letter.gettext
    letter.add(
        _("A place became free, and it is yours. You are now registered for:"),
        *_lines(letter, [reg]),
        "",
        _("The calendar invitation is attached."),
        _(
            "If you can no longer come, please cancel with the link in your first e-mail, "
            "so that the next person on the waitlist gets the place."
        ),
    )
    _invite(letter, [reg], site, "REQUEST", now)
    letter.queue(
        session,
        _("You have a place: %(title)s") % {"title": _title(letter, reg.session)},
        signature=_signature([reg]),
    )


def send_changes(session: Session, site: Site, regs: Iterable[Registration], now: datetime) -> None:
    """The time, place or title changed: new details and updated invitations."""
    for group in by_recipient(regs):
        letter = _letter(group, site)
        _ = letter.gettext
        placed = [r for r in group if r.status == RegistrationStatus.REGISTERED]
        letter.add(
            _("The details of a session you signed up for have changed. It is now:"),
            *_lines(letter, group),
        )
        if placed:
            letter.add("", _("The updated calendar invitation is attached."))
        _invite(letter, placed, site, "REQUEST", now)
        letter.queue(
            session,
            _("Changed: %(title)s") % {"title": _title(letter, group[0].session)},
            signature=_signature(group),
        )


def send_session_cancelled(
    session: Session,
    site: Site,
    regs: Iterable[Registration],
    message: str | None,
    now: datetime,
) -> None:
    """The organisers cancelled sessions: everyone registered or waiting is told."""
    for group in by_recipient(regs):
        letter = _letter(group, site)
        _ = letter.gettext
        placed = [r for r in group if r.status == RegistrationStatus.REGISTERED]
        letter.add(_("We are sorry: this has been cancelled:"), *_lines(letter, group), "")
        if message:
            letter.add(_("Message from the organisers:"), message, "")
        letter.add(_("You do not need to do anything."))
        _invite(letter, placed, site, "CANCEL", now)
        letter.queue(
            session,
            _("Cancelled: %(title)s") % {"title": _title(letter, group[0].session)},
            signature=_signature(group),
        )


def send_registration_cancelled(
    session: Session,
    site: Site,
    regs: list[Registration],
    *,
    had_place: set[int],
    by_staff: bool,
    now: datetime,
) -> None:
    """Confirm a cancelled registration; ``had_place`` are ids that held a place (get CANCEL)."""
    for group in by_recipient(regs):
        letter = _letter(group, site)
        _ = letter.gettext
        if by_staff:
            letter.add(_("The organisers have cancelled your registration for:"))
        else:
            letter.add(_("Your registration is cancelled for:"))
        letter.add(*_lines(letter, group))
        _invite(letter, [r for r in group if r.id in had_place], site, "CANCEL", now)
        letter.queue(
            session,
            _("Registration cancelled: %(title)s") % {"title": _title(letter, group[0].session)},
            signature=_signature(group),
        )
