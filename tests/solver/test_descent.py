"""Descent on a roster: every move keeps the rules, and the objective only falls."""

from __future__ import annotations

import random
import time

import pytest

from scheduler.solver.check import check
from scheduler.solver.descent import Descent, descend, roster_of
from scheduler.solver.index import build_index
from scheduler.solver.problem import Assignment, Preference
from scheduler.solver.score import score
from scheduler.solver.solve import _Search
from tests.solver.builders import at, person, problem, shift
from tests.solver.test_decomposition import nth_random


def first_roster(p):
    """The search's first roster (hard rules only), or None."""
    s = _Search(
        p, time_limit=5, workers=1, seed=0, on_progress=None, stop_event=None, deterministic=False
    )
    s.construct()
    return s.best


def objective(idx, pairs) -> int:
    return sum(score(idx, pairs)[0].values())


def as_assignments(p, pairs):
    return [Assignment(p.shifts[s].id, p.staff[q].id) for q, s in pairs]


_WITH_ROSTER: list = []


def nth_with_roster(n: int):
    """The n-th random problem (by seed) whose first roster exists: no case is skipped."""
    return nth_random(n, first_roster, _WITH_ROSTER)


@pytest.mark.parametrize("n", range(50))
def test_descent_keeps_every_rule_and_never_worsens_the_objective(n):
    seed, p, start = nth_with_roster(n)
    idx = build_index(p)
    got = descend(idx, start, deadline=time.monotonic() + 0.3, seed=seed)
    report = check(p, as_assignments(p, got))
    assert report.ok, [v.message for v in report.violations]
    assert report.objective == objective(idx, got)
    assert report.objective <= objective(idx, start)


@pytest.mark.parametrize("n", range(10))
def test_the_rosters_it_publishes_on_the_way_keep_every_rule_and_keep_improving(n, monkeypatch):
    """A long descent publishes its best roster as it goes (here at every chance): each
    one legal, each better than the last, the one it returns no worse."""
    from scheduler.solver import descent

    monkeypatch.setattr(descent, "PUBLISH_S", 0.0)
    seed, p, start = nth_with_roster(n)
    idx = build_index(p)
    published = []
    got = descend(idx, start, deadline=time.monotonic() + 0.5, seed=seed, publish=published.append)
    values = [objective(idx, start), *(objective(idx, r) for r in published)]
    assert values == sorted(set(values), reverse=True)
    assert objective(idx, got) <= values[-1]
    for roster in published:
        assert check(p, as_assignments(p, roster)).ok


@pytest.mark.parametrize("n", range(6))
def test_with_patience_it_returns_once_nothing_better_comes_for_that_long(n):
    """Threshold accepting on a small roster wanders until its deadline (here 30 s);
    with patience it hands the time back to the caller soon after its last find."""
    seed, p, start = nth_with_roster(n)
    idx = build_index(p)
    began = time.monotonic()
    got = descend(idx, start, deadline=began + 30, seed=seed, patience=0.2)
    assert time.monotonic() - began < 5
    assert check(p, as_assignments(p, got)).ok
    assert objective(idx, got) <= objective(idx, start)


def test_the_search_descends_on_a_roster_too_big_for_the_whole_model(monkeypatch, caplog):
    """With the whole-model limit set to nothing, a short run descends from its first
    roster; the roster it reports keeps every rule and scores what the checker says."""
    import importlib
    import logging

    search = importlib.import_module("scheduler.solver.solve")  # the module, not solve()

    caplog.set_level(logging.DEBUG, logger="scheduler.solver.solve")
    monkeypatch.setattr(search, "WHOLE_MODEL_MAX", 0)
    shifts = [shift(f"d{d}h{h}", 4 + d, h, h + 2) for d in range(5) for h in (8, 10, 12, 14)]
    staff = [person(f"p{i}", min_h=2, max_day=4, target=6) for i in range(5)]
    p = problem(shifts, staff)
    sol = search.solve(p, time_limit=3, workers=1, seed=0)
    assert any(r.getMessage().startswith("descent:") for r in caplog.records)
    report = check(p, sol.assignments)
    assert report.ok
    assert report.objective == sol.objective


@pytest.mark.parametrize(("rate", "first"), [(1, True), (1_000, False)])
def test_a_roster_big_for_its_time_limit_descends_first(rate, first, monkeypatch, caplog):
    """A roster with more assignment variables per second of its limit than
    DESCENT_RATE goes straight to the descent (its week LPs and dives would take the
    time); one with fewer gets the decomposition. Either way the roster keeps every rule."""
    import importlib
    import logging

    search = importlib.import_module("scheduler.solver.solve")  # the module, not solve()

    caplog.set_level(logging.DEBUG, logger="scheduler.solver.solve")
    monkeypatch.setattr(search, "DESCENT_MIN", 0)
    monkeypatch.setattr(search, "DESCENT_RATE", rate)
    shifts = [shift(f"d{d}h{h}", 4 + d, h, h + 2) for d in range(5) for h in (8, 10, 12, 14)]
    staff = [person(f"p{i}", min_h=2, max_day=4, target=6) for i in range(5)]
    p = problem(shifts, staff)  # 100 assignment variables
    sol = search.solve(p, time_limit=2, workers=1, seed=0)
    assert any(r.getMessage().startswith("descent first:") for r in caplog.records) is first
    report = check(p, sol.assignments)
    assert report.ok
    assert report.objective == sol.objective


def test_a_shift_goes_to_the_colleague_who_is_short_of_her_target():
    """Ann holds both shifts and is over her target; Bo has a 2-hour target and none:
    passing one shift to Bo lowers the target deviation of both."""
    p = problem(
        [shift("mon", 4, 8, 10), shift("tue", 5, 8, 10)],
        [person("ann", target=2), person("bo", target=2)],
    )
    idx = build_index(p)
    ann, bo = idx.staff_pos["ann"], idx.staff_pos["bo"]
    start = {(ann, idx.shift_pos["mon"]), (ann, idx.shift_pos["tue"])}
    got = descend(idx, start, deadline=time.monotonic() + 2)
    assert {q for q, _ in got} == {ann, bo}
    assert objective(idx, got) < objective(idx, start)
    assert check(p, as_assignments(p, got)).ok


def test_a_pinned_shift_stays_with_its_person():
    p = problem(
        [shift("mon", 4, 8, 10), shift("tue", 5, 8, 10)],
        [person("ann", target=2), person("bo", target=2)],
        pinned=[("mon", "ann"), ("tue", "ann")],
    )
    idx = build_index(p)
    ann = idx.staff_pos["ann"]
    start = {(ann, idx.shift_pos["mon"]), (ann, idx.shift_pos["tue"])}
    got = descend(idx, start, deadline=time.monotonic() + 2)
    assert got == frozenset(start)


def ann_bo_morning_noon(p):
    """The index of a problem with people ann and bo and shifts morning and noon, and
    their positions in it."""
    idx = build_index(p)
    people = idx.staff_pos["ann"], idx.staff_pos["bo"]
    return idx, *people, idx.shift_pos["morning"], idx.shift_pos["noon"]


def test_two_people_swap_shifts_when_neither_can_simply_pass_one_on():
    """Ann and Bo must each work exactly the two hours of one shift and each holds the
    shift the other wants: no shift can be dropped, added or passed on, only swapped."""
    want_morning = (Preference(at(4, 8), at(4, 10), -3),)
    want_noon = (Preference(at(4, 12), at(4, 14), -3),)
    p = problem(
        [shift("morning", 4, 8, 10), shift("noon", 4, 12, 14)],
        [
            person("ann", min_h=2, max_week=2, target=2, preferences=want_noon),
            person("bo", min_h=2, max_week=2, target=2, preferences=want_morning),
        ],
    )
    idx, ann, bo, morning, noon = ann_bo_morning_noon(p)
    start = {(ann, morning), (bo, noon)}
    got = descend(idx, start, deadline=time.monotonic() + 1)
    assert got == frozenset({(ann, noon), (bo, morning)})
    report = check(p, as_assignments(p, got))
    assert report.ok
    assert report.objective == objective(idx, got) < objective(idx, start)


def test_improving_moves_even_out_evenings_when_several_people_must_give_one_up():
    """Ann and Bo hold both evenings of Monday and Tuesday each, Cy and Di none: a spread
    of 2. Passing any one evening on leaves it at 2 (someone still holds two, someone
    none) and changes nothing else, so only a second move lowers it; the descent still
    gets there by improving moves alone, since each move leaves fewer people at either
    end."""
    days = [
        shift(f"{d}-day{i}", day, 10, 12) for d, day in (("mon", 4), ("tue", 5)) for i in range(4)
    ]
    evenings = [
        shift(f"{d}-eve{i}", day, 18, 20) for d, day in (("mon", 4), ("tue", 5)) for i in range(2)
    ]
    names = ["ann", "bo", "cy", "di"]
    p = problem(days + evenings, [person(n) for n in names])
    idx = build_index(p)
    pos = {n: idx.staff_pos[n] for n in names}
    start = {
        (pos[n], idx.shift_pos[f"{d}-day{i}"]) for i, n in enumerate(names) for d in ("mon", "tue")
    }
    start |= {
        (pos[n], idx.shift_pos[f"{d}-eve{i}"])
        for i, n in enumerate(names[:2])
        for d in ("mon", "tue")
    }
    before, _ = score(idx, frozenset(start))
    assert before["unsocial_spread"] == 2 * p.rules.weights["unsocial_spread"]

    got = descend(idx, start, deadline=time.monotonic() + 5, wander=False)

    after, _ = score(idx, got)
    assert after["unsocial_spread"] == 0
    assert sum(after.values()) == sum(before.values()) - before["unsocial_spread"]
    assert check(p, as_assignments(p, got)).ok


def test_a_short_shift_is_taken_in_trade_for_one_that_can_spare_its_person():
    """Noon is short; Ann, the only one who may take it, is at her weekly limit with the
    morning, which Bo also covers (the morning needs one, has two): only by giving the
    morning up can Ann take noon, and the descent returns that roster (or none while a
    headcount is outside its limits)."""
    p = problem(
        [shift("morning", 4, 8, 10, most=2), shift("noon", 4, 12, 14, skills=("maps",))],
        [
            person("ann", max_week=2, skills=("maps",)),
            person("bo", min_h=2, max_week=2),
        ],
    )
    idx, ann, bo, morning, noon = ann_bo_morning_noon(p)
    short = {(ann, morning), (bo, morning)}
    got = descend(idx, short, deadline=time.monotonic() + 1)
    assert got == frozenset({(ann, noon), (bo, morning)})
    assert check(p, as_assignments(p, got)).ok


def test_no_roster_comes_back_while_a_headcount_cannot_be_mended():
    """Noon needs someone with a skill nobody has: the headcount stays outside its
    limits, and the descent says so rather than return a roster that breaks H1."""
    p = problem(
        [shift("morning", 4, 8, 10), shift("noon", 4, 12, 14, skills=("maps",))],
        [person("ann", max_week=2), person("bo", max_week=2)],
    )
    idx = build_index(p)
    start = {(idx.staff_pos["ann"], idx.shift_pos["morning"])}
    assert descend(idx, start, deadline=time.monotonic() + 0.5) is None


def test_dives_left_unfinished_are_mended_into_rosters_that_keep_every_rule():
    """In each of 30 random problems the first week's people take random schedules of
    their own (each legal alone, the headcounts anyhow) or keep theirs, as a dive that
    ran out of time leaves them: whatever ``mend`` returns keeps every rule and scores
    what the checker says, and it mends most of them."""
    from scheduler.solver.decomposition.blocks import build_blocks
    from scheduler.solver.decomposition.templates import legal
    from scheduler.solver.descent import mend

    mended = 0
    for n in range(30):
        seed, p, start = nth_with_roster(n)
        idx = build_index(p)
        rng = random.Random(seed)
        blocks = build_blocks(idx)
        part: set[tuple[int, int]] = set()
        free = []
        for b in blocks:
            if 0 not in b.weeks:
                continue
            mine = [s for s in idx.eligible[b.person] if idx.shifts[s].week == 0]
            pick = set(rng.sample(mine, min(len(mine), rng.randint(0, 3))))
            if b.weeks == (0,) and b.segments is not None and legal(b, pick):
                part |= {(b.person, s) for s in pick}
                free.append(b.person)
            else:  # fixed where it was, as a dive's fixed block
                part |= {(q, s) for q, s in start if q == b.person and idx.shifts[s].week == 0}
        got = mend(idx, start, part, {0}, free, deadline=time.monotonic() + 0.2, blocks=blocks)
        if got is None:
            continue  # not mended: the caller keeps its roster
        mended += 1
        report = check(p, as_assignments(p, got))
        assert report.ok, (n, [v.message for v in report.violations])
        assert report.objective == objective(idx, got)
    assert mended >= 20


@pytest.mark.parametrize("n", range(10))
def test_forgetting_the_schedules_tried_changes_no_move(n, monkeypatch):
    """The descent remembers each schedule it has costed; with a memory of one schedule
    (cleared at every new one) it makes the same moves to the same local optimum."""
    from scheduler.solver import descent

    seed, p, start = nth_with_roster(n)
    idx = build_index(p)
    remembered = descend(idx, start, deadline=time.monotonic() + 30, seed=seed, wander=False)
    monkeypatch.setattr(descent, "TRIED_MAX", 1)
    forgetful = descend(idx, start, deadline=time.monotonic() + 30, seed=seed, wander=False)
    assert remembered == forgetful


@pytest.mark.parametrize("n", range(10))
def test_the_best_roster_kept_follows_every_kind_of_move(n):
    """The descent keeps its best roster by updating only the person-weeks moves have
    touched: after hundreds of moves of every kind (a high threshold accepts worse
    ones), the kept roster is the roster the moves have made."""
    seed, p, start = nth_with_roster(n)
    state = Descent(build_index(p), start)
    kept = state.snapshot()
    rng = random.Random(seed)
    moved = 0
    for _ in range(3):
        for s in rng.sample(range(len(p.shifts)), len(p.shifts)):
            moved += state.improve_shift(s, rng, threshold=10_000) is not None
        state.update(kept)
        assert roster_of(kept) == state.pairs()
    assert moved
