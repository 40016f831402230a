"""One-time password links: made for a person, redeemed once, then gone.

A link carries a 192-bit token; only its SHA-256 is stored and compared in constant
time. It has a purpose: ``set`` (an invitation or ``create-admin``, valid 24 hours) or
``reset`` (asked for on the "forgot" page, valid 1 hour). Making a new link, using one
or changing the password ends every other open link of the person, so at most one link
works at a time. Opening a link changes nothing (mail scanners open links); choosing
the password redeems it, and two tries at once cannot both succeed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scheduler.accounts import throttle
from scheduler.accounts.audit import record
from scheduler.accounts.notices import send_password_changed
from scheduler.accounts.passwords import set_password
from scheduler.accounts.policy import check_password, user_words
from scheduler.errors import DomainError
from scheduler.models.account import LinkPurpose, PasswordLink
from scheduler.models.people import Person
from scheduler.reasons import _
from scheduler.site import Site
from scheduler.tokens import new_token, token_digest, tokens_equal

LIFETIMES = {LinkPurpose.SET: timedelta(hours=24), LinkPurpose.RESET: timedelta(hours=1)}
# Longer than any token we make; anything longer is not looked up at all.
_MAX_TOKEN_LENGTH = 100


class LinkState(enum.StrEnum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


class LinkUnusable(DomainError):
    """The link cannot set a password: used, expired (410) or unknown (404)."""

    def __init__(self, state: LinkState) -> None:
        messages = {
            LinkState.USED: _("This link has already been used. Ask for a new one."),
            LinkState.EXPIRED: _("This link has expired. Ask for a new one."),
            LinkState.UNKNOWN: _("This link is not valid. Check that it was copied whole."),
        }
        super().__init__(messages[state])
        self.state = state
        self.status = 404 if state == LinkState.UNKNOWN else 410


@dataclass(frozen=True)
class IssuedLink:
    """A new link: the token exists only here (and in the e-mail or the terminal)."""

    link: PasswordLink
    token: str
    url: str

    @property
    def expires_at(self) -> datetime:
        return self.link.expires_at


def link_path(token: str) -> str:
    return f"/account/password/{token}"


def issue_link(
    session: Session,
    person: Person,
    purpose: LinkPurpose,
    site: Site,
    *,
    actor: Person | None = None,
) -> IssuedLink:
    """A new link for ``person``; their older open links stop working."""
    now = site.now
    end_links(session, person, now)
    token, digest = new_token()
    link = PasswordLink(
        person_id=person.id,
        token_hash=digest,
        purpose=purpose,
        created_at=now,
        expires_at=now + LIFETIMES[purpose],
        created_by_id=actor.id if actor is not None else None,
    )
    session.add(link)
    session.flush()
    return IssuedLink(link=link, token=token, url=site.url(link_path(token)))


def end_links(session: Session, person: Person, now: datetime) -> int:
    """End every open link of ``person``; how many there were."""
    result = session.execute(
        update(PasswordLink)
        .where(PasswordLink.person_id == person.id, PasswordLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def find_link(session: Session, token: str, now: datetime) -> tuple[LinkState, PasswordLink | None]:
    """What the link ``token`` is now, and its row when there is one."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return LinkState.UNKNOWN, None
    digest = token_digest(token)
    link = session.scalar(select(PasswordLink).where(PasswordLink.token_hash == digest))
    if link is None or not tokens_equal(link.token_hash, digest):
        return LinkState.UNKNOWN, None
    if not link.person.active:
        return LinkState.UNKNOWN, link
    if link.used_at is not None:
        return LinkState.USED, link
    if link.expires_at <= now:
        return LinkState.EXPIRED, link
    return LinkState.VALID, link


def usable_link(session: Session, token: str, now: datetime) -> PasswordLink:
    """The link if it can still set a password; :class:`LinkUnusable` says why not."""
    state, link = find_link(session, token, now)
    if state != LinkState.VALID or link is None:
        raise LinkUnusable(state)
    return link


def redeem(
    session: Session, token: str, password: str, now: datetime, *, site: Site | None = None
) -> Person:
    """Set the person's password through the link and end it (and every other link).
    With ``site``, a person who had a password is told by e-mail that it changed."""
    link = usable_link(session, token, now)
    person = link.person
    had_password = person.password_hash is not None
    check_password(password, user_words(person.name, person.email))
    # The claim: of two tries at once, the second finds the link used.
    claimed = session.execute(
        update(PasswordLink)
        .where(PasswordLink.id == link.id, PasswordLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise LinkUnusable(LinkState.USED)
    set_password(person, password)
    end_links(session, person, now)
    throttle.clear(session, person.email)
    record(
        session,
        actor=person,
        action="password.set_by_link",
        person=person,
        details={"purpose": link.purpose.value, "link": link.id},
        now=now,
    )
    if site is not None and had_password:
        send_password_changed(session, person, site)
    session.flush()
    session.expire(link)
    return person
