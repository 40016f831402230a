"""Typed, immutable model of a Curtois-Qu benchmark instance.

The model mirrors the text format (see ``../shared/benchmarks/curtois/README.md``) field by
field, so that the reader is a thin translation and the evaluator can be checked against the
README without an intermediate solver-shaped representation. Order is kept everywhere: the
order of ``Instance.staff`` is the ``SECTION_STAFF`` order, which is the canonical row order
of roster files.

Instances are normally built by :func:`scheduler.solver.curtois.reader.read_instance`, which
checks every cross-reference; the constructors here only normalise containers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

DAYS_PER_WEEK = 7
SATURDAY = 5
SUNDAY = 6


@dataclass(frozen=True, slots=True)
class ShiftType:
    """A shift type: its length and the shift types that may not be worked the next day."""

    id: str
    minutes: int
    forbidden_successors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Employee:
    """One ``SECTION_STAFF`` row plus the employee's ``SECTION_DAYS_OFF`` days.

    ``max_shifts`` maps every shift type id to the most shifts of that type the employee may
    work (0 = never); it is read-only and keeps the file order.
    """

    id: str
    max_shifts: Mapping[str, int] = field(hash=False)
    max_total_minutes: int
    min_total_minutes: int
    max_consecutive_shifts: int
    min_consecutive_shifts: int
    min_consecutive_days_off: int
    max_weekends: int
    days_off: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        # Freeze the mapping so that a frozen Employee cannot change behind a caller's back.
        object.__setattr__(self, "max_shifts", MappingProxyType(dict(self.max_shifts)))
        object.__setattr__(self, "days_off", tuple(sorted(set(self.days_off))))


@dataclass(frozen=True, slots=True)
class ShiftRequest:
    """A shift-on or shift-off request: ``weight`` is the penalty when it is not honoured."""

    employee: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True, slots=True)
class CoverRequirement:
    """Preferred head count of one shift type on one day, with its under/over weights."""

    day: int
    shift: str
    requirement: int
    under_weight: int
    over_weight: int


@dataclass(frozen=True)
class Instance:
    """A whole benchmark instance; day 0 is a Monday and ``horizon`` is a multiple of 7."""

    name: str
    horizon: int
    shifts: tuple[ShiftType, ...]
    staff: tuple[Employee, ...]
    on_requests: tuple[ShiftRequest, ...] = ()
    off_requests: tuple[ShiftRequest, ...] = ()
    cover: tuple[CoverRequirement, ...] = ()

    # Derived lookups. cached_property writes to the instance __dict__ directly, so it works
    # on a frozen dataclass and does not take part in equality or hashing.

    @property
    def weeks(self) -> int:
        return self.horizon // DAYS_PER_WEEK

    @cached_property
    def shift_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.shifts)

    @cached_property
    def employee_ids(self) -> tuple[str, ...]:
        """Employee ids in ``SECTION_STAFF`` order (the canonical roster row order)."""
        return tuple(e.id for e in self.staff)

    @cached_property
    def shift_by_id(self) -> Mapping[str, ShiftType]:
        return MappingProxyType({s.id: s for s in self.shifts})

    @cached_property
    def employee_by_id(self) -> Mapping[str, Employee]:
        return MappingProxyType({e.id: e for e in self.staff})

    @cached_property
    def forbidden_sequences(self) -> frozenset[tuple[str, str]]:
        """Pairs ``(t, u)``: shift ``u`` may not be worked the day after shift ``t``."""
        return frozenset((s.id, u) for s in self.shifts for u in s.forbidden_successors)

    @cached_property
    def weekends(self) -> tuple[tuple[int, int], ...]:
        """``(saturday, sunday)`` day indexes of each weekend ``w = 0 .. weeks-1``."""
        return tuple(
            (DAYS_PER_WEEK * w + SATURDAY, DAYS_PER_WEEK * w + SUNDAY) for w in range(self.weeks)
        )

    @cached_property
    def on_requests_by_employee(self) -> Mapping[str, tuple[ShiftRequest, ...]]:
        return _group_by_employee(self.employee_ids, self.on_requests)

    @cached_property
    def off_requests_by_employee(self) -> Mapping[str, tuple[ShiftRequest, ...]]:
        return _group_by_employee(self.employee_ids, self.off_requests)

    @cached_property
    def cover_by_key(self) -> Mapping[tuple[int, str], CoverRequirement]:
        """Cover rows by ``(day, shift id)``; a missing pair has no cover term at all."""
        return MappingProxyType({(c.day, c.shift): c for c in self.cover})

    @property
    def fixed_days_off_count(self) -> int:
        """Number of (employee, day) pairs in ``SECTION_DAYS_OFF`` (the README's column)."""
        return sum(len(e.days_off) for e in self.staff)

    @staticmethod
    def is_weekend(day: int) -> bool:
        return day % DAYS_PER_WEEK in (SATURDAY, SUNDAY)


def _group_by_employee(
    employee_ids: tuple[str, ...], requests: tuple[ShiftRequest, ...]
) -> Mapping[str, tuple[ShiftRequest, ...]]:
    groups: dict[str, list[ShiftRequest]] = {e: [] for e in employee_ids}
    for r in requests:
        groups.setdefault(r.employee, []).append(r)
    return MappingProxyType({e: tuple(rs) for e, rs in groups.items()})
