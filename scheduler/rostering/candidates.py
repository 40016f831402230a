"""Who could take a place on a shift: every member of the library's pool, checked as if
added (every hard rule, by the same checker as an edit) and ranked — those who keep every
rule first, then by how much the roster's score would change."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from scheduler.errors import NotFound
from scheduler.models import RosterPeriod, Shift
from scheduler.reasons import _
from scheduler.rostering.edits import new_violations
from scheduler.rostering.problem import pool
from scheduler.rostering.roster_check import draft_pairs, roster_checker
from scheduler.solver.check import Violation


@dataclass(frozen=True)
class Candidate:
    person_id: int
    name: str
    broken: list[Violation]  # what adding them would break (empty: fits every rule)
    delta: int  # change of the roster's score if added (negative = better)

    @property
    def fits(self) -> bool:
        return not self.broken


def shift_candidates(session: Session, period: RosterPeriod, shift_id: int) -> list[Candidate]:
    shift = session.get(Shift, shift_id)
    if shift is None or shift.period_id != period.id:
        raise NotFound(_("This shift is not part of the period."), {"shift": _("is unknown")})
    checker = roster_checker(session, period, with_published=False)
    before = draft_pairs(session, period)
    base = checker.check(before).objective
    on_shift = {p for s, p in before if s == shift.id}
    out = []
    for person in {p.id: p for p in pool(session, period.library_id)}.values():
        if person.id in on_shift:
            continue
        after = [*before, (shift.id, person.id)]
        broken = new_violations(checker, before, after)
        delta = checker.check(after).objective - base
        out.append(Candidate(person.id, person.name, broken, delta))
    out.sort(key=lambda c: (not c.fits, c.delta, c.name))
    return out
