"""Administrators invite staff by e-mail instead of typing passwords for them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from scheduler import access
from scheduler.accounts.audit import record
from scheduler.accounts.links import IssuedLink, issue_link
from scheduler.accounts.notices import send_invitation
from scheduler.errors import Forbidden
from scheduler.models.account import LinkPurpose
from scheduler.models.people import Person
from scheduler.reasons import _, conflict
from scheduler.site import Site


def invite(session: Session, person: Person, actor: Person, site: Site) -> IssuedLink:
    """E-mail ``person`` a 24-hour link to choose a password (a new one ends the old);
    the password they had, if any, works until they choose the new one."""
    if not access.is_admin(actor):
        raise Forbidden(_("Only administrators can invite people."))
    if not person.active:
        raise conflict(
            "active",
            _("cannot sign in: allow signing in first"),
            _("%(name)s cannot sign in: allow signing in first.", name=person.name),
        )
    issued = issue_link(session, person, LinkPurpose.SET, site, actor=actor)
    send_invitation(session, person, issued.url, issued.expires_at, site)
    record(session, actor=actor, action="person.invited", person=person, now=site.now)
    session.flush()
    return issued
