"""E-mails about self-service requests: offers, decisions, and the shifts they changed.

Each is a :class:`~scheduler.mail.letter.Letter` queued in the caller's transaction, so
it leaves only after the commit (and not at all when the request is rolled back).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.mail.letter import Letter
from scheduler.models import Person, ServicePoint, StaffRequest
from scheduler.rostering.publish import RosterDiff, ShiftChange, Slot, describe_slot
from scheduler.site import Site


def _points(session: Session, library_id: int) -> dict[int, str]:
    return {
        p.id: p.name
        for p in session.scalars(select(ServicePoint).where(ServicePoint.library_id == library_id))
    }


def _letter(person: Person, site: Site, tz: str) -> Letter | None:
    if not person.active or not person.email:
        return None
    return Letter(person.email, language=person.locale, site=site, tz=tz)


def request_slot(req: StaffRequest) -> Slot:
    point = req.published_shift.service_point_id if req.published_shift else 0
    return (point, req.starts_at, req.ends_at)


def tell_changes(
    session: Session,
    req: StaffRequest,
    diff: RosterDiff,
    *,
    site: Site,
    url: str | None,
) -> list[int]:
    """Tell everyone whose published shifts ``req`` changed what changed; returns ids."""
    changed = diff.by_person()
    if not changed:
        return []
    points = _points(session, req.library_id)
    tz = req.library.timezone
    sent = []
    for person_id, changes in sorted(changed.items()):
        person = session.get(Person, person_id)
        letter = _letter(person, site, tz) if person is not None else None
        if letter is None or person is None:
            continue
        _ = letter.gettext
        letter.greet(person.name)
        letter.add(headline(req, letter), "", _("Your shifts that changed:"))
        for c in sorted(changes, key=_when):
            letter.add(change_line(c, points, letter))
        if url:
            letter.add("", _("All your shifts: %(url)s") % {"url": url})
        letter.add("", _("Your calendar feed, if you subscribe to one, updates by itself."))
        letter.queue(session, _("Your shifts have changed"), signature=None)
        sent.append(person_id)
    return sent


def _when(c: ShiftChange):
    slot = c.new or c.old
    assert slot is not None
    return slot[1]


def change_line(c: ShiftChange, points: dict[int, str], letter: Letter) -> str:
    _ = letter.gettext
    if c.kind == "added":
        return _("New: %(shift)s") % {"shift": describe_slot(c.new, points, letter)}  # type: ignore[arg-type]
    if c.kind == "removed":
        return _("Cancelled: %(shift)s") % {"shift": describe_slot(c.old, points, letter)}  # type: ignore[arg-type]
    return _("Moved: %(old)s → %(new)s") % {
        "old": describe_slot(c.old, points, letter),  # type: ignore[arg-type]
        "new": describe_slot(c.new, points, letter),  # type: ignore[arg-type]
    }


def headline(req: StaffRequest, letter: Letter) -> str:
    """One sentence on what was approved, in the letter's language."""
    _ = letter.gettext
    who = req.requester.name
    taker = req.taker.name if req.taker else ""
    if req.kind == "time_off":
        return _("Time off for %(name)s was approved.") % {"name": who}
    if req.kind == "claim":
        return _("%(name)s took an open shift.") % {"name": taker}
    if req.is_trade:
        return _("A shift trade between %(a)s and %(b)s was approved.") % {"a": who, "b": taker}
    return _("%(b)s takes over a shift from %(a)s.") % {"a": who, "b": taker}


def tell_offer(
    session: Session, req: StaffRequest, person: Person, *, site: Site, url: str | None
) -> None:
    """Tell a named colleague that a shift is offered to them."""
    letter = _letter(person, site, req.library.timezone)
    if letter is None:
        return
    _ = letter.gettext
    points = _points(session, req.library_id)
    letter.greet(person.name)
    shift = describe_slot(request_slot(req), points, letter)
    if req.is_trade and req.trade_published_shift is not None:
        row = req.trade_published_shift
        theirs = describe_slot((row.service_point_id, row.starts_at, row.ends_at), points, letter)
        letter.add(
            _("%(name)s offers you %(shift)s in exchange for your %(theirs)s.")
            % {"name": req.requester.name, "shift": shift, "theirs": theirs}
        )
    else:
        letter.add(
            _("%(name)s offers you %(shift)s.") % {"name": req.requester.name, "shift": shift}
        )
    if url:
        letter.add("", _("Accept or ignore it on your shifts page: %(url)s") % {"url": url})
    letter.queue(session, _("A shift is offered to you"), signature=None)


def tell_decision(
    session: Session, req: StaffRequest, *, approved: bool, site: Site, url: str | None
) -> None:
    """Tell the requester (and the taker) that the leader declined their request.

    Approvals are told by :func:`tell_changes` (to everyone whose shifts changed); a
    time-off approval that changed no shift is told here.
    """
    people = [req.requester] + ([req.taker] if req.taker and req.taker != req.requester else [])
    for person in people:
        letter = _letter(person, site, req.library.timezone)
        if letter is None:
            continue
        _ = letter.gettext
        letter.greet(person.name)
        span = letter.when(req.starts_at, req.ends_at)
        if approved:
            letter.add(_("Your request for %(when)s was approved.") % {"when": span})
            subject = _("Your request was approved")
        else:
            letter.add(_("Your request for %(when)s was declined.") % {"when": span})
            if req.decision_reason:
                letter.add(_("Reason: %(reason)s") % {"reason": req.decision_reason})
            subject = _("Your request was declined")
        if url:
            letter.add("", _("All your shifts: %(url)s") % {"url": url})
        letter.queue(session, subject, signature=None)
