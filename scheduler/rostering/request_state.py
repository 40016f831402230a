"""The life of a self-service request: reading it fresh, and moving its status safely.

Two leaders may approve at the same moment, a colleague may accept while the requester
withdraws. Every status change is a conditional UPDATE (``WHERE status = <expected>``)
after the period is locked: the one that finds the expected status wins, the other is
told what happened instead (a :class:`~scheduler.errors.Conflict`, nothing changed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scheduler.errors import Conflict, InputError, NotFound
from scheduler.models import (
    PublishedShift,
    PublishedShiftStatus,
    RequestStatus,
    StaffRequest,
)
from scheduler.reasons import _, conflict
from scheduler.site import Site
from scheduler.timeutil import utcnow

MAX_TEXT_LENGTH = 1000


@dataclass(frozen=True)
class Links:
    """Where e-mails point: the staff member's shifts page and the leader's inbox."""

    my_shifts: str | None = None
    approvals: str | None = None


@dataclass(frozen=True)
class Context:
    """What a self-service use case needs besides the session and the actor."""

    site: Site
    links: Links = Links()


def fresh(session: Session, request_id: object) -> StaffRequest:
    """The request as the database has it now (not a stale copy in the session)."""
    req = (
        session.scalar(
            select(StaffRequest)
            .where(StaffRequest.id == request_id)
            .execution_options(populate_existing=True)
        )
        if isinstance(request_id, int)
        else None
    )
    if req is None:
        raise NotFound(_("There is no such request."))
    return req


STATUS_WORDS = {
    RequestStatus.OFFERED: _("is still waiting for a colleague to accept it"),
    RequestStatus.PENDING: _("is waiting for the section leader"),
    RequestStatus.APPROVED: _("has already been approved"),
    RequestStatus.DECLINED: _("has already been declined"),
    RequestStatus.WITHDRAWN: _("has been withdrawn"),
}


def not_in(req: StaffRequest, expected: RequestStatus) -> Conflict:
    """The request is no longer where the caller expected it: say where it is."""
    reason = STATUS_WORDS[RequestStatus(req.status)]
    who = req.decided_by.name if req.decided_by is not None else None
    if who and req.status in (RequestStatus.APPROVED, RequestStatus.DECLINED):
        reason = _("%(state)s by %(name)s", state=reason, name=who)
    return conflict("request", reason, _("This request %(reason)s.", reason=reason))


def move_status(
    session: Session,
    req: StaffRequest,
    expected: RequestStatus,
    new: RequestStatus,
    **values: object,
) -> None:
    """Set ``req.status`` from ``expected`` to ``new`` only if nobody moved it first."""
    result = session.execute(
        update(StaffRequest)
        .where(StaffRequest.id == req.id, StaffRequest.status == expected)
        .values(status=new, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.expire(req)
        raise not_in(fresh(session, req.id), expected)
    session.expire(req)


def check_shift_unchanged(
    session: Session,
    row_id: int | None,
    sequence: int | None,
    holder_id: int,
    field_name: str = "shift",
) -> PublishedShift:
    """The published shift a request was made on, refused if it changed since."""
    row = (
        session.scalar(
            select(PublishedShift)
            .where(PublishedShift.id == row_id)
            .execution_options(populate_existing=True)
        )
        if row_id is not None
        else None
    )
    if (
        row is None
        or row.status != PublishedShiftStatus.CONFIRMED
        or row.person_id != holder_id
        or row.sequence != sequence
    ):
        raise conflict(
            field_name,
            _(
                "has changed since the request was made (moved, cancelled or given to "
                "someone else); decline the request or ask for a new one"
            ),
        )
    return row


def check_future(start: datetime, field_name: str = "shift") -> None:
    if start <= utcnow():
        raise InputError.field(field_name, _("has already started; only future shifts can change"))


def clean_text(raw: str | None, field_name: str) -> str | None:
    value = (raw or "").strip()
    if len(value) > MAX_TEXT_LENGTH:
        raise InputError.field(
            field_name, _("is too long (at most %(most)s characters)", most=MAX_TEXT_LENGTH)
        )
    return value or None
