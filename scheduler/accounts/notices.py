"""E-mails about a staff member's account, in their language, sent after the commit.

None of them quotes anything a requester typed: the name is the one on the account,
and the only link is the one-time password link (or the "forgot" page).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel import dates
from sqlalchemy.orm import Session

from scheduler.i18n import date_locale
from scheduler.mail.letter import Letter
from scheduler.models.people import Person
from scheduler.site import Site


def _letter(person: Person, site: Site) -> Letter:
    letter = Letter(person.email, language=person.locale, site=site)
    letter.greet(person.name)
    return letter


def _until(letter: Letter, instant: datetime) -> str:
    """ "6 December 2026, 14:30" on the site's wall clock."""
    local = instant.astimezone(ZoneInfo(letter.tz))
    return (
        f"{dates.format_date(local.date(), 'long', locale=date_locale(letter.lang))}, {local:%H:%M}"
    )


def send_invitation(
    session: Session, person: Person, url: str, expires_at: datetime, site: Site
) -> None:
    """A new (or renewed) account: choose a password through the link."""
    letter = _letter(person, site)
    _ = letter.gettext
    letter.add(
        _("You have a staff account in the library's booking and rostering system."),
        _("Choose your password here (the link works once, until %(until)s):")
        % {"until": _until(letter, expires_at)},
        url,
        "",
        _("Then sign in with your e-mail address %(email)s at %(sign_in)s")
        % {"email": person.email, "sign_in": site.url("/sign-in")},
    )
    letter.queue(session, _("Your staff account: choose a password"), signature=_("The library"))


def send_reset(
    session: Session, person: Person, url: str, expires_at: datetime, site: Site
) -> None:
    """Someone asked for a new password for this address."""
    letter = _letter(person, site)
    _ = letter.gettext
    letter.add(
        _("Someone (probably you) asked for a new password for your staff account."),
        _("Choose a new password here (the link works once, until %(until)s):")
        % {"until": _until(letter, expires_at)},
        url,
        "",
        _("If you did not ask for it, ignore this e-mail: your password stays as it is."),
    )
    letter.queue(session, _("Choose a new password"), signature=_("The library"))


def send_locked(session: Session, person: Person, until: datetime, site: Site) -> None:
    """Sign-in was locked after repeated wrong passwords."""
    letter = _letter(person, site)
    _ = letter.gettext
    letter.add(
        _("There were many failed attempts to sign in to your staff account."),
        _("Sign-in is locked until %(until)s.") % {"until": _until(letter, until)},
        "",
        _(
            "If that was not you, someone may be guessing your password. "
            "Choose a new, stronger one: %(url)s"
        )
        % {"url": site.url("/account/forgot")},
    )
    letter.queue(session, _("Sign-in to your account was locked"), signature=_("The library"))


def send_password_changed(session: Session, person: Person, site: Site) -> None:
    """The password was changed: a warning in case it was not the owner."""
    letter = _letter(person, site)
    _ = letter.gettext
    letter.add(
        _("The password of your staff account was just changed."),
        _("If that was not you, ask for a new password at once: %(url)s")
        % {"url": site.url("/account/forgot")},
    )
    letter.queue(session, _("Your password was changed"), signature=_("The library"))
