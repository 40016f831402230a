"""Roster set-up use cases: service points, opening hours, closed dates, pool, demand.

The section leader's pages call these. Each checks its input, raises
:class:`~scheduler.errors.InputError` naming the field and the reason (changing
nothing), and flushes; the request commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.errors import InputError
from scheduler.models import (
    Channel,
    ClosedDate,
    DemandRule,
    Library,
    OpeningHours,
    Person,
    PersonLibraryRole,
    PublishedShift,
    Role,
    ServicePoint,
    Shift,
    Skill,
)
from scheduler.rostering.demand import (
    DemandError,
    ShiftSpec,
    check_rule_point,
    expand_demand,
    library_rules,
)
from scheduler.rostering.permissions import require_leader
from scheduler.timeutil import monday_of

# DESIGN.md: first-line staff work at least 4 hours a week each.
MIN_POOL_HOURS = 4.0


# Service points -------------------------------------------------------------------------


@dataclass(frozen=True)
class PointInput:
    name: str
    channel: Channel
    ground_floor: bool
    first_line: bool
    location: str | None = None


def _record(
    session: Session, library: Library, actor: Person | None, op: str, subject: str
) -> None:
    """Every set-up change is audited: what kind of change, to which row, by whom."""
    audit.record(
        session,
        audit.Action.SETUP_CHANGED,
        actor=actor,
        subject=subject,
        details={"op": op},
        library_id=library.id,
    )


def _has_rules(session: Session, point: ServicePoint) -> bool:
    return bool(session.scalar(select(exists().where(DemandRule.service_point_id == point.id))))


def save_service_point(
    session: Session,
    library: Library,
    data: PointInput,
    point: ServicePoint | None = None,
    *,
    actor: Person | None,
) -> ServicePoint:
    """Create or update a service point; refuse to strip H5 from a point with demand."""
    require_leader(actor, library.id)
    if point is not None and point.library_id != library.id:
        raise InputError.field("id", "no such service point in this library")
    name = data.name.strip()
    if not name:
        raise InputError.field("name", "is required")
    clash = session.scalar(
        select(ServicePoint).where(
            ServicePoint.library_id == library.id,
            func.lower(ServicePoint.name) == name.lower(),
        )
    )
    if clash is not None and clash is not point:
        raise InputError.field("name", f"{name!r} is already a service point of this library")
    if (
        point is not None
        and not (data.ground_floor and data.first_line)
        and _has_rules(session, point)
    ):
        field = "ground_floor" if not data.ground_floor else "first_line"
        raise InputError.field(
            field,
            "this point has demand rules; only first-line points on the ground floor "
            "may have shifts, so remove its demand rules first",
        )
    if point is None:
        position = session.scalar(
            select(func.coalesce(func.max(ServicePoint.position), -1)).where(
                ServicePoint.library_id == library.id
            )
        )
        point = ServicePoint(library=library, position=int(position or 0) + 1)
        session.add(point)
    point.name = name
    point.channel = data.channel
    point.ground_floor = data.ground_floor
    point.first_line = data.first_line
    point.location = (data.location or "").strip() or None
    point.active = True
    session.flush()
    _record(session, library, actor, "point.saved", f"service_point:{point.id}")
    return point


def remove_service_point(session: Session, point: ServicePoint, *, actor: Person | None) -> bool:
    """Delete a point, or only deactivate it when shifts refer to it; True if deleted.

    Rosters already made (and published shifts in staff calendars) keep pointing at
    it, so it stays as an inactive row: no new shifts, still a name in old rosters.
    """
    require_leader(actor, point.library_id)
    used = session.scalar(select(exists().where(Shift.service_point_id == point.id))) or (
        session.scalar(select(exists().where(PublishedShift.service_point_id == point.id)))
    )
    _record(
        session,
        point.library,
        actor,
        "point.deactivated" if used else "point.removed",
        f"service_point:{point.id}",
    )
    if used:
        point.active = False
        session.flush()
        return False
    session.delete(point)
    session.flush()
    return True


# Opening hours and closed dates ---------------------------------------------------------


def _periods_overlap(
    a_from: date | None, a_until: date | None, b_from: date | None, b_until: date | None
) -> bool:
    lo = max(a_from or date.min, b_from or date.min)
    hi = min(a_until or date.max, b_until or date.max)
    return lo <= hi


def add_opening_hours(
    session: Session,
    library: Library,
    weekday: int,
    opens: time,
    closes: time,
    valid_from: date | None = None,
    valid_until: date | None = None,
    *,
    actor: Person | None,
) -> OpeningHours:
    """Add an opening interval on a weekday; intervals of one day must not overlap."""
    require_leader(actor, library.id)
    if not 0 <= weekday <= 6:
        raise InputError.field("weekday", "must be Monday to Sunday")
    if closes <= opens:
        raise InputError.field("closes", "must be after the opening time")
    if valid_from and valid_until and valid_until < valid_from:
        raise InputError.field("valid_until", "must not be before 'valid from'")
    for other in library.opening_hours:
        if (
            other.weekday == weekday
            and other.opens < closes
            and opens < other.closes
            and _periods_overlap(valid_from, valid_until, other.valid_from, other.valid_until)
        ):
            raise InputError.field(
                "opens",
                f"overlaps the opening hours {other.opens:%H:%M}-{other.closes:%H:%M} "
                "already set for that day",
            )
    row = OpeningHours(
        weekday=weekday, opens=opens, closes=closes, valid_from=valid_from, valid_until=valid_until
    )
    library.opening_hours.append(row)
    session.flush()
    _record(session, library, actor, "hours.added", f"opening_hours:{row.id}")
    return row


def delete_opening_hours(
    session: Session, library: Library, hours_id: int, *, actor: Person | None
) -> None:
    require_leader(actor, library.id)
    row = session.get(OpeningHours, hours_id)
    if row is None or row.library_id != library.id:
        raise InputError.field("id", "no such opening hours in this library")
    library.opening_hours.remove(row)
    session.flush()
    _record(session, library, actor, "hours.deleted", f"opening_hours:{hours_id}")


def add_closed_date(
    session: Session,
    library: Library,
    day: date,
    reason: str | None = None,
    *,
    actor: Person | None,
) -> ClosedDate:
    require_leader(actor, library.id)
    if any(c.date == day for c in library.closed_dates):
        raise InputError.field("date", f"{day.isoformat()} is already a closed date")
    row = ClosedDate(date=day, reason=(reason or "").strip() or None)
    library.closed_dates.append(row)
    session.flush()
    _record(session, library, actor, "closed_date.added", f"closed_date:{row.id}")
    return row


def delete_closed_date(
    session: Session, library: Library, closed_id: int, *, actor: Person | None
) -> None:
    require_leader(actor, library.id)
    row = session.get(ClosedDate, closed_id)
    if row is None or row.library_id != library.id:
        raise InputError.field("id", "no such closed date in this library")
    library.closed_dates.remove(row)
    session.flush()
    _record(session, library, actor, "closed_date.deleted", f"closed_date:{closed_id}")


# The first-line pool --------------------------------------------------------------------


@dataclass(frozen=True)
class PoolInput:
    skills: Sequence[str]
    min_hours_per_week: float
    target_hours_per_week: float | None
    max_hours_per_week: float | None
    max_hours_per_day: float | None = None


def pool(session: Session, library: Library) -> list[Person]:
    """First-line staff who can be rostered at ``library``, by name."""
    return list(
        session.scalars(
            select(Person)
            .where(
                Person.active.is_(True),
                Person.library_roles.any(
                    (PersonLibraryRole.library_id == library.id)
                    & (PersonLibraryRole.role == Role.FIRST_LINE)
                ),
            )
            .order_by(Person.name)
        )
    )


def check_pool_hours(data: PoolInput) -> None:
    """The contract hours a pool member may have; raises InputError naming the field."""
    lo, target, hi = data.min_hours_per_week, data.target_hours_per_week, data.max_hours_per_week
    if lo < MIN_POOL_HOURS:
        raise InputError.field(
            "min_hours_per_week",
            f"{lo:g} h is below the first-line minimum of {MIN_POOL_HOURS:g} hours a week",
        )
    if hi is not None and hi < lo:
        raise InputError.field("max_hours_per_week", "must be at least the minimum")
    if hi is not None and hi > 60:
        raise InputError.field("max_hours_per_week", "must be at most 60 hours")
    if target is not None and (target < lo or (hi is not None and target > hi)):
        raise InputError.field("target_hours_per_week", "must lie between the minimum and maximum")
    per_day = data.max_hours_per_day
    if per_day is not None and not 0 < per_day <= 24:
        raise InputError.field("max_hours_per_day", "must be between 0 and 24 hours")


def save_pool_member(
    session: Session, library: Library, person: Person, data: PoolInput, *, actor: Person | None
) -> Person:
    """Put ``person`` in the library's first-line pool (or update them there)."""
    require_leader(actor, library.id)
    check_pool_hours(data)
    known = {s.code: s for s in session.scalars(select(Skill))}
    unknown = sorted(set(data.skills) - set(known))
    if unknown:
        raise InputError.field("skills", f"unknown skill(s): {', '.join(unknown)}")
    person.min_hours_per_week = float(data.min_hours_per_week)
    person.target_hours_per_week = data.target_hours_per_week
    person.max_hours_per_week = data.max_hours_per_week
    person.max_hours_per_day = data.max_hours_per_day
    person.skills = [known[c] for c in sorted(set(data.skills))]
    person.grant(Role.FIRST_LINE, library)
    session.flush()
    _record(session, library, actor, "pool.saved", f"person:{person.id}")
    return person


def remove_pool_member(
    session: Session, library: Library, person: Person, *, actor: Person | None
) -> None:
    """Take ``person`` out of this library's pool; their shifts already made stay."""
    require_leader(actor, library.id)
    person.revoke(Role.FIRST_LINE, library.id)
    if not person.roles_in(library.id) and library in person.libraries:
        person.libraries.remove(library)  # no other role there: they no longer work there
    session.flush()
    _record(session, library, actor, "pool.removed", f"person:{person.id}")


# Demand rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemandInput:
    service_point_id: int
    weekdays: Sequence[int]
    start_time: time
    end_time: time
    block_minutes: int
    min_staff: int
    max_staff: int
    skills: Sequence[str] = ()
    label: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None


def save_demand_rule(
    session: Session,
    library: Library,
    data: DemandInput,
    rule: DemandRule | None = None,
    *,
    actor: Person | None,
) -> DemandRule:
    """Create or update a demand rule; refuse points that may not carry shifts (H5)."""
    require_leader(actor, library.id)
    if rule is not None and rule.service_point.library_id != library.id:
        raise InputError.field("id", "no such demand rule in this library")
    point = session.get(ServicePoint, data.service_point_id)
    if point is None or point.library_id != library.id:
        raise InputError.field("service_point_id", "is not a service point of this library")
    try:
        check_rule_point(point, "service_point_id")
    except DemandError as exc:
        raise InputError.field(exc.field, exc.reason) from exc
    if not point.active:
        raise InputError.field("service_point_id", f"{point.name!r} is no longer in use")
    days = sorted(set(data.weekdays))
    if not days or any(not 0 <= d <= 6 for d in days):
        raise InputError.field("weekdays", "choose at least one day of the week")
    if data.end_time <= data.start_time:
        raise InputError.field("end_time", "must be after the start time")
    if not 15 <= data.block_minutes <= 24 * 60:
        raise InputError.field("block_minutes", "must be between 15 and 1440 minutes")
    if data.min_staff < 0 or data.max_staff < 1:
        raise InputError.field("min_staff", "needs at least one person at most, none at least")
    if data.max_staff < data.min_staff:
        raise InputError.field("max_staff", "must be at least the minimum")
    if data.valid_from and data.valid_until and data.valid_until < data.valid_from:
        raise InputError.field("valid_until", "must not be before 'valid from'")
    known = set(session.scalars(select(Skill.code)))
    unknown = sorted(set(data.skills) - known)
    if unknown:
        raise InputError.field("skills", f"unknown skill(s): {', '.join(unknown)}")
    new = rule is None
    if rule is None:
        rule = DemandRule()
    values = {
        "service_point": point,
        "label": (data.label or "").strip() or None,
        "weekdays": "".join(str(d) for d in days),
        "start_time": data.start_time,
        "end_time": data.end_time,
        "block_minutes": data.block_minutes,
        "min_staff": data.min_staff,
        "max_staff": data.max_staff,
        "skills": ",".join(sorted(set(data.skills))),
        "valid_from": data.valid_from,
        "valid_until": data.valid_until,
    }
    _check_no_clash(session, library, rule if not new else None, values)
    for key, value in values.items():
        setattr(rule, key, value)
    if new:
        session.add(rule)
    session.flush()
    _record(session, library, actor, "demand_rule.saved", f"demand_rule:{rule.id}")
    return rule


def _check_no_clash(
    session: Session, library: Library, rule: DemandRule | None, values: dict
) -> None:
    """Two rules may not start a shift at one point at the same moment (one week tried)."""
    with session.no_autoflush:
        candidate = DemandRule(**{k: v for k, v in values.items() if k != "service_point"})
        candidate.service_point = values["service_point"]
        others = [r for r in library_rules(session, library.id) if r is not rule]
        start = monday_of(values["valid_from"] or date.today())
        try:
            expand_demand([*others, candidate], library, start, 1)
        except DemandError as exc:
            if "overlaps" in exc.reason:
                raise InputError.field(
                    "start_time", "another rule already starts a shift here at the same time"
                ) from exc
            raise InputError.field("service_point_id", exc.reason) from exc


def delete_demand_rule(
    session: Session, library: Library, rule: DemandRule, *, actor: Person | None
) -> None:
    require_leader(actor, library.id)
    if rule.service_point.library_id != library.id:
        raise InputError.field("id", "no such demand rule in this library")
    _record(session, library, actor, "demand_rule.deleted", f"demand_rule:{rule.id}")
    session.delete(rule)
    session.flush()


def preview_week(session: Session, library: Library, day: date) -> list[ShiftSpec]:
    """The shifts the library's rules give in the ISO week containing ``day``."""
    try:
        return expand_demand(library_rules(session, library.id), library, monday_of(day), 1)
    except DemandError as exc:
        raise InputError.field(exc.field, exc.reason) from exc


def week_days(day: date) -> list[date]:
    start = monday_of(day)
    return [start + timedelta(days=i) for i in range(7)]


@dataclass(frozen=True)
class GridBlock:
    """A shift drawn in the week preview: offsets in percent of the day's drawn span."""

    spec: ShiftSpec
    top: float
    height: float
    lane: int  # index of the service point among the week's points, for colour/column


@dataclass(frozen=True)
class WeekGrid:
    days: list[tuple[date, list[GridBlock]]]
    first_hour: int
    last_hour: int
    point_ids: list[int]

    @property
    def hours(self) -> list[int]:
        return list(range(self.first_hour, self.last_hour))


def week_grid(specs: Sequence[ShiftSpec], monday: date) -> WeekGrid:
    """Lay a week's shifts out on a day × time grid (local wall-clock hours)."""
    point_ids = sorted({s.service_point_id for s in specs})
    if specs:
        first = min(s.local_start.hour for s in specs)
        last = max(s.local_end.hour + (1 if s.local_end.minute else 0) for s in specs)
        last = last if last > first else first + 1
    else:
        first, last = 8, 20
    span = (last - first) * 60
    days = []
    for day in week_days(monday):
        blocks = []
        for s in specs:
            if s.local_start.date() != day:
                continue
            start = (s.local_start.hour - first) * 60 + s.local_start.minute
            end_day = s.local_end.date() != day
            end = span if end_day else (s.local_end.hour - first) * 60 + s.local_end.minute
            blocks.append(
                GridBlock(
                    spec=s,
                    top=round(100 * start / span, 3),
                    height=round(100 * (end - start) / span, 3),
                    lane=point_ids.index(s.service_point_id),
                )
            )
        days.append((day, blocks))
    return WeekGrid(days=days, first_hour=first, last_hour=last, point_ids=point_ids)
