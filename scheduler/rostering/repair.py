"""Sick-day repair: someone is away on days of a published roster; fill their shifts.

The leader marks the person absent for the days (stored as Absence rows, so booking and
later runs see it too), their shifts on those days leave the draft, and a REPAIR run
re-solves with the published roster as ``previous``. The run is minimal-change by
construction (:mod:`scheduler.rostering.repair_solve`): everything published outside the
affected days is pinned and only those days are solved, widening to the days around,
the weeks, and the whole period only when that is not enough. The draft then differs
from the published roster only where it must; the leader sees that difference
(:func:`scheduler.rostering.publish.compare`) and publishes it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.errors import InputError
from scheduler.models import (
    Absence,
    AbsenceKind,
    Assignment,
    PeriodStatus,
    Person,
    RosterPeriod,
    RosterRun,
    RunKind,
    Shift,
)
from scheduler.reasons import _
from scheduler.rostering.periods import period_end
from scheduler.rostering.permissions import require_leader
from scheduler.rostering.roster_check import lock_period
from scheduler.rostering.runs import SolverSettings, assert_not_running, start_run
from scheduler.timeutil import day_bounds, to_local

MAX_NOTE_LENGTH = 500


@dataclass
class RepairStarted:
    run: RosterRun
    absences: list[Absence] = field(default_factory=list)
    removed: int = 0  # the absent person's assignments taken out of the draft


def day_ranges(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) ranges: 3, 4, 5 and 9 -> (3, 5), (9, 9)."""
    out: list[tuple[date, date]] = []
    for d in sorted(set(days)):
        if out and d == out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


def check_repair(period: RosterPeriod, person: Person | None, days: list[date]) -> None:
    """Refuse a repair that cannot make sense (InputError naming the field)."""
    if period.status != PeriodStatus.PUBLISHED:
        raise InputError.field(
            "period",
            _("is not published yet: edit the draft roster instead of repairing it"),
        )
    if person is None:
        raise InputError.field("person", _("choose who is away"))
    if not days:
        raise InputError.field("days", _("choose at least one day"))
    end = period_end(period)
    for d in days:
        if not period.start_date <= d < end:
            raise InputError.field(
                "days",
                _(
                    "%(day)s is outside this roster (%(start)s to %(end)s)",
                    day=d.isoformat(),
                    start=period.start_date.isoformat(),
                    end=(end - timedelta(days=1)).isoformat(),
                ),
            )


def mark_absent(
    session: Session,
    period: RosterPeriod,
    person: Person,
    days: list[date],
    *,
    actor: Person | None,
    note: str | None = None,
) -> list[Absence]:
    """Store the person's absence on ``days`` (whole local days, one row per run of days)."""
    require_leader(actor, period.library_id)
    tz = period.library.timezone
    text = (note or "").strip() or None
    if text is not None and len(text) > MAX_NOTE_LENGTH:
        raise InputError.field(
            "note", _("is too long (at most %(most)s characters)", most=MAX_NOTE_LENGTH)
        )
    out = []
    for first, last in day_ranges(days):
        absence = Absence(
            person_id=person.id,
            starts_at=day_bounds(first, tz)[0],
            ends_at=day_bounds(last, tz)[1],
            kind=AbsenceKind.SICK,
            note=text,
            created_by_id=actor.id if actor is not None else None,
        )
        session.add(absence)
        out.append(absence)
    session.flush()
    return out


def start_repair(
    session: Session,
    period: RosterPeriod,
    *,
    person: Person | None,
    days: list[date],
    actor: Person | None,
    note: str | None = None,
    time_limit: float | None = None,
    settings: SolverSettings | None = None,
) -> RepairStarted:
    """Mark ``person`` absent on ``days`` and queue a REPAIR run; all or nothing.

    Refuses (nothing changed) while a run is active, for a draft period, for days
    outside the period, and when the person has no shift on those days to repair.
    Flushes; the caller commits (the run starts after the commit).
    """
    require_leader(actor, period.library_id)
    lock_period(session, period)
    assert_not_running(period)
    check_repair(period, person, days)
    assert person is not None
    tz = period.library.timezone
    wanted = set(days)
    theirs = [
        a
        for a in session.scalars(
            select(Assignment)
            .join(Shift)
            .where(Shift.period_id == period.id, Assignment.person_id == person.id)
        )
        if to_local(a.shift.starts_at, tz).date() in wanted
    ]
    if not theirs:
        raise InputError.field(
            "days",
            _("%(name)s has no shift on those days: nothing to repair", name=person.name),
        )
    with session.begin_nested():
        absences = mark_absent(session, period, person, days, actor=actor, note=note)
        for a in theirs:
            session.delete(a)
        audit.record(
            session,
            audit.Action.ROSTER_REPAIR,
            actor=actor,
            subject=f"roster_period:{period.id}",
            reason=(note or "").strip() or None,
            details={
                "person": person.id,
                "days": sorted(d.isoformat() for d in wanted),
                "removed": len(theirs),
            },
            library_id=period.library_id,
        )
        session.flush()
        run = start_run(
            session,
            period,
            kind=RunKind.REPAIR,
            actor=actor,
            time_limit=time_limit,
            settings=settings,
        )
    return RepairStarted(run=run, absences=absences, removed=len(theirs))
