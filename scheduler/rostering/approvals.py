"""The section leader's decisions on self-service requests, and the inbox they come from.

Approving locks the roster period, reads the request fresh, checks that the shift it
was made on has not changed since and that the move still keeps every hard rule on the
roster as it is *now* (another approval may have changed it), then applies the move
through the published-shift diff and tells everyone whose shifts changed. Two leaders
approving at once: the period lock makes them take turns, and the second finds the
request decided or the shift changed, and is told so. Flushes; the caller commits.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler import access, audit
from scheduler.errors import Forbidden, InputError
from scheduler.models import (
    Absence,
    Person,
    RequestKind,
    RequestStatus,
    Role,
    RosterPeriod,
    RunKind,
    StaffRequest,
)
from scheduler.reasons import _
from scheduler.rostering import self_service_notices as notices
from scheduler.rostering.published_changes import (
    ChangeRefused,
    applied_record,
    apply_move,
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
from scheduler.rostering.runs import assert_not_running, start_run
from scheduler.rostering.swaps import check_swap, moves
from scheduler.rostering.time_off import affected_rows
from scheduler.timeutil import utcnow


def inbox(session: Session, actor: Person) -> list[StaffRequest]:
    """Requests waiting for ``actor`` as section leader, oldest first."""
    libraries = access.library_ids(actor, Role.SECTION_LEADER)
    query = select(StaffRequest).where(StaffRequest.status == RequestStatus.PENDING)
    if libraries is not None:
        query = query.where(StaffRequest.library_id.in_(libraries or {-1}))
    return list(session.scalars(query.order_by(StaffRequest.created_at, StaffRequest.id)))


def pending_count(session: Session, actor: Person | None) -> int:
    """How many requests wait for ``actor`` (the number in the navigation)."""
    libraries = access.library_ids(actor, Role.SECTION_LEADER)
    if libraries is not None and not libraries:
        return 0
    query = select(func.count(StaffRequest.id)).where(StaffRequest.status == RequestStatus.PENDING)
    if libraries is not None:
        query = query.where(StaffRequest.library_id.in_(libraries))
    return int(session.scalar(query) or 0)


def approve(
    session: Session,
    actor: Person | None,
    request_id: object,
    *,
    ctx: Context,
    repair: bool = False,
    auto: bool = False,
    time_limit: float | None = None,
) -> StaffRequest:
    """Approve a pending request and change the published roster accordingly.

    :param actor: the section leader; None only with ``auto`` (the library's setting).
    :param repair: for time off, also start the sick-day repair on the affected days.
    """
    req = fresh(session, request_id)
    if not auto:
        access.require(actor, Role.SECTION_LEADER, req.library_id)
    if req.kind == RequestKind.TIME_OFF:
        return _approve_time_off(session, actor, req, ctx=ctx, repair=repair, time_limit=time_limit)
    period = req.period
    assert period is not None
    assert_not_running(period)  # and locks the period: approvals take turns
    req = fresh(session, req.id)
    if req.status != RequestStatus.PENDING:
        raise not_in(req, RequestStatus.PENDING)
    if req.kind == RequestKind.SWAP:
        assert req.taker_id is not None
        assert req.shift_id is not None
        check_future(req.starts_at)
        check_shift_unchanged(session, req.published_shift_id, req.shift_sequence, req.requester_id)
        if req.trade_published_shift_id is not None:
            check_shift_unchanged(
                session, req.trade_published_shift_id, req.trade_sequence, req.taker_id,
                "trade_shift",
            )  # fmt: skip
        roster = published_roster(session, period)
        result = check_swap(
            roster, req.shift_id, req.requester_id, req.taker_id, req.trade_shift_id
        )
        if not result.legal:
            raise ChangeRefused(result.violations)
        remove, add = moves(req.shift_id, req.requester_id, req.taker_id, req.trade_shift_id)
        action = "self_service.swap"
    else:
        raise InputError.field("request", _("cannot be approved"))
    _decide(session, req, actor, RequestStatus.APPROVED, auto=auto, objective_delta=result.delta)
    diff = apply_move(
        session, period, remove=remove, add=add, actor=actor, action=action,
        details={"request": req.id, "auto": auto},
    )  # fmt: skip
    req.applied = applied_record(diff)
    session.flush()
    notices.tell_changes(session, req, diff, site=ctx.site, url=ctx.links.my_shifts)
    return req


def _decide(
    session: Session,
    req: StaffRequest,
    actor: Person | None,
    status: RequestStatus,
    *,
    auto: bool = False,
    reason: str | None = None,
    **values: object,
) -> None:
    move_status(
        session,
        req,
        RequestStatus.PENDING,
        status,
        decided_by_id=actor.id if actor is not None else None,
        decided_at=utcnow(),
        auto_approved=auto,
        decision_reason=reason,
        **values,
    )
    audit.record(
        session,
        f"self_service.{status.value}",
        actor=actor,
        subject=f"staff_request:{req.id}",
        reason=reason,
        details={"kind": str(req.kind), "auto": auto},
        library_id=req.library_id,
    )


def _approve_time_off(
    session: Session,
    actor: Person | None,
    req: StaffRequest,
    *,
    ctx: Context,
    repair: bool,
    time_limit: float | None,
) -> StaffRequest:
    """Store the absence and take the requester off the published shifts it touches."""
    rows = affected_rows(session, req)
    periods = sorted({r.period_id for r in rows if r.period_id is not None})
    loaded = [session.get(RosterPeriod, pid) for pid in periods]
    for period in loaded:
        assert period is not None
        assert_not_running(period)
    req = fresh(session, req.id)
    if req.status != RequestStatus.PENDING:
        raise not_in(req, RequestStatus.PENDING)
    rows = affected_rows(session, req)  # again, under the locks
    _decide(session, req, actor, RequestStatus.APPROVED)
    assert req.absence_kind is not None
    session.add(
        Absence(
            person_id=req.requester_id,
            starts_at=req.starts_at,
            ends_at=req.ends_at,
            kind=req.absence_kind,
            note=req.note,
            created_by_id=actor.id if actor is not None else None,
        )
    )
    applied: list[dict] = []
    changed = False
    for period in loaded:
        assert period is not None
        mine = [r for r in rows if r.period_id == period.id]
        if not mine:
            continue
        remove = [(shift_of(session, r).id, req.requester_id) for r in mine]
        diff = apply_move(
            session, period, remove=remove, actor=actor, action="self_service.time_off",
            details={"request": req.id},
        )  # fmt: skip
        applied.extend(applied_record(diff))
        notices.tell_changes(session, req, diff, site=ctx.site, url=ctx.links.my_shifts)
        changed = changed or bool(diff.changed)
        if repair:
            start_run(session, period, kind=RunKind.REPAIR, actor=actor, time_limit=time_limit)
    req.applied = applied
    if not changed:
        notices.tell_decision(session, req, approved=True, site=ctx.site, url=ctx.links.my_shifts)
    session.flush()
    return req


def decline(
    session: Session, actor: Person, request_id: object, *, reason: str | None, ctx: Context
) -> StaffRequest:
    """Decline a pending request with a reason the requester reads; nothing else changes."""
    req = fresh(session, request_id)
    access.require(actor, Role.SECTION_LEADER, req.library_id)
    text = clean_text(reason, "reason")
    if text is None:
        raise InputError.field("reason", _("say why, for the person who asked"))
    if req.status != RequestStatus.PENDING:
        raise not_in(req, RequestStatus.PENDING)
    _decide(session, req, actor, RequestStatus.DECLINED, reason=text)
    session.flush()
    req = fresh(session, req.id)
    notices.tell_decision(session, req, approved=False, site=ctx.site, url=ctx.links.my_shifts)
    return req


def withdraw(session: Session, actor: Person, request_id: object) -> StaffRequest:
    """The requester takes back an offer or a request nobody has decided yet."""
    req = fresh(session, request_id)
    if req.requester_id != actor.id:
        raise Forbidden(
            _("Only the person who asked can withdraw it."), {"request": _("is not yours")}
        )
    status = RequestStatus(req.status)
    if not status.open:
        raise not_in(req, RequestStatus.PENDING)
    move_status(session, req, status, RequestStatus.WITHDRAWN)
    session.flush()
    return fresh(session, req.id)
