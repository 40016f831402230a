"""Person-blocks of a roster: one person's shifts over one week (or a few linked weeks).

A column of the decomposition is one block's schedule. Every per-person rule (H2-H4,
H6-H9) must hold inside it by construction, so a block carries the facts its pricing
needs:

- its *segments*: runs of days that no rule links to another day (a shift or a duty
  block across midnight links two days). Almost always a segment is one day;
- per segment, the *interval classes*: shifts with the same start and end. Holding two of
  them at once is an overlap, and they differ only in linear costs (preference, the
  previous roster, duals), so a schedule picks a class and then the cheapest shift in it;
- per segment, every *pattern*: a set of classes that keeps H2 (no overlap), H7 (daily
  hours), H8 (duty blocks) and the segment's pins, with its minutes and the fixed cost of
  its duty days and split duties.

A block whose segments are too rich to enumerate, or whose segment spans two weeks, has
``segments=None`` and is priced with CP-SAT instead (``cpsat_pricing.py``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from scheduler.solver.index import Index, cap_minutes

PATTERNS_MAX = 4000  # patterns per segment up to which a block is priced by labelling


@dataclass(frozen=True, slots=True)
class Pattern:
    classes: tuple[int, ...]  # classes held, by index into Segment.classes
    minutes: int
    fixed: int  # weighted duty days and split duties of the segment's days


@dataclass(frozen=True, slots=True)
class Segment:
    week: int
    classes: tuple[tuple[int, ...], ...]  # shift indices with one start and end
    patterns: tuple[Pattern, ...]


@dataclass(frozen=True, slots=True)
class Block:
    person: int
    weeks: tuple[int, ...]
    shifts: tuple[int, ...]  # the person's eligible shifts in these weeks
    owed: tuple[int, ...]  # H6 minimum minutes, per week of ``weeks``
    cap: tuple[int | None, ...]  # H6 maximum minutes, per week
    target: int | None  # target minutes per week
    segments: tuple[Segment, ...] | None  # None: priced with CP-SAT


def week_groups(idx: Index) -> list[tuple[int, ...]]:
    """Consecutive weeks linked by a rule (a shift, overlap or short break across Sunday
    night); every other week is a group of its own."""
    problem = idx.problem
    brk = problem.rules.min_break_minutes
    groups: list[list[int]] = [[0]] if problem.weeks else []
    for w in range(1, problem.weeks):
        before, after = idx.shifts_by_week[w - 1], idx.shifts_by_week[w]
        last_end = max((idx.shifts[s].end for s in before), default=None)
        first_start = min((idx.shifts[q].start for q in after), default=None)
        linked = last_end is not None and first_start is not None and first_start - last_end < brk
        if linked:
            groups[-1].append(w)
        else:
            groups.append([w])
    return [tuple(g) for g in groups]


def build_blocks(idx: Index) -> list[Block]:
    """One block per first-line person and week group, in person order."""
    problem = idx.problem
    pins: dict[int, set[int]] = defaultdict(set)
    for a in problem.pinned:
        pins[idx.staff_pos[a.staff]].add(idx.shift_pos[a.shift])
    groups = week_groups(idx)
    cache: dict[tuple, tuple[Pattern, ...] | None] = {}
    out = []
    for p in idx.first_line:
        person = problem.staff[p]
        cap = None if person.max_hours_per_week is None else cap_minutes(person.max_hours_per_week)
        target = (
            None
            if person.target_hours_per_week is None
            else round(person.target_hours_per_week * 60)
        )
        by_week: dict[int, list[int]] = defaultdict(list)
        for s in idx.eligible[p]:
            by_week[idx.shifts[s].week].append(s)
        for weeks in groups:
            shifts = tuple(sorted((s for w in weeks for s in by_week[w]), key=_order(idx)))
            owed = tuple(idx.owed[(p, w)] for w in weeks)
            caps = tuple(cap for _ in weeks)
            segments = _segments(idx, p, shifts, pins[p], cap, cache)
            out.append(Block(p, weeks, shifts, owed, caps, target, segments))
    return out


def _order(idx: Index):  # type: ignore[no-untyped-def]
    return lambda s: (idx.shifts[s].start, idx.shifts[s].end, s)


def _segments(
    idx: Index,
    p: int,
    shifts: tuple[int, ...],
    pinned: set[int],
    week_cap: int | None,
    cache: dict[tuple, tuple[Pattern, ...] | None],
) -> tuple[Segment, ...] | None:
    """The person's segments in these shifts; ``cache`` shares the patterns of segments
    of the same shape (the same classes relative to the first, the same limits): most
    person-days repeat from week to week and from person to person."""
    rules = idx.problem.rules
    brk = rules.min_break_minutes
    info = idx.shifts
    # Days linked by a shift running into a later day's shifts (overlap or short break).
    runs: list[list[int]] = []
    run_days: set[int] = set()
    run_end = 0
    for s in shifts:  # sorted by start
        if runs and (info[s].day in run_days or info[s].start - run_end < brk):
            runs[-1].append(s)
            run_days.add(info[s].day)
            run_end = max(run_end, info[s].end)
        else:
            runs.append([s])
            run_days = {info[s].day}
            run_end = info[s].end
    segments = []
    cap_day = cap_minutes(idx.problem.staff[p].max_hours_per_day)
    block_cap = (
        None if rules.max_consecutive_hours is None else cap_minutes(rules.max_consecutive_hours)
    )
    wts = rules.weights
    for run in runs:
        weeks = {info[s].week for s in run}
        if len(weeks) > 1:
            return None  # a segment across Sunday night: the labelling keeps one week's minutes
        classes: dict[tuple[int, int], list[int]] = defaultdict(list)
        for s in run:
            classes[(info[s].start, info[s].end)].append(s)
        keys = sorted(classes)
        members = []
        clash = False
        for key in keys:
            mine = classes[key]
            held = [s for s in mine if s in pinned]
            clash = clash or len(held) > 1  # two pinned shifts at one time: no schedule
            members.append(tuple(held or mine))
        must = [i for i, m in enumerate(members) if m[0] in pinned]
        spans = [(k[0], k[1], info[members[i][0]].day) for i, k in enumerate(keys)]
        a0, d0 = spans[0][0], spans[0][2]
        shape = (
            tuple((a - a0, b - a0, d - d0) for a, b, d in spans),
            tuple(must),
            cap_day,
            week_cap,
        )
        if shape not in cache:
            found = _patterns(spans, set(must), cap_day, block_cap, brk, week_cap,
                              wts["duty_days"], wts["split_duty"])  # fmt: skip
            cache[shape] = None if found is None else tuple(found)
        patterns = cache[shape]
        if patterns is None:
            return None
        # No pattern (pins that cannot be held together): the block has no schedule.
        segments.append(Segment(weeks.pop(), tuple(members), () if clash else tuple(patterns)))
    return tuple(segments)


def _patterns(
    classes: list[tuple[int, int, int]],
    must: set[int],
    cap_day: int,
    block_cap: int | None,
    brk: int,
    week_cap: int | None,
    w_duty: int,
    w_split: int,
) -> list[Pattern] | None:
    """Every feasible set of classes (start, end, day), sorted by start; None if too many."""
    out: list[Pattern] = []
    n = len(classes)
    need = sorted(must)

    def grow(
        i: int,
        held: list[int],
        minutes: int,
        day_minutes: dict[int, int],
        chain_start: int,
        chain_end: int,
        days: int,
        splits: int,
    ) -> bool:
        if all(k in held for k in need):
            out.append(Pattern(tuple(held), minutes, w_duty * days + w_split * splits))
            if len(out) > PATTERNS_MAX:
                return False
        for j in range(i, n):
            if need and any(k < j and k not in held for k in need):
                break  # skipped a pinned class: no completion holds it
            a, b, d = classes[j]
            pb = pd = None
            if held:
                _, pb, pd = classes[held[-1]]
                if a < pb:
                    continue  # overlaps the last class held (H2)
            m = b - a
            dm = day_minutes.get(d, 0) + m
            if dm > cap_day or (week_cap is not None and minutes + m > week_cap):
                continue
            joined = held and a - chain_end < brk
            cs = chain_start if joined else a
            if block_cap is not None and b - cs > block_cap:
                continue  # H8
            new_day = not held or pd != d
            new_block = new_day or a - pb >= brk  # a new duty block within the day
            day_minutes[d] = dm
            held.append(j)
            ok = grow(
                j + 1,
                held,
                minutes + m,
                day_minutes,
                cs,
                max(b, chain_end) if joined else b,
                days + (1 if new_day else 0),
                splits + (1 if new_block and not new_day else 0),
            )
            held.pop()
            day_minutes[d] = dm - m
            if not ok:
                return False
        return True

    if not grow(0, [], 0, {}, 0, 0, 0, 0):
        return None
    return out
