"""Staff's own roster wishes: absences (hard: never rostered then) and preferences.

Times arrive as local dates and wall-clock times in the person's library zone and
are stored as UTC instants. A preference's weight follows the roster format: positive
means "rather not then", negative "I would like to work then".
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.errors import InputError, NotFound
from scheduler.models import Absence, AbsenceKind, Person, RosterPreference
from scheduler.timeutil import local_to_utc

MAX_ABSENCE_DAYS = 366


def absence_span(
    start_date: date, start_time: time | None, end_date: date, end_time: time | None, tz: str
) -> tuple[datetime, datetime]:
    """UTC bounds; a missing start time means the start of the day, a missing end time
    the end of the end date (so "3-5 March" covers all of 5 March)."""
    starts = local_to_utc(start_date, start_time or time(0), tz)
    if end_time is None:
        ends = local_to_utc(end_date + timedelta(days=1), time(0), tz)
    else:
        ends = local_to_utc(end_date, end_time, tz)
    return starts, ends


def add_absence(
    session: Session,
    person: Person,
    starts_at: datetime,
    ends_at: datetime,
    kind: AbsenceKind = AbsenceKind.OTHER,
    note: str | None = None,
) -> Absence:
    if ends_at <= starts_at:
        raise InputError.field("end_date", "the absence must end after it starts")
    if ends_at - starts_at > timedelta(days=MAX_ABSENCE_DAYS):
        raise InputError.field("end_date", f"an absence may last at most {MAX_ABSENCE_DAYS} days")
    absence = Absence(
        person_id=person.id,
        starts_at=starts_at,
        ends_at=ends_at,
        kind=kind,
        note=(note or "").strip() or None,
        created_by_id=person.id,
    )
    session.add(absence)
    session.flush()
    return absence


def add_preference(
    session: Session,
    person: Person,
    starts_at: datetime,
    ends_at: datetime,
    weight: int,
    note: str | None = None,
) -> RosterPreference:
    if ends_at <= starts_at:
        raise InputError.field("end_time", "must be after the start time")
    if weight == 0 or abs(weight) > 10:
        raise InputError.field("strength", "must be between 1 and 10")
    pref = RosterPreference(
        person_id=person.id,
        starts_at=starts_at,
        ends_at=ends_at,
        weight=weight,
        note=(note or "").strip() or None,
    )
    session.add(pref)
    session.flush()
    return pref


def own_absences(session: Session, person: Person, since: datetime) -> list[Absence]:
    return list(
        session.scalars(
            select(Absence)
            .where(Absence.person_id == person.id, Absence.ends_at >= since)
            .order_by(Absence.starts_at)
        )
    )


def own_preferences(session: Session, person: Person, since: datetime) -> list[RosterPreference]:
    return list(
        session.scalars(
            select(RosterPreference)
            .where(RosterPreference.person_id == person.id, RosterPreference.ends_at >= since)
            .order_by(RosterPreference.starts_at)
        )
    )


def delete_own(
    session: Session, person: Person, model: type[Absence] | type[RosterPreference], row_id: int
) -> None:
    """Delete one of the person's own wishes; someone else's looks like a missing one."""
    row = session.get(model, row_id)
    if row is None or row.person_id != person.id:
        raise NotFound("This wish does not exist.")
    session.delete(row)
    session.flush()
