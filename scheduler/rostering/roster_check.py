"""Check a period's draft roster (or a proposed change to it) with the engine's checker.

Review pages and manual edits both need the same thing: the period's Problem built
from the database once, and the checker run on sets of (shift, person) pairs. People
who are on the roster but not in the library's first-line pool are not in the
Problem; they are reported here as H5 breaches in plain words rather than as the
checker's "unknown staff member".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.models import (
    Assignment,
    Person,
    PublishedShift,
    PublishedShiftStatus,
    RosterPeriod,
    RunKind,
    Shift,
)
from scheduler.rostering.problem import BuiltProblem, build_problem, shift_key, staff_key
from scheduler.solver import problem as sp
from scheduler.solver.check import CheckReport, Violation, check

Pair = tuple[int, int]  # (Shift.id, Person.id)

# Plain names of the hard rules, as docs/roster-format.md words them.
RULE_NAMES: dict[str, str] = {
    "H0": "the roster itself",
    "H1": "headcount",
    "H2": "one place at a time",
    "H3": "availability",
    "H4": "skills",
    "H5": "first line, ground floor only",
    "H6": "weekly hours",
    "H7": "daily hours",
    "H8": "breaks",
    "H9": "pins",
}


def lock_period(session: Session, period: RosterPeriod) -> None:
    """Serialise changes to one period's roster (a row lock on PostgreSQL).

    An edit checks the whole roster and then writes; two leaders editing at once must
    not both pass a check that only one of them may pass. SQLite's write transactions
    (BEGIN IMMEDIATE) serialise already; there FOR UPDATE is left out.
    """
    session.execute(select(RosterPeriod.id).where(RosterPeriod.id == period.id).with_for_update())


def draft_pairs(session: Session, period: RosterPeriod) -> list[Pair]:
    """The (shift, person) pairs of the period's draft roster, in a stable order."""
    rows = session.execute(
        select(Assignment.shift_id, Assignment.person_id)
        .join(Shift, Shift.id == Assignment.shift_id)
        .where(Shift.period_id == period.id)
        .order_by(Shift.starts_at, Assignment.shift_id, Assignment.person_id)
    )
    return [(int(s), int(p)) for s, p in rows]


def published_pairs(session: Session, period: RosterPeriod) -> list[Pair]:
    """The confirmed published shifts of the period, mapped back to draft shifts."""
    by_slot = {
        (s.service_point_id, s.starts_at, s.ends_at): s.id
        for s in session.scalars(select(Shift).where(Shift.period_id == period.id))
    }
    out: list[Pair] = []
    for row in session.scalars(
        select(PublishedShift).where(
            PublishedShift.period_id == period.id,
            PublishedShift.status == PublishedShiftStatus.CONFIRMED,
        )
    ):
        shift_id = by_slot.get((row.service_point_id, row.starts_at, row.ends_at))
        if shift_id is not None:
            out.append((shift_id, row.person_id))
    return out


@dataclass(frozen=True)
class RosterChecker:
    """The period's Problem and a way to check sets of database pairs against it."""

    built: BuiltProblem
    names: dict[int, str]

    @property
    def problem(self) -> sp.Problem:
        return self.built.problem

    def to_solver(self, pairs: Iterable[Pair]) -> tuple[list[sp.Assignment], list[int]]:
        """Pairs the Problem knows as solver assignments; people it does not know."""
        staff = self.built.staff_ids
        shifts = self.built.shift_ids
        out: list[sp.Assignment] = []
        outsiders: list[int] = []
        for shift_id, person_id in pairs:
            if staff_key(person_id) not in staff:
                outsiders.append(person_id)
                continue
            if shift_key(shift_id) not in shifts:
                continue  # a shift on a closed day: not part of the roster
            out.append(sp.Assignment(shift_key(shift_id), staff_key(person_id)))
        return out, outsiders

    def check(self, pairs: Iterable[Pair]) -> CheckReport:
        """Every hard-rule breach and the objective of ``pairs`` (see solver.check)."""
        pairs = list(pairs)
        assignments, outsiders = self.to_solver(pairs)
        report = check(self.problem, assignments)
        for person_id in dict.fromkeys(outsiders):
            name = self.names.get(person_id, f"#{person_id}")
            held = [s for s, p in pairs if p == person_id]
            report.violations.append(
                Violation(
                    "H5",
                    f"{name} is not in this library's first-line pool but holds "
                    f"{len(held)} shift(s).",
                    shift_key(held[0]) if held else None,
                    staff_key(person_id),
                )
            )
        return report


def roster_checker(
    session: Session, period: RosterPeriod, *, with_published: bool = True
) -> RosterChecker:
    """Build the period's Problem once for checking drafts and proposed edits.

    With ``with_published`` the confirmed published roster becomes ``previous``, so
    the ``change`` term counts how many of the shifts staff were told about would move.
    The rules are the normal ones: a short shift is an H1 breach here even after a
    sick-day repair allowed it, so that the leader sees it.
    """
    built = build_problem(session, period, kind=RunKind.GENERATE)
    if with_published:
        previous, _outsiders = RosterChecker(built, {}).to_solver(published_pairs(session, period))
        built = replace(built, problem=replace(built.problem, previous=tuple(previous)))
    names = {int(i): n for i, n in session.execute(select(Person.id, Person.name))}
    return RosterChecker(built=built, names=names)


def violation_key(v: Violation) -> tuple[str, str | None, str | None, str]:
    return (v.rule, v.shift, v.staff, v.message)
