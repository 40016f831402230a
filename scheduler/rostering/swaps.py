"""Swaps and give-aways of published shifts, checked against every hard rule.

A member of staff offers one of their published shifts to a named colleague, to
everyone who may legally take it, or as a trade for one of a colleague's shifts. The
roster checker decides who may take it (skills, availability, weekly minimums and
maxima for both sides, breaks, ...): a refusal quotes its words, which name the rule and
the shift. The taker accepts; the section leader approves, unless the library lets
swaps that keep every rule and worsen the objective by at most N points approve
themselves. Flushes; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler import access
from scheduler.errors import Forbidden, InputError, NotFound
from scheduler.models import (
    Person,
    PublishedShift,
    PublishedShiftStatus,
    RequestKind,
    RequestStatus,
    Role,
    RosterPeriod,
    SelfServiceSettings,
    StaffRequest,
)
from scheduler.models.self_service import OPEN_STATUSES
from scheduler.reasons import _, conflict
from scheduler.rostering import self_service_notices as notices
from scheduler.rostering.problem import pool
from scheduler.rostering.published_changes import (
    ChangeRefused,
    MoveCheck,
    PublishedRoster,
    published_roster,
    shift_of,
)
from scheduler.rostering.request_state import (
    Context,
    check_future,
    check_shift_unchanged,
    clean_text,
    fresh,
    move_status,
    not_in,
)
from scheduler.rostering.roster_check import Pair, lock_period
from scheduler.rostering.runs import assert_not_running
from scheduler.solver.check import Violation


@dataclass(frozen=True)
class Candidate:
    """A colleague and what the move would do if they took the shift."""

    person: Person
    check: MoveCheck


def _own_row(session: Session, person: Person, row_id: object, field_name: str) -> PublishedShift:
    row = session.get(PublishedShift, row_id) if isinstance(row_id, int) else None
    if row is None or row.period_id is None:
        raise NotFound(_("There is no such shift."))
    if row.status != PublishedShiftStatus.CONFIRMED:
        raise InputError.field(field_name, _("is cancelled"))
    return row


def moves(
    shift_id: int, giver_id: int, taker_id: int, trade_shift_id: int | None
) -> tuple[list[Pair], list[Pair]]:
    """(remove, add) pairs: the shift from giver to taker, and the trade back if any."""
    remove = [(shift_id, giver_id)]
    add = [(shift_id, taker_id)]
    if trade_shift_id is not None:
        remove.append((trade_shift_id, taker_id))
        add.append((trade_shift_id, giver_id))
    return remove, add


def check_swap(
    roster: PublishedRoster, shift_id: int, giver_id: int, taker_id: int, trade_shift_id: int | None
) -> MoveCheck:
    remove, add = moves(shift_id, giver_id, taker_id, trade_shift_id)
    if (shift_id, taker_id) in roster.pairs and (shift_id, taker_id) not in remove:
        name = roster.checker.names.get(taker_id, "?")
        return MoveCheck(
            [Violation("H0", f"{name} is already on this shift.", f"s{shift_id}", f"p{taker_id}")]
        )
    return roster.check(remove=remove, add=add)


def takers(
    session: Session, roster: PublishedRoster, shift_id: int, giver_id: int
) -> list[Candidate]:
    """Colleagues in the pool who may legally take the shift, best objective first."""
    out = []
    for person in pool(session, roster.period.library_id):
        if person.id == giver_id or (shift_id, person.id) in roster.pairs:
            continue
        result = check_swap(roster, shift_id, giver_id, person.id, None)
        if result.legal:
            out.append(Candidate(person, result))
    out.sort(key=lambda c: (c.check.delta, c.person.name))
    return out


def offer(
    session: Session,
    actor: Person,
    published_shift_id: object,
    *,
    to_person_id: int | None = None,
    trade_shift_id: object | None = None,
    note: str | None = None,
    ctx: Context,
) -> StaffRequest:
    """Offer one of ``actor``'s published shifts: to a colleague, to anyone, or as a trade.

    Refuses a past shift, a shift with an open request already, a colleague who may not
    legally take it (the checker's words), and a give-away to anyone when nobody may.
    """
    row = _own_row(session, actor, published_shift_id, "shift")
    if row.person_id != actor.id:
        raise Forbidden(_("You can only offer your own shifts."))
    library_id = row.service_point.library_id
    access.require(actor, Role.FIRST_LINE, library_id)
    check_future(row.starts_at)
    period = session.get(RosterPeriod, row.period_id)
    assert period is not None
    lock_period(session, period)
    shift = shift_of(session, row)
    text = clean_text(note, "note")
    target: Person | None = None
    trade_row: PublishedShift | None = None
    trade_shift = None
    if trade_shift_id is not None:
        trade_row = _own_row(session, actor, trade_shift_id, "trade_shift")
        if trade_row.person_id == actor.id:
            raise InputError.field("trade_shift", _("is your own shift: choose a colleague's"))
        if trade_row.period_id != row.period_id:
            raise InputError.field("trade_shift", _("is not in the same roster period"))
        check_future(trade_row.starts_at, "trade_shift")
        trade_shift = shift_of(session, trade_row)
        target = trade_row.person
    elif to_person_id is not None:
        target = session.get(Person, to_person_id)
        if target is None or target.id == actor.id or not target.active:
            raise InputError.field("to_person", _("is not a colleague in this library"))
    if target is not None and target.id not in {p.id for p in pool(session, library_id)}:
        raise InputError.field("to_person", _("is not in this library's first-line pool"))
    _no_open_request(session, row.id)
    roster = published_roster(session, period)
    delta = None
    if target is not None:
        result = check_swap(
            roster, shift.id, actor.id, target.id, trade_shift.id if trade_shift else None
        )
        if not result.legal:
            raise ChangeRefused(result.violations, "to_person")
        delta = result.delta
    elif not takers(session, roster, shift.id, actor.id):
        raise InputError.field(
            "to_person", _("nobody in the pool may take this shift without breaking a rule")
        )
    req = StaffRequest(
        library_id=library_id,
        period_id=period.id,
        kind=RequestKind.SWAP,
        status=RequestStatus.OFFERED,
        requester_id=actor.id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        published_shift_id=row.id,
        shift_sequence=row.sequence,
        shift_id=shift.id,
        target_id=target.id if target else None,
        trade_published_shift_id=trade_row.id if trade_row else None,
        trade_sequence=trade_row.sequence if trade_row else None,
        trade_shift_id=trade_shift.id if trade_shift else None,
        objective_delta=delta,
        note=text,
    )
    try:
        with session.begin_nested():
            session.add(req)
            session.flush()
    except IntegrityError:
        raise _already_open() from None
    if target is not None:
        notices.tell_offer(session, req, target, site=ctx.site, url=ctx.links.my_shifts)
    return req


def _already_open():
    return conflict("shift", _("already has an open request; withdraw it or wait for the decision"))


def _no_open_request(session: Session, row_id: int) -> None:
    if session.scalar(
        select(StaffRequest.id).where(
            StaffRequest.published_shift_id == row_id, StaffRequest.status.in_(OPEN_STATUSES)
        )
    ):
        raise _already_open()


def offers_for(session: Session, person: Person) -> list[StaffRequest]:
    """Open offers ``person`` may accept: named to them, or to anyone, when the roster
    checker lets them take the shift (a give-away to anyone is shown only to those)."""
    libraries = access.rostered_libraries(person)  # a shift elsewhere cannot be theirs
    if not libraries:
        return []
    query = select(StaffRequest).where(
        StaffRequest.kind == RequestKind.SWAP,
        StaffRequest.status == RequestStatus.OFFERED,
        StaffRequest.requester_id != person.id,
        (StaffRequest.target_id == person.id) | (StaffRequest.target_id.is_(None)),
        StaffRequest.library_id.in_(libraries),
    )
    out = []
    rosters: dict[int, PublishedRoster] = {}
    for req in session.scalars(query.order_by(StaffRequest.starts_at)):
        if req.target_id is None and req.period is not None and req.shift_id is not None:
            roster = rosters.get(req.period.id)
            if roster is None:
                roster = rosters[req.period.id] = published_roster(session, req.period)
            if not check_swap(roster, req.shift_id, req.requester_id, person.id, None).legal:
                continue
        out.append(req)
    return out


def accept(session: Session, actor: Person, request_id: object, *, ctx: Context) -> StaffRequest:
    """``actor`` takes an offered shift; the leader approves it next, or it approves
    itself by the library's setting. Refused (nothing changed) when the shift changed
    since it was offered or when taking it would break a rule for either side."""
    req = fresh(session, request_id)
    if req.kind != RequestKind.SWAP:
        raise InputError.field("request", _("is not a swap"))
    access.require(actor, Role.FIRST_LINE, req.library_id)
    if req.requester_id == actor.id:
        raise InputError.field("request", _("is your own offer"))
    if req.target_id is not None and req.target_id != actor.id:
        raise Forbidden(_("This shift is offered to someone else."))
    period = req.period
    assert period is not None
    assert_not_running(period)  # locks the period too
    req = fresh(session, req.id)
    if req.status != RequestStatus.OFFERED:
        raise not_in(req, RequestStatus.OFFERED)
    check_future(req.starts_at)
    check_shift_unchanged(session, req.published_shift_id, req.shift_sequence, req.requester_id)
    if req.trade_published_shift_id is not None:
        check_shift_unchanged(
            session, req.trade_published_shift_id, req.trade_sequence, actor.id, "trade_shift"
        )
    assert req.shift_id is not None
    roster = published_roster(session, period)
    result = check_swap(roster, req.shift_id, req.requester_id, actor.id, req.trade_shift_id)
    if not result.legal:
        raise ChangeRefused(result.violations)
    move_status(
        session,
        req,
        RequestStatus.OFFERED,
        RequestStatus.PENDING,
        taker_id=actor.id,
        objective_delta=result.delta,
    )
    settings = session.get(SelfServiceSettings, req.library_id)
    if (
        settings is not None
        and settings.auto_approve_swaps
        and result.delta <= settings.auto_approve_max_worsening
    ):
        from scheduler.rostering.approvals import approve

        approve(session, None, req.id, ctx=ctx, auto=True)
    return fresh(session, req.id)
