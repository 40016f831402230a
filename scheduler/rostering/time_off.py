"""Time-off requests on a published roster, and what approving one would leave behind.

Staff ask for leave, a course or other time off, for whole days or some hours (sick
days are reported to the leader, not requested). The leader sees the consequences:
the published shifts it empties, the coverage each keeps, and who could take each one
(colleagues for whom the move breaks no hard rule, ranked by the change in the roster
objective: duty days, target hours, preferences). Flushes; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import access
from scheduler.errors import InputError
from scheduler.models import (
    Absence,
    AbsenceKind,
    Library,
    Person,
    PublishedShift,
    PublishedShiftStatus,
    RequestKind,
    RequestStatus,
    Role,
    RosterPeriod,
    ServicePoint,
    StaffRequest,
)
from scheduler.models.self_service import OPEN_STATUSES
from scheduler.reasons import _, conflict
from scheduler.rostering.problem import pool
from scheduler.rostering.published_changes import published_roster, shift_of
from scheduler.rostering.request_state import check_future, clean_text
from scheduler.rostering.swaps import Candidate

REQUESTABLE = (AbsenceKind.LEAVE, AbsenceKind.COURSE, AbsenceKind.OTHER)
MAX_DAYS = 366


def request_time_off(
    session: Session,
    actor: Person,
    library: Library,
    *,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    note: str | None = None,
) -> StaffRequest:
    """Ask the leader of ``library`` for time off from ``starts_at`` to ``ends_at`` (UTC).

    Refused: sick leave (it is reported), an end not after the start, a start in the
    past, more than a year, and a second open request overlapping this one.
    """
    access.require(actor, Role.FIRST_LINE, library.id)
    try:
        absence_kind = AbsenceKind(kind)
    except ValueError:
        absence_kind = None
    if absence_kind == AbsenceKind.SICK:
        raise InputError.field("kind", _("sick days are reported to your leader, not requested"))
    if absence_kind not in REQUESTABLE:
        raise InputError.field("kind", _("choose leave, course or other"))
    if ends_at <= starts_at:
        raise InputError.field("ends_at", _("must be after the start"))
    if ends_at - starts_at > timedelta(days=MAX_DAYS):
        raise InputError.field("ends_at", _("at most a year at a time"))
    check_future(starts_at, "starts_at")
    text = clean_text(note, "note")
    overlapping = session.scalar(
        select(StaffRequest.id).where(
            StaffRequest.requester_id == actor.id,
            StaffRequest.kind == RequestKind.TIME_OFF,
            StaffRequest.status.in_(OPEN_STATUSES),
            StaffRequest.starts_at < ends_at,
            StaffRequest.ends_at > starts_at,
        )
    )
    if overlapping:
        raise conflict(
            "starts_at", _("you already have an open time-off request for part of this time")
        )
    req = StaffRequest(
        library_id=library.id,
        kind=RequestKind.TIME_OFF,
        status=RequestStatus.PENDING,
        requester_id=actor.id,
        starts_at=starts_at,
        ends_at=ends_at,
        absence_kind=absence_kind,
        note=text,
    )
    session.add(req)
    session.flush()
    return req


def affected_rows(session: Session, req: StaffRequest) -> list[PublishedShift]:
    """The requester's confirmed published shifts in the library that the time off touches."""
    return list(
        session.scalars(
            select(PublishedShift)
            .join(ServicePoint, ServicePoint.id == PublishedShift.service_point_id)
            .where(
                PublishedShift.person_id == req.requester_id,
                PublishedShift.status == PublishedShiftStatus.CONFIRMED,
                PublishedShift.period_id.is_not(None),
                ServicePoint.library_id == req.library_id,
                PublishedShift.starts_at < req.ends_at,
                PublishedShift.ends_at > req.starts_at,
            )
            .order_by(PublishedShift.starts_at)
        )
    )


@dataclass
class EmptiedShift:
    """One published shift the time off empties, with who could take it."""

    row: PublishedShift
    shift_id: int
    holders_left: int  # people still on it once the requester is off
    min_staff: int
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return max(0, self.min_staff - self.holders_left)


@dataclass
class Consequences:
    shifts: list[EmptiedShift] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return sum(s.missing for s in self.shifts)


def consequences(
    session: Session, actor: Person, req: StaffRequest, *, limit: int = 5
) -> Consequences:
    """What approving ``req`` empties, and the best replacements for each shift.

    A candidate is checked with the requester already away (the time off as an
    absence) and off every affected shift, so the ranking is of the roster the leader
    would be left with.
    """
    access.require(actor, Role.SECTION_LEADER, req.library_id)
    out = Consequences()
    rows = affected_rows(session, req)
    periods: dict[int, list[PublishedShift]] = {}
    for row in rows:
        assert row.period_id is not None
        periods.setdefault(row.period_id, []).append(row)
    away = Absence(person_id=req.requester_id, starts_at=req.starts_at, ends_at=req.ends_at)
    for period_id, mine in periods.items():
        period = session.get(RosterPeriod, period_id)
        assert period is not None
        roster = published_roster(session, period, extra_absences=[away])
        shifts = {row.id: shift_of(session, row) for row in mine}
        gone = [(s.id, req.requester_id) for s in shifts.values()]
        people = [p for p in pool(session, period.library_id) if p.id != req.requester_id]
        for row in mine:
            shift = shifts[row.id]
            held = [p for p in roster.holders(shift.id) if p != req.requester_id]
            found = []
            for person in people:
                if person.id in held:
                    continue
                result = roster.check(
                    remove=gone,
                    add=[(shift.id, person.id)],
                    ignore=req.requester_id,
                    from_removed=True,
                )
                if result.legal:
                    found.append(Candidate(person, result))
            found.sort(key=lambda c: (c.check.delta, c.person.name))
            out.shifts.append(
                EmptiedShift(row, shift.id, len(held), shift.min_staff, found[:limit])
            )
    return out
