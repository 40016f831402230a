"""E-mails to registrants: confirmation, promotion, changes and cancellations.

Each e-mail goes out in the language the registrant used (``Registration.locale``),
is queued with :func:`scheduler.notify.queue_email` inside the caller's transaction, and
leaves only after the commit. People registered for several sessions of a series get
one e-mail, with one calendar invitation (``.ics``, iTIP REQUEST or CANCEL) per session
they hold a place in; people on a waitlist get no invitation until they have a place.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel import dates
from babel.support import NullTranslations, Translations
from sqlalchemy.orm import Session

from scheduler.calendars import Person, build_calendar, dropin_event
from scheduler.i18n import load_translations
from scheduler.models import DropInSession, Registration, RegistrationStatus
from scheduler.notify import queue_email

LANGUAGES = ("nb", "en")


@dataclass(frozen=True)
class Site:
    """What notices need from the deployment: the public address, zone, language, sender."""

    public_url: str = "http://localhost:8000"
    default_tz: str = "Europe/Oslo"
    language: str = "nb"
    organizer_email: str = "no-reply@library.example"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Site:
        languages = config.get("LANGUAGES") or ["nb"]
        sender = parseaddr(str(config.get("MAIL_FROM") or ""))[1]
        return cls(
            public_url=str(config.get("PUBLIC_URL") or cls.public_url).rstrip("/"),
            default_tz=str(config.get("TIMEZONE") or cls.default_tz),
            language=str(languages[0]),
            organizer_email=sender or cls.organizer_email,
        )

    @property
    def uid_host(self) -> str:
        """The host part of calendar UIDs; the same as the public feed uses."""
        return urlsplit(self.public_url).hostname or "localhost"

    def session_url(self, session_id: int) -> str:
        return f"{self.public_url}/dropins/{session_id}"

    def manage_url(self, token: str) -> str:
        return f"{self.public_url}/dropins/manage/{token}"


@functools.cache
def _translations(lang: str) -> Translations | NullTranslations:
    return load_translations(lang) if lang != "en" else NullTranslations()


def _lang(reg: Registration, site: Site) -> str:
    return reg.locale if reg.locale in LANGUAGES else site.language


def when(dropin: DropInSession, lang: str, default_tz: str = "Europe/Oslo") -> str:
    """ "Wednesday, February 3, 2027, 13:00–14:30" in the library's wall-clock time."""
    tz = ZoneInfo(dropin.library.timezone if dropin.library else default_tz)
    start, end = dropin.starts_at.astimezone(tz), dropin.ends_at.astimezone(tz)
    day = dates.format_date(start.date(), "full", locale=lang)
    return f"{day}, {start:%H:%M}–{end:%H:%M}"


def where(dropin: DropInSession) -> str:
    parts = [p for p in (dropin.location, dropin.library.name if dropin.library else "") if p]
    if dropin.online_url:
        parts.append(dropin.online_url)
    return ", ".join(parts)


def _invitation(
    dropin: DropInSession, reg: Registration, site: Site, method: str, now: datetime
) -> dict[str, str]:
    """A one-event iTIP message for ``reg``'s address (REQUEST, or CANCEL to remove it)."""
    event = dropin_event(
        dropin,
        host=site.uid_host,
        url=site.session_url(dropin.id),
        default_tz=site.default_tz,
        for_registrant=True,
    )
    library = dropin.library
    organizer = Person(library.name, library.email or site.organizer_email)
    attendee = Person(reg.name or reg.email or "", reg.email or "")
    event = replace(event, organizer=organizer, attendees=(attendee,))
    if method == "CANCEL":
        event = replace(event, status="CANCELLED")
    ics = build_calendar([event], stamp=now, method=method)
    return {
        "filename": f"session-{dropin.id}.ics",
        "content_type": f"text/calendar; method={method}",
        "content": ics.decode(),
    }


def by_recipient(regs: Iterable[Registration]) -> list[list[Registration]]:
    """Registrations grouped per person (address and manage link), sessions in time order."""
    groups: dict[tuple[str, str], list[Registration]] = {}
    for reg in regs:
        if not reg.email:
            continue  # purged: nobody to tell
        groups.setdefault((reg.email, reg.manage_token_hash), []).append(reg)
    return [sorted(g, key=lambda r: (r.session.starts_at, r.session_id)) for g in groups.values()]


def _lines(regs: list[Registration], lang: str, site: Site) -> list[str]:
    return [
        f"- {r.session.title}: {when(r.session, lang, site.default_tz)}, {where(r.session)}"
        for r in regs
    ]


def _signature(regs: list[Registration]) -> str:
    library = regs[0].session.library
    return library.name if library else ""


def send_confirmation(
    session: Session, site: Site, regs: list[Registration], token: str, now: datetime
) -> None:
    """Tell a new registrant where they stand in each session, with the link to cancel."""
    first = regs[0]
    lang = _lang(first, site)
    _ = _translations(lang).gettext
    placed = [r for r in regs if r.status == RegistrationStatus.REGISTERED]
    waiting = [r for r in regs if r.status == RegistrationStatus.WAITLISTED]
    title = first.session.title
    if placed:
        subject = _("Registered: %(title)s") % {"title": title}
    else:
        subject = _("On the waitlist: %(title)s") % {"title": title}
    body = [_("Hello %(name)s,") % {"name": first.name}, ""]
    if placed:
        body += [_("You are registered for:"), *_lines(placed, lang, site), ""]
        body += [_("The calendar invitation is attached."), ""]
    if waiting:
        body.append(_("You are on the waitlist for:"))
        for r in waiting:
            body.append(
                f"- {r.session.title}: {when(r.session, lang, site.default_tz)} "
                + _("(number %(position)s on the waitlist)") % {"position": r.position}
            )
        body += [_("We will e-mail you if a place becomes free."), ""]
    question = first.session.question
    if question and first.answer:
        body += [_('Your answer to "%(question)s":') % {"question": question}, first.answer, ""]
    if first.session.lunch and first.lunch is not None:
        body += [(_("Lunch: yes") if first.lunch else _("Lunch: no")), ""]
    body += [
        _("About the session: %(url)s") % {"url": site.session_url(first.session_id)},
        _("To cancel, open this link: %(url)s") % {"url": site.manage_url(token)},
        "",
        _signature(regs),
    ]
    attachments = [_invitation(r.session, r, site, "REQUEST", now) for r in placed]
    queue_email(session, first.email or "", subject, "\n".join(body), attachments=attachments)


def send_promotion(session: Session, site: Site, reg: Registration, now: datetime) -> None:
    """A place became free and the first person on the waitlist has it now."""
    lang = _lang(reg, site)
    _ = _translations(lang).gettext
    dropin = reg.session
    body = [
        _("Hello %(name)s,") % {"name": reg.name},
        "",
        _("A place became free, and it is yours. You are now registered for:"),
        *_lines([reg], lang, site),
        "",
        _("The calendar invitation is attached."),
        _(
            "If you can no longer come, please cancel with the link in your first e-mail, "
            "so that the next person on the waitlist gets the place."
        ),
        "",
        _signature([reg]),
    ]
    queue_email(
        session,
        reg.email or "",
        _("You have a place: %(title)s") % {"title": dropin.title},
        "\n".join(body),
        attachments=[_invitation(dropin, reg, site, "REQUEST", now)],
    )


def send_changes(session: Session, site: Site, regs: Iterable[Registration], now: datetime) -> None:
    """The time, place or title changed: new details and updated invitations."""
    for group in by_recipient(regs):
        first = group[0]
        lang = _lang(first, site)
        _ = _translations(lang).gettext
        placed = [r for r in group if r.status == RegistrationStatus.REGISTERED]
        body = [
            _("Hello %(name)s,") % {"name": first.name},
            "",
            _("The details of a session you signed up for have changed. It is now:"),
            *_lines(group, lang, site),
            "",
        ]
        if placed:
            body += [_("The updated calendar invitation is attached."), ""]
        body.append(_signature(group))
        queue_email(
            session,
            first.email or "",
            _("Changed: %(title)s") % {"title": first.session.title},
            "\n".join(body),
            attachments=[_invitation(r.session, r, site, "REQUEST", now) for r in placed],
        )


def send_session_cancelled(
    session: Session, site: Site, regs: Iterable[Registration], message: str | None, now: datetime
) -> None:
    """The organisers cancelled sessions: everyone registered or waiting is told."""
    for group in by_recipient(regs):
        first = group[0]
        lang = _lang(first, site)
        _ = _translations(lang).gettext
        placed = [r for r in group if r.status == RegistrationStatus.REGISTERED]
        body = [
            _("Hello %(name)s,") % {"name": first.name},
            "",
            _("We are sorry: this has been cancelled:"),
            *_lines(group, lang, site),
            "",
        ]
        if message:
            body += [_("Message from the organisers:"), message, ""]
        body += [_("You do not need to do anything."), "", _signature(group)]
        queue_email(
            session,
            first.email or "",
            _("Cancelled: %(title)s") % {"title": first.session.title},
            "\n".join(body),
            attachments=[_invitation(r.session, r, site, "CANCEL", now) for r in placed],
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
        first = group[0]
        lang = _lang(first, site)
        _ = _translations(lang).gettext
        if by_staff:
            intro = _("The organisers have cancelled your registration for:")
        else:
            intro = _("Your registration is cancelled for:")
        body = [
            _("Hello %(name)s,") % {"name": first.name},
            "",
            intro,
            *_lines(group, lang, site),
            "",
            _signature(group),
        ]
        queue_email(
            session,
            first.email or "",
            _("Registration cancelled: %(title)s") % {"title": first.session.title},
            "\n".join(body),
            attachments=[
                _invitation(r.session, r, site, "CANCEL", now) for r in group if r.id in had_place
            ],
        )
