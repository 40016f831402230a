"""Build the solver ``Problem`` for a roster period from the database.

Everything the engine needs is read here, in one place: the period's shifts and their
service points, the library's first-line pool with contract hours and skills, what
makes people unavailable (absences, booked appointments, hosted drop-in sessions,
shifts already published for another library), their preferences, pinned assignments
and, when re-solving, the assignments to keep. Times become naive local wall-clock
times in the library's zone, as the engine's contract asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from scheduler.models import (
    Absence,
    Appointment,
    AppointmentStatus,
    Assignment,
    ClosedDate,
    DropInSession,
    PeriodStatus,
    Person,
    PersonLibraryRole,
    PublishedShift,
    PublishedShiftStatus,
    Role,
    RosterPeriod,
    RosterPreference,
    RunKind,
    ServicePoint,
    SessionStatus,
    Shift,
)
from scheduler.models.dropin import session_hosts
from scheduler.solver import problem as sp
from scheduler.timeutil import local_to_utc, to_local, utcnow

# Rules for every roster unless the deployment overrides them (ROSTER_RULES setting):
# a duty block is at most 4 hours, and a break shorter than 15 minutes does not end it.
DEFAULT_RULES: dict[str, Any] = {
    "min_hours_per_week": 4,
    "max_hours_per_day": 8,
    "max_consecutive_hours": 4,
    "min_break_minutes": 15,
    "allow_understaffing": False,
}


class AbsenceLike(Protocol):
    """Anything with a person and a UTC interval (an unsaved Absence will do)."""

    person_id: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class BuiltProblem:
    """The Problem and the way back from its string ids to database ids."""

    problem: sp.Problem
    shift_ids: dict[str, int] = field(default_factory=dict)  # "s345" -> Shift.id
    staff_ids: dict[str, int] = field(default_factory=dict)  # "p12" -> Person.id

    @property
    def shift_keys(self) -> dict[int, str]:
        return {v: k for k, v in self.shift_ids.items()}

    @property
    def staff_keys(self) -> dict[int, str]:
        return {v: k for k, v in self.staff_ids.items()}


def point_key(point_id: int) -> str:
    return f"sp{point_id}"


def shift_key(shift_id: int) -> str:
    return f"s{shift_id}"


def staff_key(person_id: int) -> str:
    return f"p{person_id}"


def make_rules(kind: RunKind, overrides: Mapping[str, Any] | None = None) -> sp.Rules:
    """The period's rules: defaults, then the deployment's overrides.

    A sick-day repair may leave a shift short rather than fail: fewer people on a desk
    for an afternoon is better than no roster at all, and the understaffing term keeps
    it as small as possible.
    """
    values = dict(DEFAULT_RULES)
    if kind == RunKind.REPAIR:
        values["allow_understaffing"] = True
    values.update(overrides or {})
    weights = dict(sp.DEFAULT_WEIGHTS)
    weights.update(values.pop("weights", None) or {})
    return sp.Rules(
        min_hours_per_week=float(values["min_hours_per_week"]),
        max_hours_per_day=float(values["max_hours_per_day"]),
        max_consecutive_hours=(
            None
            if values.get("max_consecutive_hours") is None
            else float(values["max_consecutive_hours"])
        ),
        min_break_minutes=int(values["min_break_minutes"]),
        allow_understaffing=bool(values["allow_understaffing"]),
        weights=weights,
    )


def pool(session: Session, library_id: int) -> list[Person]:
    """The library's first-line pool: active people with the first-line role there."""
    return list(
        session.scalars(
            select(Person)
            .join(PersonLibraryRole, PersonLibraryRole.person_id == Person.id)
            .where(
                PersonLibraryRole.library_id == library_id,
                PersonLibraryRole.role == Role.FIRST_LINE,
                Person.active.is_(True),
            )
            .options(selectinload(Person.skills))
            .order_by(Person.id)
            .distinct()
        )
    )


def build_problem(
    session: Session,
    period: RosterPeriod,
    *,
    kind: RunKind = RunKind.GENERATE,
    extra_absences: Iterable[AbsenceLike] = (),
    rules: Mapping[str, Any] | None = None,
) -> BuiltProblem:
    """The solver Problem for ``period`` (see the module docstring for what goes in).

    :param kind: RESOLVE and REPAIR also send the current assignments (or, when there
        are none, the published ones) as ``previous``, so the ``change`` term keeps them.
    :param extra_absences: absences not (yet) stored, e.g. a sick-day repair preview.
    :param rules: overrides of :data:`DEFAULT_RULES` (the ROSTER_RULES setting).
    """
    library = period.library
    tz = library.timezone
    start = period.start_date
    end_day = start + timedelta(days=7 * period.weeks)
    begin_utc, end_utc = (
        local_to_utc(start, datetime.min.time(), tz),
        local_to_utc(end_day, datetime.min.time(), tz),
    )

    def local(value: datetime) -> datetime:
        return to_local(value, tz).replace(tzinfo=None, second=0, microsecond=0)

    def clipped(a: datetime, b: datetime) -> tuple[datetime, datetime]:
        return local(max(a, begin_utc)), local(min(b, end_utc))

    closed = set(
        session.scalars(
            select(ClosedDate.date).where(
                ClosedDate.library_id == library.id,
                ClosedDate.date >= start,
                ClosedDate.date < end_day,
            )
        )
    )
    shifts = [
        s
        for s in session.scalars(
            select(Shift)
            .where(Shift.period_id == period.id)
            .order_by(Shift.starts_at, Shift.service_point_id, Shift.id)
        )
        if to_local(s.starts_at, tz).date() not in closed  # no duty on a closed day
    ]
    point_ids = sorted({s.service_point_id for s in shifts})
    points = (
        session.scalars(select(ServicePoint).where(ServicePoint.id.in_(point_ids))).all()
        if point_ids
        else []
    )
    points_by_id = {p.id: p for p in points}

    shift_ids = {shift_key(s.id): s.id for s in shifts}
    problem_shifts = tuple(
        sp.Shift(
            id=shift_key(s.id),
            service_point=point_key(s.service_point_id),
            start=local(s.starts_at),
            end=local(s.ends_at),
            min_staff=s.min_staff,
            max_staff=s.max_staff,
            skills=tuple(s.skill_list),
        )
        for s in shifts
    )
    problem_points = tuple(
        sp.ServicePoint(
            id=point_key(pid),
            name=points_by_id[pid].name,
            ground_floor=points_by_id[pid].ground_floor,
            first_line=points_by_id[pid].first_line and points_by_id[pid].active,
        )
        for pid in point_ids
    )

    current = list(
        session.scalars(
            select(Assignment)
            .join(Shift)
            .where(Shift.period_id == period.id)
            .order_by(Assignment.id)
        )
    )
    kept = [a for a in current if a.shift_id in shift_ids.values()]
    people = {p.id: p for p in pool(session, library.id)}
    # Someone pinned or kept from before stays in the problem even if they left the pool
    # (the engine then says why the pin cannot hold, instead of it silently vanishing).
    carried = kept if kind in (RunKind.RESOLVE, RunKind.REPAIR) else [a for a in kept if a.pinned]
    missing = {a.person_id for a in carried} - set(people)
    if missing:
        for p in session.scalars(select(Person).where(Person.id.in_(missing))):
            people[p.id] = p
    ids = sorted(people)
    staff_ids = {staff_key(pid): pid for pid in ids}

    rule_values = make_rules(kind, rules)
    unavailable = _unavailability(
        session, period, ids, begin_utc, end_utc, clipped, list(extra_absences)
    )
    preferences: dict[int, list[sp.Preference]] = {pid: [] for pid in ids}
    for pref in session.scalars(
        select(RosterPreference)
        .where(
            RosterPreference.person_id.in_(ids),
            RosterPreference.starts_at < end_utc,
            RosterPreference.ends_at > begin_utc,
        )
        .order_by(RosterPreference.starts_at, RosterPreference.id)
    ):
        a, b = clipped(pref.starts_at, pref.ends_at)
        if b > a and pref.weight:
            preferences[pref.person_id].append(sp.Preference(a, b, pref.weight))

    staff = tuple(
        sp.Staff(
            id=staff_key(pid),
            name=people[pid].name,
            first_line=Role.FIRST_LINE in people[pid].roles_in(library.id),
            skills=tuple(people[pid].skill_codes),
            min_hours_per_week=float(people[pid].min_hours_per_week),
            max_hours_per_week=_float_or_none(people[pid].max_hours_per_week),
            max_hours_per_day=float(
                people[pid].max_hours_per_day
                if people[pid].max_hours_per_day is not None
                else rule_values.max_hours_per_day
            ),
            target_hours_per_week=_float_or_none(people[pid].target_hours_per_week),
            unavailable=tuple(unavailable.get(pid, ())),
            preferences=tuple(preferences[pid]),
        )
        for pid in ids
    )

    pinned = tuple(
        sp.Assignment(shift_key(a.shift_id), staff_key(a.person_id)) for a in kept if a.pinned
    )
    previous: tuple[sp.Assignment, ...] = ()
    if kind in (RunKind.RESOLVE, RunKind.REPAIR):
        previous = _previous(session, period, kind, kept, shifts, tz, staff_ids)

    problem = sp.Problem(
        timezone=tz,
        start=start,
        weeks=period.weeks,
        service_points=problem_points,
        shifts=problem_shifts,
        staff=staff,
        rules=rule_values,
        pinned=pinned,
        previous=previous,
    )
    return BuiltProblem(problem=problem, shift_ids=shift_ids, staff_ids=staff_ids)


def _float_or_none(value: float | None) -> float | None:
    return None if value is None else float(value)


def _unavailability(
    session: Session,
    period: RosterPeriod,
    ids: list[int],
    begin: datetime,
    end: datetime,
    clipped: Any,
    extra: list[AbsenceLike],
) -> dict[int, list[sp.Unavailable]]:
    """Every reason a person cannot take a shift, as local intervals inside the period."""
    out: dict[int, list[tuple[datetime, datetime, str]]] = {pid: [] for pid in ids}

    def add(pid: int, a: datetime, b: datetime, reason: str) -> None:
        if pid in out and a < end and b > begin:
            la, lb = clipped(a, b)
            if lb > la:
                out[pid].append((la, lb, reason))

    if not ids:
        return {}
    for row in session.scalars(
        select(Absence).where(
            Absence.person_id.in_(ids), Absence.starts_at < end, Absence.ends_at > begin
        )
    ):
        add(row.person_id, row.starts_at, row.ends_at, f"absence ({row.kind})")
    for row in extra:
        add(row.person_id, row.starts_at, row.ends_at, "absence")
    now = utcnow()
    for appt in session.scalars(
        select(Appointment).where(
            Appointment.librarian_id.in_(ids),
            Appointment.starts_at < end,
            Appointment.blocked_until > begin,
            or_(
                Appointment.status == AppointmentStatus.BOOKED,
                (Appointment.status == AppointmentStatus.PENDING)
                & (Appointment.hold_expires_at > now),
            ),
        )
    ):
        # The buffer after an appointment is as busy as the appointment itself.
        add(appt.librarian_id, appt.starts_at, appt.blocked_until, "appointment")
    for pid, s_start, s_end in session.execute(
        select(session_hosts.c.person_id, DropInSession.starts_at, DropInSession.ends_at)
        .join(DropInSession, DropInSession.id == session_hosts.c.session_id)
        .where(
            session_hosts.c.person_id.in_(ids),
            DropInSession.status == SessionStatus.ANNOUNCED,
            DropInSession.starts_at < end,
            DropInSession.ends_at > begin,
        )
    ):
        add(pid, s_start, s_end, "drop-in session")
    # Shifts published for another period (another library's desk, say) are taken.
    for row in session.scalars(
        select(PublishedShift).where(
            PublishedShift.person_id.in_(ids),
            PublishedShift.status == PublishedShiftStatus.CONFIRMED,
            or_(PublishedShift.period_id.is_(None), PublishedShift.period_id != period.id),
            PublishedShift.starts_at < end,
            PublishedShift.ends_at > begin,
        )
    ):
        add(row.person_id, row.starts_at, row.ends_at, "shift in another roster")
    return {
        pid: [sp.Unavailable(a, b, reason) for a, b, reason in sorted(rows)]
        for pid, rows in out.items()
        if rows
    }


def _previous(
    session: Session,
    period: RosterPeriod,
    kind: RunKind,
    kept: list[Assignment],
    shifts: list[Shift],
    tz: str,
    staff_ids: dict[str, int],
) -> tuple[sp.Assignment, ...]:
    """The assignments a re-solve should keep: the draft's, or the published roster's.

    A repair starts from what staff were told (the published roster) when there is one;
    a re-solve around pins starts from the draft being edited.
    """
    draft = [sp.Assignment(shift_key(a.shift_id), staff_key(a.person_id)) for a in kept]
    published: list[sp.Assignment] = []
    if period.status == PeriodStatus.PUBLISHED or kind == RunKind.REPAIR:
        by_slot = {(s.service_point_id, s.starts_at, s.ends_at): s.id for s in shifts}
        known = set(staff_ids.values())
        for row in session.scalars(
            select(PublishedShift)
            .where(
                PublishedShift.period_id == period.id,
                PublishedShift.status == PublishedShiftStatus.CONFIRMED,
            )
            .order_by(PublishedShift.starts_at, PublishedShift.id)
        ):
            shift_id = by_slot.get((row.service_point_id, row.starts_at, row.ends_at))
            if shift_id is not None and row.person_id in known:
                published.append(sp.Assignment(shift_key(shift_id), staff_key(row.person_id)))
    chosen = (published or draft) if kind == RunKind.REPAIR else (draft or published)
    return tuple(dict.fromkeys(chosen))  # unique, in order


def with_rules(built: BuiltProblem, **changes: Any) -> BuiltProblem:
    """A copy of ``built`` with some rules changed (tests and what-if previews)."""
    return replace(
        built, problem=replace(built.problem, rules=replace(built.problem.rules, **changes))
    )
