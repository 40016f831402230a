"""Who could take a place on a shift: checked as if added, those who fit first."""

from __future__ import annotations

import pytest

from scheduler.errors import NotFound
from scheduler.models import Assignment
from scheduler.rostering.candidates import shift_candidates
from scheduler.rostering.roster_check import draft_pairs, roster_checker


def test_someone_without_the_skill_comes_last_with_the_rule_named(db, world) -> None:
    back = world.shifts[2]  # needs "chat"; Pool 2 has only "desk"
    ranked = shift_candidates(db.session, world.period, back.id)
    assert [c.name for c in ranked][-1] == "Pool 2"
    last = ranked[-1]
    assert not last.fits
    assert {v.rule for v in last.broken} == {"H4"}
    assert all(c.fits for c in ranked[:-1])
    # Among those who fit, the score change decides, and it is the checker's own.
    assert [c.delta for c in ranked[:-1]] == sorted(c.delta for c in ranked[:-1])
    checker = roster_checker(db.session, world.period, with_published=False)
    before = draft_pairs(db.session, world.period)
    first = ranked[0]
    expected = (
        checker.check([*before, (back.id, first.person_id)]).objective
        - checker.check(before).objective
    )
    assert first.delta == expected


def test_people_already_on_the_shift_are_not_offered(db, world) -> None:
    desk = world.shifts[0]
    db.session.add(Assignment(shift=desk, person=world.people[0]))
    db.session.flush()
    names = [c.name for c in shift_candidates(db.session, world.period, desk.id)]
    assert "Pool 0" not in names
    assert len(names) == 2


def test_a_shift_of_another_period_is_not_found(db, world) -> None:
    with pytest.raises(NotFound):
        shift_candidates(db.session, world.period, 999_999)
