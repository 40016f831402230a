"""Open shifts: an understaffed published shift, posted for qualified staff to claim.

The leader posts a shift that has fewer people than it needs (after a sickness, or
left open on purpose). Staff who may legally take it see it and claim it; the first
valid claim wins. Claims take turns on the period lock, and the place itself is taken
with a conditional UPDATE (``filled < places``), so of two claims at the same moment
exactly one succeeds and the other is told the shift is taken. A claim needs no further
approval: posting it was the leader's. Flushes; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler import access
from scheduler.errors import InputError, NotFound
from scheduler.models import (
    OpenShift,
    OpenShiftStatus,
    PeriodStatus,
    Person,
    RequestKind,
    RequestStatus,
    Role,
    Shift,
    StaffRequest,
)
from scheduler.reasons import _, conflict
from scheduler.rostering import self_service_notices as notices
from scheduler.rostering.published_changes import (
    ChangeRefused,
    PublishedRoster,
    applied_record,
    apply_move,
    published_roster,
)
from scheduler.rostering.request_state import Context, check_future, clean_text
from scheduler.rostering.runs import assert_not_running
from scheduler.timeutil import utcnow


def post(
    session: Session, actor: Person, shift_id: object, *, note: str | None = None
) -> OpenShift:
    """Post a published, understaffed, future shift for staff to claim."""
    shift = session.get(Shift, shift_id) if isinstance(shift_id, int) else None
    if shift is None:
        raise NotFound(_("There is no such shift."))
    period = shift.period
    access.require(actor, Role.SECTION_LEADER, period.library_id)
    if period.status != PeriodStatus.PUBLISHED:
        raise InputError.field("shift", _("is not on a published roster"))
    check_future(shift.starts_at)
    assert_not_running(period)
    roster = published_roster(session, period)
    places = shift.min_staff - len(roster.holders(shift.id))
    if places <= 0:
        raise InputError.field("shift", _("has the people it needs"))
    post = OpenShift(
        library_id=period.library_id,
        period_id=period.id,
        shift_id=shift.id,
        places=places,
        note=clean_text(note, "note"),
        posted_by_id=actor.id,
    )
    try:
        with session.begin_nested():
            session.add(post)
            session.flush()
    except IntegrityError:
        raise conflict("shift", _("is already posted")) from None
    return post


def withdraw_post(session: Session, actor: Person, open_shift_id: object) -> OpenShift:
    post = _get(session, open_shift_id)
    access.require(actor, Role.SECTION_LEADER, post.library_id)
    if post.status == OpenShiftStatus.OPEN:
        post.status = OpenShiftStatus.WITHDRAWN
        session.flush()
    return post


def _get(session: Session, open_shift_id: object) -> OpenShift:
    post = (
        session.scalar(
            select(OpenShift)
            .where(OpenShift.id == open_shift_id)
            .execution_options(populate_existing=True)
        )
        if isinstance(open_shift_id, int)
        else None
    )
    if post is None:
        raise NotFound(_("There is no such open shift."))
    return post


@dataclass(frozen=True)
class Claimable:
    post: OpenShift
    legal: bool
    delta: int
    reasons: list[str]


def open_for(session: Session, person: Person) -> list[Claimable]:
    """Open, future shifts in the libraries whose pool ``person`` is in, and whether they
    may claim each."""
    libraries = access.rostered_libraries(person)
    if not libraries:
        return []
    query = (
        select(OpenShift)
        .join(Shift, Shift.id == OpenShift.shift_id)
        .where(
            OpenShift.status == OpenShiftStatus.OPEN,
            Shift.starts_at > utcnow(),
            OpenShift.library_id.in_(libraries),
        )
        .order_by(Shift.starts_at)
    )
    out = []
    rosters: dict[int, PublishedRoster] = {}
    for post in session.scalars(query):
        roster = rosters.get(post.period_id)
        if roster is None:
            roster = rosters[post.period_id] = published_roster(session, post.period)
        if (post.shift_id, person.id) in roster.pairs:
            continue
        result = roster.check(add=[(post.shift_id, person.id)])
        out.append(
            Claimable(post, result.legal, result.delta, [v.message for v in result.violations])
        )
    return out


def claim(session: Session, actor: Person, open_shift_id: object, *, ctx: Context) -> StaffRequest:
    """``actor`` takes a place on an open shift; the first valid claim wins."""
    post = _get(session, open_shift_id)
    access.require(actor, Role.FIRST_LINE, post.library_id)
    period = post.period
    assert_not_running(period)  # and locks the period: claims take turns
    post = _get(session, post.id)
    if post.status != OpenShiftStatus.OPEN:
        raise conflict("open_shift", _("has already been taken by a colleague"))
    shift = post.shift
    check_future(shift.starts_at)
    roster = published_roster(session, period)
    if (shift.id, actor.id) in roster.pairs:
        raise conflict("open_shift", _("you are already on this shift"))
    result = roster.check(add=[(shift.id, actor.id)])
    if not result.legal:
        raise ChangeRefused(result.violations, "open_shift")
    taken = session.execute(
        update(OpenShift)
        .where(
            OpenShift.id == post.id,
            OpenShift.status == OpenShiftStatus.OPEN,
            OpenShift.filled < OpenShift.places,
        )
        .values(filled=OpenShift.filled + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        raise conflict("open_shift", _("has already been taken by a colleague"))
    post = _get(session, post.id)
    if post.filled >= post.places:
        post.status = OpenShiftStatus.FILLED
    now = utcnow()
    req = StaffRequest(
        library_id=post.library_id,
        period_id=period.id,
        kind=RequestKind.CLAIM,
        status=RequestStatus.APPROVED,
        requester_id=actor.id,
        taker_id=actor.id,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        shift_id=shift.id,
        open_shift_id=post.id,
        objective_delta=result.delta,
        decided_at=now,
        auto_approved=True,
    )
    session.add(req)
    session.flush()
    diff = apply_move(
        session, period, add=[(shift.id, actor.id)], actor=actor, action="self_service.claim",
        details={"request": req.id, "open_shift": post.id},
    )  # fmt: skip
    req.applied = applied_record(diff)
    session.flush()
    notices.tell_changes(session, req, diff, site=ctx.site, url=ctx.links.my_shifts)
    return req
