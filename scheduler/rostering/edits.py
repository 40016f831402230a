"""Manual roster edits: move, add or remove an assignment, pin or unpin one.

Every edit is checked at once against every hard rule (the engine's checker on the
whole roster, before and after). An edit that breaks a rule it did not break before is
refused with a message naming the rule, unless the section leader overrides it with a
reason: then the reason is kept on the assignment and in the audit log. No edit is
allowed while a solver run works on the period (its result would overwrite the edit).
Use cases flush; the caller commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.errors import InputError, NotFound
from scheduler.models import (
    Assignment,
    AssignmentSource,
    Person,
    RosterPeriod,
    Shift,
)
from scheduler.reasons import Reason, _, translate
from scheduler.rostering.permissions import require_leader
from scheduler.rostering.problem import shift_key, staff_key
from scheduler.rostering.roster_check import (
    RULE_NAMES,
    Pair,
    RosterChecker,
    draft_pairs,
    lock_period,
    roster_checker,
    violation_key,
)
from scheduler.rostering.runs import assert_not_running
from scheduler.solver.check import Violation, timeline_for

MAX_REASON_LENGTH = 1000


class EditRefused(InputError):
    """An edit breaks hard rules and no override reason was given; nothing changed."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        lines = [f"{v.rule} {RULE_NAMES.get(v.rule, '')}: {v.message}" for v in violations]
        reason = "breaks " + "; ".join(lines) + " (give a reason to override)"
        super().__init__(f"edit refused: {reason}", {"edit": reason})
        self.rules = sorted({v.rule for v in violations})


@dataclass
class EditResult:
    """What an edit did: the assignment it left (None after a removal), what it broke."""

    assignment: Assignment | None
    violations: list[Violation] = field(default_factory=list)
    overridden: bool = False


def subject(period: RosterPeriod) -> str:
    return f"roster_period:{period.id}"


def _reason(text: str | None) -> str | None:
    value = (text or "").strip()
    if len(value) > MAX_REASON_LENGTH:
        raise InputError.field(
            "override_reason",
            _("is too long (at most %(most)s characters)", most=MAX_REASON_LENGTH),
        )
    return value or None


def _period_of_shift(session: Session, period: RosterPeriod, shift_id: object) -> Shift:
    shift = session.get(Shift, shift_id) if isinstance(shift_id, int) else None
    if shift is None or shift.period_id != period.id:
        raise InputError.field("shift", _("is not a shift of this roster period"))
    return shift


def _assignment(session: Session, period: RosterPeriod, assignment_id: int) -> Assignment:
    a = session.get(Assignment, assignment_id)
    if a is None or a.shift.period_id != period.id:
        raise NotFound(_("This assignment no longer exists: reload the roster."))
    return a


def _person(session: Session, person_id: object) -> Person:
    person = session.get(Person, person_id) if isinstance(person_id, int) else None
    if person is None or not person.active:
        raise InputError.field("person", _("is not an active member of staff"))
    return person


def new_violations(
    checker: RosterChecker, before: list[Pair], after: list[Pair]
) -> list[Violation]:
    """Breaches in ``after`` that ``before`` did not have, or has less of.

    A roster may already break a rule (an earlier override, a repair that left a shift
    short); an edit is only blamed for what it makes worse. Headcount (H1) and weekly
    hours (H6) are measured, so adding someone to a shift that stays short is an
    improvement, not a new breach.
    """
    old = checker.check(before).violations
    new = checker.check(after).violations
    seen = {violation_key(v) for v in old}
    candidates = [v for v in new if violation_key(v) not in seen]
    if not candidates:
        return []
    h1_before, h6_before = _distances(checker, before)
    h1_after, h6_after = _distances(checker, after)
    out = []
    for v in candidates:
        if v.rule == "H1" and v.shift is not None:
            if h1_after.get(v.shift, 0) <= h1_before.get(v.shift, 0):
                continue
        elif v.rule == "H6" and v.staff is not None:
            weeks = {w for (p, w) in h6_after if p == v.staff} | {
                w for (p, w) in h6_before if p == v.staff
            }
            if all(h6_after.get((v.staff, w), 0) <= h6_before.get((v.staff, w), 0) for w in weeks):
                continue
        out.append(v)
    return out


def _distances(
    checker: RosterChecker, pairs: list[Pair]
) -> tuple[dict[str, int], dict[tuple[str, int], float]]:
    """How far each shift's headcount and each person-week's hours are outside their range."""
    problem = checker.problem
    tl = timeline_for(problem)
    count: dict[str, int] = defaultdict(int)
    worked: dict[tuple[str, int], int] = defaultdict(int)
    assignments, _outsiders = checker.to_solver(pairs)
    for a in assignments:
        if a.shift in tl.shifts:
            count[a.shift] += 1
            worked[(a.staff, tl.week[a.shift])] += tl.minutes[a.shift]
    h1 = {}
    for s in problem.shifts:
        n = count[s.id]
        h1[s.id] = max(0, n - s.max_staff) + (
            0 if problem.rules.allow_understaffing else max(0, s.min_staff - n)
        )
    h6 = {}
    for person in problem.staff:
        if not person.first_line:
            continue
        for w in range(problem.weeks):
            m = worked[(person.id, w)]
            over = 0.0
            if person.max_hours_per_week is not None:
                over = max(0.0, m - person.max_hours_per_week * 60)
            under = (
                max(0.0, tl.owed_minutes(person, w) - m)
                if m < person.min_hours_per_week * 60
                else 0
            )
            h6[(person.id, w)] = over + under
    return h1, h6


def _apply(
    session: Session,
    period: RosterPeriod,
    actor: Person | None,
    op: str,
    before: list[Pair],
    after: list[Pair],
    override_reason: str | None,
    checker: RosterChecker | None = None,
    details: dict | None = None,
) -> tuple[list[Violation], str | None]:
    """Check the change; refuse it, or log it (and the override) in the audit log."""
    reason = _reason(override_reason)
    checker = checker or roster_checker(session, period, with_published=False)
    broken = new_violations(checker, before, after)
    if broken and reason is None:
        raise EditRefused(broken)
    audit.record(
        session,
        audit.Action.ROSTER_OVERRIDE if broken else audit.Action.ROSTER_EDIT,
        actor=actor,
        subject=subject(period),
        reason=reason if broken else None,
        details={
            "op": op,
            **(details or {}),
            "violations": [{"rule": v.rule, "message": v.message} for v in broken],
        },
        library_id=period.library_id,
    )
    return broken, (reason if broken else None)


def add_assignment(
    session: Session,
    period: RosterPeriod,
    *,
    shift_id: int,
    person_id: int,
    actor: Person | None,
    override_reason: str | None = None,
    pinned: bool = False,
) -> EditResult:
    """Put a person on a shift (a manual assignment)."""
    require_leader(actor, period.library_id)
    lock_period(session, period)
    assert_not_running(period)
    shift = _period_of_shift(session, period, shift_id)
    person = _person(session, person_id)
    before = draft_pairs(session, period)
    if (shift.id, person.id) in before:
        raise InputError.field("person", _("is already on this shift"))
    after = [*before, (shift.id, person.id)]
    broken, reason = _apply(
        session, period, actor, "add", before, after, override_reason,
        details={"shift": shift.id, "person": person.id},
    )  # fmt: skip
    a = Assignment(
        shift_id=shift.id,
        person_id=person.id,
        source=AssignmentSource.MANUAL,
        pinned=pinned,
        override_reason=reason,
    )
    session.add(a)
    session.flush()
    return EditResult(a, broken, reason is not None)


def remove_assignment(
    session: Session,
    period: RosterPeriod,
    assignment_id: int,
    *,
    actor: Person | None,
    override_reason: str | None = None,
) -> EditResult:
    """Take a person off a shift."""
    require_leader(actor, period.library_id)
    lock_period(session, period)
    assert_not_running(period)
    a = _assignment(session, period, assignment_id)
    before = draft_pairs(session, period)
    after = [p for p in before if p != (a.shift_id, a.person_id)]
    checker = roster_checker(session, period, with_published=False)
    # Removing a pinned assignment unpins it: the H9 pin rule protects pins from the
    # solver, and the leader removing one has decided.
    if a.pinned:
        checker = _without_pin(checker, a)
    broken, _reason_kept = _apply(
        session, period, actor, "remove", before, after, override_reason, checker,
        details={"shift": a.shift_id, "person": a.person_id},
    )  # fmt: skip
    session.delete(a)
    session.flush()
    return EditResult(None, broken, bool(broken))


def move_assignment(
    session: Session,
    period: RosterPeriod,
    assignment_id: int,
    *,
    actor: Person | None,
    to_shift_id: int | None = None,
    to_person_id: int | None = None,
    override_reason: str | None = None,
) -> EditResult:
    """Move an assignment to another shift, or hand it to another person (or both)."""
    require_leader(actor, period.library_id)
    lock_period(session, period)
    assert_not_running(period)
    a = _assignment(session, period, assignment_id)
    target_shift = (
        _period_of_shift(session, period, to_shift_id) if to_shift_id is not None else a.shift
    )
    target_person = _person(session, to_person_id) if to_person_id is not None else a.person
    old = (a.shift_id, a.person_id)
    new = (target_shift.id, target_person.id)
    if new == old:
        raise InputError.field("shift", _("choose another shift or another person"))
    before = draft_pairs(session, period)
    if new in before:
        raise InputError.field("person", _("is already on this shift"))
    after = [new if p == old else p for p in before]
    checker = roster_checker(session, period, with_published=False)
    if a.pinned:
        checker = _without_pin(checker, a)  # the pin moves with the assignment
    broken, reason = _apply(
        session, period, actor, "move", before, after, override_reason, checker,
        details={"from": list(old), "to": list(new)},
    )  # fmt: skip
    a.shift_id, a.person_id = new
    a.source = AssignmentSource.MANUAL
    a.override_reason = reason
    session.flush()
    session.expire(a, ["shift", "person"])
    return EditResult(a, broken, reason is not None)


def set_pinned(
    session: Session,
    period: RosterPeriod,
    assignment_id: int,
    pinned: bool,
    *,
    actor: Person | None,
) -> Assignment:
    """Pin an assignment (a re-solve keeps it) or unpin it."""
    require_leader(actor, period.library_id)
    lock_period(session, period)
    assert_not_running(period)
    a = _assignment(session, period, assignment_id)
    if a.pinned != pinned:
        a.pinned = pinned
        audit.record(
            session,
            audit.Action.ROSTER_PIN if pinned else audit.Action.ROSTER_UNPIN,
            actor=actor,
            subject=subject(period),
            details={"shift": a.shift_id, "person": a.person_id},
            library_id=period.library_id,
        )
        session.flush()
    return a


def set_pins(
    session: Session,
    period: RosterPeriod,
    pinned_ids: Iterable[int],
    *,
    actor: Person | None,
) -> int:
    """Make exactly ``pinned_ids`` the pinned assignments of the period; returns changes."""
    require_leader(actor, period.library_id)
    lock_period(session, period)
    assert_not_running(period)
    wanted = set(pinned_ids)
    changed = 0
    for a in session.scalars(select(Assignment).join(Shift).where(Shift.period_id == period.id)):
        if a.pinned != (a.id in wanted):
            set_pinned(session, period, a.id, a.id in wanted, actor=actor)
            changed += 1
    return changed


def _without_pin(checker: RosterChecker, a: Assignment) -> RosterChecker:
    from dataclasses import replace

    problem = checker.problem
    pin = (shift_key(a.shift_id), staff_key(a.person_id))
    kept = tuple(p for p in problem.pinned if (p.shift, p.staff) != pin)
    built = replace(checker.built, problem=replace(problem, pinned=kept))
    return replace(checker, built=built)


def refused_text(exc: EditRefused, gettext) -> list[str]:
    """One line per broken rule, the rule in plain words in the reader's language."""
    return [f"{rule_words(v.rule, gettext).capitalize()}: {v.message}" for v in exc.violations]


def rule_words(rule: str, gettext) -> str:
    """A rule in plain words (``H2`` → "two shifts at the same time")."""
    label = RULE_LABELS.get(rule)
    return translate(label, gettext) if label is not None else rule


# The rule names as translatable reasons (pages show them in the reader's language).
RULE_LABELS: dict[str, Reason] = {
    "H0": _("the roster itself"),
    "H1": _("too few or too many people on a shift"),
    "H2": _("two shifts at the same time"),
    "H3": _("not available then"),
    "H4": _("a skill the shift needs"),
    "H5": _("only the first-line pool, at first-line points"),
    "H6": _("hours in a week"),
    "H7": _("hours in a day"),
    "H8": _("a break after long work"),
    "H9": _("a pinned shift"),
}
