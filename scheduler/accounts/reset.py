"""A forgotten password: a reset link by e-mail, and the same answer for everyone.

Whether or not an account has the address, the caller answers the same way; only the
owner of a real, active account gets an e-mail. At most a few reset e-mails go to one
address per hour, so the page cannot be used to flood someone's inbox.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.accounts.audit import record
from scheduler.accounts.links import issue_link
from scheduler.accounts.notices import send_reset
from scheduler.accounts.people import find_by_email, normalise_email
from scheduler.errors import InputError
from scheduler.models.account import LinkPurpose, PasswordLink
from scheduler.reasons import _
from scheduler.site import Site

# Reset e-mails to one address per hour at most.
MAX_RESETS_PER_HOUR = 3


def request_reset(session: Session, email: str, site: Site) -> None:
    """E-mail a one-hour reset link if an active account has ``email``; otherwise do
    nothing. An address that is not an address at all is an ``InputError``."""
    try:
        address = normalise_email(email)
    except InputError:
        reason = _("is not a valid e-mail address")
        raise InputError(f"email: {reason}", {"email": reason}) from None
    person = find_by_email(session, address)
    if person is None or not person.active:
        return
    recent = session.scalar(
        select(func.count(PasswordLink.id)).where(
            PasswordLink.person_id == person.id,
            PasswordLink.purpose == LinkPurpose.RESET,
            PasswordLink.created_at > site.now - timedelta(hours=1),
        )
    )
    if (recent or 0) >= MAX_RESETS_PER_HOUR:
        return
    issued = issue_link(session, person, LinkPurpose.RESET, site)
    send_reset(session, person, issued.url, issued.expires_at, site)
    record(session, actor=None, action="password.reset_sent", person=person, now=site.now)
    session.flush()
