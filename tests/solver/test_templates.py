"""Carrying a week's roster to the next: the shift twins, the legality test, the carry."""

from __future__ import annotations

import logging
import random
from datetime import timedelta

import pytest

from scheduler.solver.check import check
from scheduler.solver.decomposition.blocks import build_blocks
from scheduler.solver.decomposition.templates import carry, legal, shift_map
from scheduler.solver.index import build_index
from scheduler.solver.problem import Assignment, Unavailable
from scheduler.solver.solve import solve
from tests.solver.builders import at, person, problem, shift
from tests.solver.test_decomposition import random_problem

PERSONAL = {"H2", "H3", "H4", "H6", "H7", "H8", "H9"}


def two_weeks(*, away_in_week_2: bool = False):
    """Two identical weeks of three desk shifts a day, Monday to Wednesday."""
    shifts = [
        shift(f"w{w}d{d}h{h}", 4 + 7 * w + d, h, h + 2)
        for w in range(2)
        for d in range(3)
        for h in (8, 10, 14)
    ]
    away = (Unavailable(at(11, 7), at(11, 12)),) if away_in_week_2 else ()  # Monday, week 2
    staff = [
        person("ann", min_h=4, max_day=4, unavailable=away),
        person("bo", min_h=4, max_day=4),
        person("cy", max_day=4),
    ]
    return problem(shifts, staff, weeks=2)


def test_each_shift_has_its_twin_a_week_later():
    p = two_weeks()
    idx = build_index(p)
    mapping = shift_map(idx, 0, 1)
    assert len(mapping) == 9
    for s, t in mapping.items():
        assert p.shifts[t].start == p.shifts[s].start + timedelta(days=7)
        assert p.shifts[t].end == p.shifts[s].end + timedelta(days=7)


def test_a_shift_without_a_single_twin_is_not_carried():
    p = two_weeks()
    extra = shift("dup", 11, 8, 10)  # a second Monday 08-10 desk shift in week 2
    p = problem([*p.shifts, extra], list(p.staff), weeks=2)
    idx = build_index(p)
    mapping = shift_map(idx, 0, 1)
    monday_8 = idx.shift_pos["w0d0h8"]
    assert monday_8 not in mapping
    assert len(mapping) == 8


def test_the_solved_first_week_carries_whole_when_nothing_changes():
    p = two_weeks()
    idx = build_index(p)
    sol = solve(p, time_limit=5, workers=1, seed=0)
    pairs = {(idx.staff_pos[a.staff], idx.shift_pos[a.shift]) for a in sol.assignments}
    blocks = {(b.person, b.weeks[0]): b for b in build_blocks(idx)}
    kept, free = carry(idx, blocks, pairs, 0, 1)
    assert free == []
    week0 = sorted(
        (idx.problem.staff[p_].id, p.shifts[s].id) for p_, s in pairs if idx.shifts[s].week == 0
    )
    week1 = sorted((idx.problem.staff[p_].id, p.shifts[s].id) for p_, s in kept)
    assert [(who, sid.replace("w0", "w1")) for who, sid in week0] == week1


def test_a_person_away_in_the_second_week_is_left_free_when_the_carry_breaks_her_week():
    p = two_weeks(away_in_week_2=True)
    idx = build_index(p)
    ann = idx.staff_pos["ann"]
    monday_8 = idx.shift_pos["w0d0h8"]
    tuesday = [idx.shift_pos[f"w0d1h{h}"] for h in (8, 10)]
    pairs = {(ann, monday_8), *((ann, s) for s in tuesday)}
    blocks = {(b.person, b.weeks[0]): b for b in build_blocks(idx)}
    kept, free = carry(idx, blocks, pairs, 0, 1)
    assert ann in free  # Monday 08-10 of week 2 falls in her time away
    assert all(q != ann for q, _ in kept)


@pytest.mark.parametrize("seed", range(80))
def test_legal_agrees_with_the_checker_on_every_personal_rule(seed):
    """Random schedules of every block that spans the whole period: ``legal`` says yes
    exactly when the checker finds no broken personal rule (H2-H4, H6-H9) of that person."""
    p = random_problem(seed)
    idx = build_index(p)
    rng = random.Random(seed)
    for block in build_blocks(idx):
        if block.segments is None or len(block.weeks) != p.weeks:
            continue
        who = p.staff[block.person].id
        for _ in range(25):
            held = rng.sample(block.shifts, rng.randint(0, len(block.shifts)))
            report = check(p, [Assignment(p.shifts[s].id, who) for s in held])
            broken = {v.rule for v in report.violations if v.rule in PERSONAL and v.staff == who}
            assert legal(block, held) == (not broken), (who, held, broken)


def test_a_six_week_search_carries_the_first_week_and_keeps_every_rule(caplog):
    """Six identical weeks (enough for the search to carry the first week's roster to the
    others): the roster keeps every rule, its objective is the checker's, and the bound
    stays below it."""
    caplog.set_level(logging.DEBUG, logger="scheduler.solver.solve")
    days = [(4 + 7 * w + d, w, d) for w in range(6) for d in range(5)]
    shifts = [
        shift(f"w{w}d{d}h{h}", n if n <= 31 else n - 31, h, h + 2, need=2, month=1 + (n > 31))
        for n, w, d in days
        for h in (8, 10, 12, 14, 16)
    ]
    staff = [person(f"p{i}", min_h=4, max_day=6, target=10) for i in range(12)]
    p = problem(shifts, staff, weeks=6)
    # Deterministic: pricing rounds are counted, not timed, so a busy machine (another
    # test solving beside it) cannot leave the first week's LP unfinished.
    sol = solve(p, time_limit=3, workers=2, seed=0, deterministic=True)
    assert any("carried week 0 to 5 weeks" in r.getMessage() for r in caplog.records)
    report = check(p, sol.assignments)
    assert report.ok
    assert report.objective == sol.objective
    assert sol.bound is not None
    assert sol.bound <= sol.objective
