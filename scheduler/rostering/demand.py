"""Demand rules → shifts: expand "2 people in 2-hour blocks 08:00-16:00 on weekdays".

Rules are written in local wall-clock time; a shift is stored as a UTC instant range,
converted with the library's zone for each date, so a shift at 08:00 stays at 08:00
local across the DST changes (its UTC time moves by an hour).

Choices, in one place:

- A rule's window is clipped to the library's opening hours on that weekday (only
  the rows valid on that date); a weekday without opening hours, or a closed date,
  gets no shifts.
- The clipped window is cut into ``block_minutes`` blocks from its start. A last,
  shorter block is kept when it lasts at least ``MIN_PARTIAL_MINUTES`` (a shorter
  shift is not worth rostering) and dropped otherwise.
- Rules at a service point that is not both first-line and on the ground floor are
  refused (rule H5 of the roster format): a :class:`DemandError`. Rules at an
  inactive point give no shifts.
- Two rules that would start a shift at the same point at the same moment are refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.models import (
    DemandRule,
    Library,
    OpeningHours,
    PeriodStatus,
    RosterPeriod,
    ServicePoint,
    Shift,
)
from scheduler.timeutil import local_to_utc

MIN_PARTIAL_MINUTES = 30


class DemandError(ValueError):
    """Demand that cannot become shifts; ``field`` names what to change."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class ShiftSpec:
    """One shift to create: UTC instants for storage, local wall times for people."""

    service_point_id: int
    starts_at: datetime  # aware, UTC
    ends_at: datetime  # aware, UTC
    local_start: datetime  # naive, the library's wall clock
    local_end: datetime
    min_staff: int
    max_staff: int
    skills: tuple[str, ...]
    rule_id: int | None = None

    @property
    def minutes(self) -> int:
        """Real elapsed minutes (DST-aware)."""
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def staff_hours(self) -> float:
        """Hours of staff time needed: people at least × shift length."""
        return self.min_staff * self.minutes / 60

    @property
    def skills_text(self) -> str:
        return ",".join(self.skills)


def _valid_on(day: date, valid_from: date | None, valid_until: date | None) -> bool:
    return (valid_from is None or valid_from <= day) and (valid_until is None or day <= valid_until)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def open_windows(hours: Iterable[OpeningHours], day: date) -> list[tuple[int, int]]:
    """Opening intervals on ``day`` as (start, end) minutes after local midnight."""
    out = [
        (_minutes(h.opens), _minutes(h.closes))
        for h in hours
        if h.weekday == day.weekday() and _valid_on(day, h.valid_from, h.valid_until)
    ]
    return sorted(out)


def blocks(start: int, end: int, block_minutes: int) -> list[tuple[int, int]]:
    """Cut [start, end) minutes into blocks; see the module docstring for the last one."""
    out = []
    t = start
    while t < end:
        stop = min(t + block_minutes, end)
        if stop - t == block_minutes or stop - t >= MIN_PARTIAL_MINUTES:
            out.append((t, stop))
        t = stop
    return out


def check_rule_point(point: ServicePoint, field: str = "service_point") -> None:
    """Refuse demand at a point the roster may not staff (H5)."""
    if not point.ground_floor:
        raise DemandError(field, f"{point.name!r} is not on the ground floor")
    if not point.first_line:
        raise DemandError(field, f"{point.name!r} is not a first-line service point")


def expand_demand(
    rules: Sequence[DemandRule], library: Library, start: date, weeks: int
) -> list[ShiftSpec]:
    """The shifts the ``rules`` ask for in ``weeks`` weeks from ``start``, sorted by time."""
    if weeks <= 0:
        raise DemandError("weeks", "must be at least 1")
    closed = {c.date for c in library.closed_dates}
    hours = list(library.opening_hours)
    specs: list[ShiftSpec] = []
    seen: dict[tuple[int, datetime], int] = {}
    for i, rule in enumerate(rules):
        point = rule.service_point
        if point.library_id != library.id:
            raise DemandError(f"rules[{i}].service_point", f"{point.name!r} is in another library")
        if not point.active:
            continue
        check_rule_point(point, f"rules[{i}].service_point")
        if rule.block_minutes <= 0:
            raise DemandError(f"rules[{i}].block_minutes", "must be positive")
        if rule.end_time <= rule.start_time:
            raise DemandError(f"rules[{i}].end_time", "must be after the start time")
        days = set(rule.weekday_list)
        for offset in range(weeks * 7):
            day = start + timedelta(days=offset)
            if day.weekday() not in days or day in closed:
                continue
            if not _valid_on(day, rule.valid_from, rule.valid_until):
                continue
            lo, hi = _minutes(rule.start_time), _minutes(rule.end_time)
            for opens, closes in open_windows(hours, day):
                a, b = max(lo, opens), min(hi, closes)
                if a >= b:
                    continue
                for s, e in blocks(a, b, rule.block_minutes):
                    spec = _spec(rule, point, library.timezone, day, s, e)
                    key = (point.id, spec.starts_at)
                    if key in seen and seen[key] != i:
                        raise DemandError(
                            f"rules[{i}]",
                            f"overlaps rules[{seen[key]}]: both start a shift at "
                            f"{point.name!r} on {day.isoformat()} at {_clock(s):%H:%M}",
                        )
                    seen[key] = i
                    specs.append(spec)
    specs.sort(key=lambda sp: (sp.starts_at, sp.service_point_id))
    return specs


def _spec(rule: DemandRule, point: ServicePoint, tz: str, day: date, s: int, e: int) -> ShiftSpec:
    local_start = datetime.combine(day, time(0)) + timedelta(minutes=s)
    local_end = datetime.combine(day, time(0)) + timedelta(minutes=e)
    return ShiftSpec(
        service_point_id=point.id,
        starts_at=local_to_utc(local_start.date(), local_start.time(), tz),
        ends_at=local_to_utc(local_end.date(), local_end.time(), tz),
        local_start=local_start,
        local_end=local_end,
        min_staff=rule.min_staff,
        max_staff=rule.max_staff,
        skills=tuple(rule.skill_list),
        rule_id=rule.id,
    )


def library_rules(session: Session, library_id: int) -> list[DemandRule]:
    """Every demand rule of a library's service points, in a stable order."""
    return list(
        session.scalars(
            select(DemandRule)
            .join(ServicePoint, DemandRule.service_point_id == ServicePoint.id)
            .where(ServicePoint.library_id == library_id)
            .order_by(ServicePoint.position, DemandRule.start_time, DemandRule.id)
        )
    )


def create_period_shifts(session: Session, period: RosterPeriod) -> list[Shift]:
    """(Re)create a draft period's shifts from its library's demand rules.

    Idempotent: shifts without assignments are replaced; a shift somebody is assigned
    to is kept (and updated to the current demand when a rule still asks for it).
    Returns the period's shifts afterwards, sorted by start. Flushes, never commits.
    """
    if period.status != PeriodStatus.DRAFT:
        raise DemandError("period", "is published; its shifts can no longer be regenerated")
    library = period.library
    specs = expand_demand(
        library_rules(session, library.id), library, period.start_date, period.weeks
    )
    kept: dict[tuple[int, datetime], Shift] = {}
    for shift in list(period.shifts):
        if shift.assignments:
            kept[(shift.service_point_id, shift.starts_at)] = shift
        else:
            period.shifts.remove(shift)
            session.delete(shift)
    session.flush()
    for spec in specs:
        shift = kept.get((spec.service_point_id, spec.starts_at))
        if shift is None:
            shift = Shift(
                period=period, service_point_id=spec.service_point_id, starts_at=spec.starts_at
            )
            session.add(shift)
        shift.ends_at = spec.ends_at
        shift.min_staff = spec.min_staff
        shift.max_staff = spec.max_staff
        shift.skills = spec.skills_text
    session.flush()
    return sorted(period.shifts, key=lambda sh: (sh.starts_at, sh.service_point_id))
