"""Change a published roster by one self-service move, checked and diffed like a publish.

Staff trade, give away, claim and take time off on the roster they were told about, so
every check here runs on the *published* roster (the confirmed published shifts mapped
back to the period's shifts), with the engine's checker: a move is legal when it breaks
no hard rule that the published roster did not already break (the same measure as a
leader's manual edit, :func:`scheduler.rostering.edits.new_violations`).

Applying a move builds the published roster as it should be and sends it through
:func:`scheduler.rostering.publish.compare` and :func:`~scheduler.rostering.publish.apply_diff`:
kept rows keep their UID, moved rows bump SEQUENCE, removed rows stay as CANCELLED. The
draft roster follows, so the next publish does not undo the move. Flushes; the caller
commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.errors import InputError
from scheduler.models import (
    Assignment,
    AssignmentSource,
    Person,
    PublishedShift,
    PublishedShiftStatus,
    RosterPeriod,
    RunKind,
    Shift,
)
from scheduler.reasons import _
from scheduler.rostering.edits import new_violations, rule_words
from scheduler.rostering.problem import AbsenceLike, build_problem, staff_key
from scheduler.rostering.publish import RosterDiff, Slot, apply_diff, compare
from scheduler.rostering.roster_check import (
    RULE_NAMES,
    Pair,
    RosterChecker,
    published_pairs,
)
from scheduler.solver.check import Violation
from scheduler.timeutil import utcnow


class ChangeRefused(InputError):
    """The move breaks hard rules; the message quotes the checker (rule and shift)."""

    def __init__(self, violations: list[Violation], field_name: str = "shift") -> None:
        self.violations = violations
        lines = [f"{v.rule} {RULE_NAMES.get(v.rule, '')}: {v.message}" for v in violations]
        reason = "breaks " + "; ".join(lines)
        super().__init__(f"{field_name}: {reason}", {field_name: reason})
        self.rules = sorted({v.rule for v in violations})


def refusal_lines(violations: list[Violation], gettext: Callable[[str], str]) -> list[str]:
    """One line per broken rule, the rule in plain words in the reader's language (as a
    refused edit of the draft says it)."""
    return [f"{rule_words(v.rule, gettext).capitalize()}: {v.message}" for v in violations]


@dataclass
class MoveCheck:
    """A proposed move on the published roster: what it breaks and what it costs."""

    violations: list[Violation] = field(default_factory=list)
    before: int = 0  # the roster objective now
    after: int = 0  # ... and with the move

    @property
    def legal(self) -> bool:
        return not self.violations

    @property
    def delta(self) -> int:
        """Objective change; negative is better (the engine minimises)."""
        return self.after - self.before


@dataclass
class PublishedRoster:
    """A period's published roster as pairs, with the checker for it."""

    period: RosterPeriod
    checker: RosterChecker
    pairs: list[Pair]
    shifts: dict[int, Shift]

    def check(
        self,
        *,
        remove: Iterable[Pair] = (),
        add: Iterable[Pair] = (),
        ignore: int | None = None,
        from_removed: bool = False,
    ) -> MoveCheck:
        """Check the roster with ``remove`` taken out and ``add`` put in.

        :param ignore: a person whose own breaches do not count (someone going on leave
            falls below their weekly minimum; that is the leave, not the replacement).
        :param from_removed: compare with the roster after ``remove`` rather than the
            published one (a replacement is judged on the roster the leave leaves).
        """
        gone = set(remove)
        rest = [p for p in self.pairs if p not in gone]
        after = list(rest)
        for pair in add:
            if pair not in after:
                after.append(pair)
        before = rest if from_removed else self.pairs
        broken = new_violations(self.checker, before, after)
        if ignore is not None:
            key = staff_key(ignore)
            broken = [v for v in broken if v.staff != key]
        return MoveCheck(
            broken,
            self.checker.check(before).objective,
            self.checker.check(after).objective,
        )

    def holders(self, shift_id: int) -> list[int]:
        return [p for s, p in self.pairs if s == shift_id]


def published_roster(
    session: Session, period: RosterPeriod, *, extra_absences: Iterable[AbsenceLike] = ()
) -> PublishedRoster:
    """The period's published roster and a checker built from the database now.

    The objective leaves out the ``change`` term (every self-service move changes the
    published roster by construction); what is compared is the roster's quality.
    """
    built = build_problem(session, period, kind=RunKind.GENERATE, extra_absences=extra_absences)
    names = {int(i): n for i, n in session.execute(select(Person.id, Person.name))}
    shifts = {s.id: s for s in session.scalars(select(Shift).where(Shift.period_id == period.id))}
    return PublishedRoster(
        period, RosterChecker(built=built, names=names), published_pairs(session, period), shifts
    )


def shift_of(session: Session, row: PublishedShift) -> Shift:
    """The period's shift a published shift stands for (same point and times)."""
    shift = session.scalar(
        select(Shift).where(
            Shift.period_id == row.period_id,
            Shift.service_point_id == row.service_point_id,
            Shift.starts_at == row.starts_at,
            Shift.ends_at == row.ends_at,
        )
    )
    if shift is None:
        raise InputError.field("shift", _("is no longer part of the roster"))
    return shift


def _slot(shift: Shift) -> Slot:
    return (shift.service_point_id, shift.starts_at, shift.ends_at)


def _minutes(slot: Slot) -> int:
    return int((slot[2] - slot[1]).total_seconds() // 60)


def apply_move(
    session: Session,
    period: RosterPeriod,
    *,
    remove: Iterable[Pair] = (),
    add: Iterable[Pair] = (),
    actor: Person | None,
    action: str,
    details: dict | None = None,
    now: datetime | None = None,
) -> RosterDiff:
    """Take ``remove`` off and put ``add`` on the published roster and the draft.

    The caller has locked the period and checked the move. Returns the diff written
    (its ``by_person()`` is who must be told).
    """
    remove, add = list(remove), list(add)
    shifts = {s.id: s for s in session.scalars(select(Shift).where(Shift.period_id == period.id))}
    wanted: dict[int, list[Slot]] = defaultdict(list)
    for row in session.scalars(
        select(PublishedShift)
        .where(
            PublishedShift.period_id == period.id,
            PublishedShift.status == PublishedShiftStatus.CONFIRMED,
        )
        .order_by(PublishedShift.starts_at, PublishedShift.id)
    ):
        wanted[row.person_id].append((row.service_point_id, row.starts_at, row.ends_at))
    for shift_id, person_id in remove:
        slot = _slot(shifts[shift_id])
        if slot in wanted[person_id]:
            wanted[person_id].remove(slot)
    for shift_id, person_id in add:
        slot = _slot(shifts[shift_id])
        if slot not in wanted[person_id]:
            wanted[person_id].append(slot)
    diff = compare(session, period, dict(wanted))
    apply_diff(session, period, diff, now or utcnow())
    _follow_in_draft(session, remove, add)
    audit.record(
        session,
        action,
        actor=actor,
        subject=f"roster_period:{period.id}",
        details={
            **(details or {}),
            "removed": [list(p) for p in remove],
            "added": [list(p) for p in add],
            **diff.counts,
        },
        library_id=period.library_id,
    )
    session.flush()
    return diff


def _follow_in_draft(session: Session, remove: list[Pair], add: list[Pair]) -> None:
    for shift_id, person_id in remove:
        a = session.scalar(
            select(Assignment).where(
                Assignment.shift_id == shift_id, Assignment.person_id == person_id
            )
        )
        if a is not None:
            session.delete(a)
    session.flush()
    for shift_id, person_id in add:
        exists = session.scalar(
            select(Assignment.id).where(
                Assignment.shift_id == shift_id, Assignment.person_id == person_id
            )
        )
        if exists is None:
            session.add(
                Assignment(shift_id=shift_id, person_id=person_id, source=AssignmentSource.MANUAL)
            )


def applied_record(diff: RosterDiff) -> list[dict]:
    """What a diff did per person, with signed minutes (the hours statement reads it)."""
    out = []
    for c in diff.changed:
        gained = _minutes(c.new) if c.new else 0
        lost = _minutes(c.old) if c.old else 0
        slot = c.new or c.old
        assert slot is not None
        out.append(
            {
                "person": c.person_id,
                "kind": c.kind,
                "starts_at": slot[1].isoformat(),
                "minutes": gained - lost,
            }
        )
    return out
