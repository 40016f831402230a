"""Descent on a roster: a shift passed to a colleague, added, dropped or swapped for one
of the colleague's, whenever the exact objective falls.

The first roster of a big period keeps the hard rules and nothing else (feasibility
jump): on the 10-library, 8-week scenario it is 297,780, mostly people far from their
weekly targets and on more days than needed. Its weeks' LPs do not finish within a short
time limit, so the column search cannot improve it; CP-SAT neighbourhoods of 400-shift
weeks are slow. It also finishes the column search's roster on any period, where the
dives and column MIPs leave single shifts to move. A move touches two person-weeks (a
swap or a trade only when no simpler move on the shift improves): each stays one of that person's
legal schedules (``templates.legal``, the labelling's own patterns), headcounts stay
within ``max_staff`` (and ``min_staff`` unless understaffing is allowed), and the change
of objective is computed exactly from the two people's counts, the shift's shortfall and
the unsocial spread. So every roster it returns keeps every rule and scores what
``score`` says.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping

from scheduler.solver.decomposition.blocks import Block, build_blocks
from scheduler.solver.decomposition.templates import Lookup, legal
from scheduler.solver.index import Index
from scheduler.solver.score import person_counts

Pairs = frozenset[tuple[int, int]]
# Threshold accepting starts from this worsening (two duty days) and falls to nothing.
THRESHOLD = 60
VIOLATION = 1_000_000  # per minute of a shift outside its headcount limits, per person
# Colleagues (who cannot simply take a shift) tried for a swap of it, per holder. The
# 5-library 4-week scenario, 8 s of descent from its first roster: 27,900 without swaps,
# 22,830 with 3, 23,160 with 6, 22,140 with all (threshold accepting varies by ~1,000).
SWAP_PEOPLE = 8
# Improving moves only until a pass makes none, or gains less than this share of what
# the descent has gained so far; then threshold accepting. (10-library 8-week, 8 s from
# the first roster: 60,420-60,690 and 70,020-70,050 with improving moves to a local
# optimum first, which takes them 25 passes; 54,000-55,290 and 65,310-66,810 with
# threshold accepting from the start, yet a 0.5 s descent from a 3-library dive's 15,480
# then finds nothing, where two passes of improving moves find 14,940.)
GREEDY_GAIN = 0.01
PUBLISH_S = 2.0  # the most often the best roster so far is published
TRIED_MAX = 1_000_000  # schedules remembered (about 300 MB) before the memory starts over
_UNSEEN = object()


class Descent:
    """The roster's state by person-week, with each one's cost kept up to date."""

    def __init__(
        self,
        idx: Index,
        pairs: Iterable[tuple[int, int]],
        blocks: Iterable[Block] | None = None,
    ) -> None:
        self.idx = idx
        problem = idx.problem
        self.weights = problem.rules.weights
        self.allow_short = problem.rules.allow_understaffing
        self.blocks = week_blocks(build_blocks(idx) if blocks is None else blocks)
        self.lookup: Lookup = {}
        # Each schedule tried, with its cost (None: not legal): a pass over the shifts
        # asks again about the person-weeks no move has changed since the last pass.
        self.tried: dict[tuple[tuple[int, int], frozenset[int]], int | None] = {}
        self.people_of: list[list[int]] = [[] for _ in idx.shifts]
        self.can: list[set[int]] = [set() for _ in idx.shifts]
        for p in idx.first_line:
            for s in idx.eligible[p]:
                if (p, idx.shifts[s].week) in self.blocks:
                    self.people_of[s].append(p)
                    self.can[s].add(p)
        self.held: dict[tuple[int, int], set[int]] = {}
        self.touched: set[tuple[int, int]] = set()  # person-weeks changed since a snapshot
        self.holders: list[set[int]] = [set() for _ in idx.shifts]
        self.unsocial = dict.fromkeys(idx.first_line, 0)
        for p, s in pairs:
            self.held.setdefault((p, idx.shifts[s].week), set()).add(s)
            self.holders[s].add(p)
            if idx.shifts[s].unsocial:
                self.unsocial[p] = self.unsocial.get(p, 0) + 1
        self.cost = {key: self._cost(key, self.held[key]) for key in self.held}
        # Shifts whose headcount is outside its limits (a dive's unfinished roster): the
        # moves mend them first (each costs far more than any objective change), none is
        # ever made, and a roster with any left is not returned.
        self.violations = sum(self._outside(s, len(h)) for s, h in enumerate(self.holders))
        # How many first-line people hold each number of unsocial shifts: the spread
        # after a move of one shift is then found without a pass over everyone.
        self.ucount: Counter[int] = Counter(self.unsocial[p] for p in idx.first_line)
        # A tie-break below the objective's smallest step: the number of people at the
        # spread's two ends. Lowering the spread means moving every person at an end;
        # without it, each move but the last is neutral and only threshold accepting
        # drifts into them (M-4weeks: three people held 5 unsocial shifts, 16 held none).
        n = len(idx.first_line)
        self.tie = 1 / (2 * n + 1) if self.weights["unsocial_spread"] and n else 0.0

    def cost_of(self, key: tuple[int, int]) -> int:
        """The person-week's cost now (an empty week still costs its target deviation)."""
        if key not in self.cost:
            self.cost[key] = self._cost(key, ())
        return self.cost[key]

    def _cost(self, key: tuple[int, int], shifts: Iterable[int]) -> int:
        return person_counts(self.idx, key[0], shifts, (key[1],)).cost(self.weights)

    def _outside(self, s: int, n: int) -> bool:
        sh = self.idx.problem.shifts[s]
        return n > sh.max_staff or (n < sh.min_staff and not self.allow_short)

    def _can_lose(self, s: int, n: int) -> bool:
        """Whether shift ``s`` with ``n`` people may lose one (it is over its maximum, or
        above its minimum, or understaffing is allowed)."""
        sh = self.idx.problem.shifts[s]
        return n > sh.min_staff or (self.allow_short and n > 0) or n > sh.max_staff

    def _recount(self, s: int, n: int, after: int) -> None:
        """Shift ``s`` goes from ``n`` people to ``after``: the violations follow."""
        self.violations += int(self._outside(s, after)) - int(self._outside(s, n))

    def _short(self, s: int, n: int) -> int:
        """The objective's share of shift ``s`` with ``n`` people: its understaffing, or
        the penalty of a headcount outside the limits."""
        sh = self.idx.problem.shifts[s]
        minutes = self.idx.shifts[s].minutes
        if self._outside(s, n):
            over = n - sh.max_staff if n > sh.max_staff else sh.min_staff - n
            return VIOLATION * minutes * over
        if not self.allow_short:
            return 0
        return self.weights["understaffing"] * minutes * max(0, sh.min_staff - n)

    def _spread_after(self, changes: dict[int, int]) -> float:
        """The weighted spread once each person in ``changes`` holds that many unsocial
        shifts more (each change is ±1, so the extremes move by at most one), plus the
        tie-break: ``tie`` per person at either end."""
        cnt = self.ucount
        if not cnt:
            return 0
        hi, lo = max(cnt), min(cnt)
        for p, d in changes.items():
            v = self.unsocial[p]
            cnt[v] -= 1
            cnt[v + d] += 1
        new_hi = next(v for v in (hi + 1, hi, hi - 1) if cnt[v] > 0)
        new_lo = next(v for v in (lo - 1, lo, lo + 1) if cnt[v] > 0)
        ends = cnt[new_hi] + cnt[new_lo] if new_hi > new_lo else 0
        for p, d in changes.items():
            v = self.unsocial[p]
            cnt[v + d] -= 1
            cnt[v] += 1
        for v in [k for k, n in cnt.items() if n <= 0]:
            del cnt[v]
        return self.weights["unsocial_spread"] * (new_hi - new_lo) + self.tie * ends

    def ties(self) -> float:
        """The tie-break's share of the moves' changes now (not part of the objective)."""
        hi, lo = max(self.ucount, default=0), min(self.ucount, default=0)
        return self.tie * (self.ucount[hi] + self.ucount[lo]) if hi > lo else 0.0

    def _move_unsocial(self, p: int, d: int) -> None:
        v = self.unsocial[p]
        self.ucount[v] -= 1
        if self.ucount[v] == 0:
            del self.ucount[v]
        self.ucount[v + d] += 1
        self.unsocial[p] = v + d

    def pairs(self) -> Pairs:
        return roster_of(self.held)

    def snapshot(self) -> dict[tuple[int, int], frozenset[int]]:
        """The roster now, by person-week (``update`` keeps it up to date cheaply)."""
        self.touched.clear()
        return {key: frozenset(ss) for key, ss in self.held.items()}

    def update(self, kept: dict[tuple[int, int], frozenset[int]]) -> None:
        """Bring a ``snapshot`` up to the roster now: only the person-weeks moves have
        touched since (copying the whole roster at each new best, which threshold
        accepting finds at almost every move, halved the moves a second)."""
        for key in self.touched:
            kept[key] = frozenset(self.held[key])
        self.touched.clear()

    def _moved(self, key: tuple[int, int], cost: int) -> None:
        """A move has given person-week ``key`` a new schedule costing ``cost`` (kept
        for ``update``)."""
        self.cost[key] = cost
        self.touched.add(key)

    def _try(self, key: tuple[int, int], shifts: set[int]) -> int | None:
        """The cost of ``key`` holding ``shifts``, or None when it is not legal."""
        seen = (key, frozenset(shifts))
        got = self.tried.get(seen, _UNSEEN)
        if got is _UNSEEN:
            block = self.blocks.get(key)
            if block is None or not legal(block, shifts, self.lookup):
                got = None
            else:
                got = self._cost(key, shifts)
            if len(self.tried) >= TRIED_MAX:
                self.tried.clear()
            self.tried[seen] = got
        return got  # type: ignore[return-value]

    def improve_shift(self, s: int, rng: random.Random, threshold: float = 0) -> float | None:
        """The best move on shift ``s`` (drop, add, or pass on; else a swap) if it changes
        the objective by less than ``threshold``: applied, and its change returned (None:
        no move)."""
        idx = self.idx
        info = idx.shifts[s]
        sh = idx.problem.shifts[s]
        w = info.week
        n = len(self.holders[s])
        spread_now = self._spread_after({})
        best: tuple[float, int | None, int | None, int, int] | None = None  # delta, from, to
        # Each holder without the shift, each candidate with it: evaluated once.
        without: dict[int, int | None] = {}
        for p in self.holders[s]:
            key = (p, w)
            if key not in self.blocks:
                continue
            without[p] = self._try(key, self.held[key] - {s})
        candidates = [q for q in self.people_of[s] if q not in self.holders[s]]
        rng.shuffle(candidates)
        with_it: dict[int, int | None] = {}
        for q in candidates:
            key = (q, w)
            with_it[q] = self._try(key, self.held.get(key, set()) | {s})
        u = 1 if info.unsocial else 0
        short_now = self._short(s, n)
        # Drop
        if self._can_lose(s, n):
            for p, c in without.items():
                if c is None:
                    continue
                delta = c - self.cost_of((p, w)) + self._short(s, n - 1) - short_now
                if u:
                    delta += self._spread_after({p: -1}) - spread_now
                if delta < threshold and (best is None or delta < best[0]):
                    best = (delta, p, None, c, 0)
        # Add
        if n < sh.max_staff:
            for q, c in with_it.items():
                if c is None:
                    continue
                delta = c - self.cost_of((q, w)) + self._short(s, n + 1) - short_now
                if u:
                    delta += self._spread_after({q: 1}) - spread_now
                if delta < threshold and (best is None or delta < best[0]):
                    best = (delta, None, q, 0, c)
        # Pass on
        for p, cp in without.items():
            if cp is None:
                continue
            for q, cq in with_it.items():
                if cq is None:
                    continue
                delta = cp - self.cost_of((p, w)) + cq - self.cost_of((q, w))
                if u:
                    delta += self._spread_after({p: -1, q: 1}) - spread_now
                if delta < threshold and (best is None or delta < best[0]):
                    best = (delta, p, q, cp, cq)
        if best is None:
            # Colleagues who cannot simply take the shift, but may swap or trade for it.
            blocked = [q for q, c in with_it.items() if c is None and (q, w) in self.held]
            change = self._swap(s, without, blocked, threshold)
            if change is None and n < sh.max_staff:
                change = self._trade(s, blocked, threshold)
            return change
        change, p_from, q_to, c_from, c_to = best
        if (p_from is None) != (q_to is None):  # a drop or an add changes the headcount
            self._recount(s, n, n + (1 if p_from is None else -1))
        if p_from is not None:
            key = (p_from, w)
            self.held[key].discard(s)
            self._moved(key, c_from)
            self.holders[s].discard(p_from)
            if u:
                self._move_unsocial(p_from, -1)
        if q_to is not None:
            key = (q_to, w)
            self.held.setdefault(key, set()).add(s)
            self._moved(key, c_to)
            self.holders[s].add(q_to)
            if u:
                self._move_unsocial(q_to, 1)
        return change

    def _swap(
        self,
        s: int,
        without: dict[int, int | None],
        blocked: list[int],
        threshold: float,
    ) -> float | None:
        """A holder of ``s`` and a colleague who cannot simply take it (``blocked``) swap
        it for one of the colleague's shifts that week (headcounts unchanged)."""
        idx = self.idx
        w = idx.shifts[s].week
        u_s = 1 if idx.shifts[s].unsocial else 0
        spread_now = self._spread_after({})
        holders = list(without)  # each has the week's block (legal or not without s)
        if not blocked or not holders:
            return None
        best: tuple[float, int, int, int, int, int, int] | None = None  # ..., unsocial change
        for q in blocked[:SWAP_PEOPLE]:
            q_key = (q, w)
            for p in holders:
                p_key = (p, w)
                base = self.cost_of(p_key) + self.cost_of(q_key)
                for t in self.held[q_key]:
                    if p not in self.can[t] or p in self.holders[t]:
                        continue
                    cq = self._try(q_key, (self.held[q_key] - {t}) | {s})
                    if cq is None:
                        continue
                    cp = self._try(p_key, (self.held[p_key] - {s}) | {t})
                    if cp is None:
                        continue
                    delta = cp + cq - base
                    d = (1 if idx.shifts[t].unsocial else 0) - u_s
                    if d:
                        delta += self._spread_after({p: d, q: -d}) - spread_now
                    if delta < threshold and (best is None or delta < best[0]):
                        best = (delta, p, q, t, cp, cq, d)
        if best is None:
            return None
        change, p, q, t, cp, cq, d = best
        for who, give, take, cost in ((p, s, t, cp), (q, t, s, cq)):
            key = (who, w)
            self.held[key].discard(give)
            self.held[key].add(take)
            self._moved(key, cost)
            self.holders[give].discard(who)
            self.holders[take].add(who)
        if d:
            self._move_unsocial(p, d)
            self._move_unsocial(q, -d)
        return change

    def _trade(self, s: int, blocked: list[int], threshold: float) -> float | None:
        """A colleague who cannot simply take ``s`` (``blocked``) takes it in place of one
        of their shifts that week that can spare them (the move that mends a shift left
        short when everyone able to take it is at a limit)."""
        idx = self.idx
        w = idx.shifts[s].week
        n = len(self.holders[s])
        u_s = 1 if idx.shifts[s].unsocial else 0
        spread_now = self._spread_after({})
        gain = self._short(s, n + 1) - self._short(s, n)
        # delta, person, shift given up, cost, unsocial change
        best: tuple[float, int, int, int, int] | None = None
        for q in blocked[:SWAP_PEOPLE]:
            key = (q, w)
            for t in self.held[key]:
                m = len(self.holders[t])
                if not self._can_lose(t, m):
                    continue
                c = self._try(key, (self.held[key] - {t}) | {s})
                if c is None:
                    continue
                delta = c - self.cost_of(key) + gain + self._short(t, m - 1) - self._short(t, m)
                d = u_s - (1 if idx.shifts[t].unsocial else 0)
                if d:
                    delta += self._spread_after({q: d}) - spread_now
                if delta < threshold and (best is None or delta < best[0]):
                    best = (delta, q, t, c, d)
        if best is None:
            return None
        change, q, t, c, d = best
        key = (q, w)
        m = len(self.holders[t])
        self._recount(s, n, n + 1)
        self._recount(t, m, m - 1)
        self.held[key].discard(t)
        self.held[key].add(s)
        self._moved(key, c)
        self.holders[t].discard(q)
        self.holders[s].add(q)
        if d:
            self._move_unsocial(q, d)
        return change


def roster_of(by_week: Mapping[tuple[int, int], Iterable[int]]) -> Pairs:
    """The (person, shift) pairs of a roster kept by (person, week)."""
    return frozenset((p, s) for (p, _), ss in by_week.items() for s in ss)


def week_blocks(blocks: Iterable[Block]) -> dict[tuple[int, int], Block]:
    """The one-week, labelled person-blocks by (person, week): the ones whose schedules
    the descent can change (``legal`` reads their patterns)."""
    return {
        (b.person, b.weeks[0]): b for b in blocks if len(b.weeks) == 1 and b.segments is not None
    }


def descend(
    idx: Index,
    pairs: Iterable[tuple[int, int]],
    *,
    deadline: float,
    seed: int = 0,
    stop: Callable[[], bool] | None = None,
    blocks: Iterable[Block] | None = None,
    focus: Iterable[int] = (),
    wander: bool = True,
    publish: Callable[[Pairs], object] | None = None,
    patience: float | None = None,
) -> Pairs | None:
    """Passes of improving moves over every shift until a pass changes nothing or
    gains little (GREEDY_GAIN); then threshold accepting (moves that worsen the
    objective by less than a threshold falling to nothing by the deadline) to walk
    across plateaus and out of local optima. Returns the best roster seen, at the
    deadline (``time.monotonic()``), on ``stop()`` or after such a pass that moves
    nothing.
    ``pairs`` may leave headcounts outside their limits (each person's schedule must be
    legal): those are mended first, and None is returned if some remain.
    ``blocks`` are the problem's person-blocks, when the caller has built them already;
    while headcounts are being mended, passes go over the ``focus`` shifts only. Without
    ``wander`` only improving moves are made, to the first local optimum. ``publish``
    hears the best roster seen, at most every PUBLISH_S while it improves (a long
    descent would otherwise show the first roster's objective until it returns).
    With ``patience``, threshold accepting also ends once that many seconds have passed
    without a better roster (the caller has other searches for the time)."""
    state = Descent(idx, pairs, blocks)
    rng = random.Random(seed)
    everything = list(range(len(idx.shifts)))
    near = list(focus) or everything
    value = 0.0  # the objective's change since the start (with the penalties and ties)
    ties = state.ties()
    best_value: float | None = 0 if state.violations == 0 else None  # the best roster's
    best = state.snapshot() if state.violations == 0 else None  # it, by person-week
    threshold = 0.0
    started: float | None = None  # when threshold accepting began
    best_obj = 0  # the best roster's change of the objective alone (without the ties)
    published = 0  # best_obj when last published (0: the roster it started from)
    publish_at = time.monotonic() + PUBLISH_S
    improved_at = time.monotonic()  # when the best roster last improved

    def result() -> Pairs | None:
        return None if best is None else roster_of(best)

    while True:
        before = best_value
        order = near if state.violations else everything
        rng.shuffle(order)
        changed = False
        for i, s in enumerate(order):
            if i % 32 == 0:
                now = time.monotonic()
                if now >= deadline or (stop is not None and stop()):
                    return result()
                if started is not None:
                    if patience is not None and now - max(started, improved_at) > patience:
                        return result()
                    threshold = THRESHOLD * (deadline - now) / max(deadline - started, 1e-9)
                if publish is not None and now >= publish_at:
                    publish_at = now + PUBLISH_S
                    if best_value is not None and best_obj < published:
                        published = best_obj
                        publish(result())  # type: ignore[arg-type]
            change = state.improve_shift(s, rng, threshold)
            if change is None:
                continue
            changed = True
            value += change
            if state.violations == 0 and (best_value is None or value < best_value):
                best_value = value
                best_obj = round(value - state.ties() + ties)
                improved_at = time.monotonic()
                if best is None:
                    best = state.snapshot()
                else:
                    state.update(best)
        if not changed:
            if state.violations and order is near and near is not everything:
                near = everything  # the focus alone cannot mend them
                continue
            if started is not None or not wander or time.monotonic() >= deadline:
                return result()
            started = time.monotonic()
        elif (
            started is None
            and wander
            and before is not None
            and best_value is not None
            and before - best_value < GREEDY_GAIN * -best_value
        ):
            started = time.monotonic()  # improving moves alone gain little more


def mend(
    idx: Index,
    roster: Iterable[tuple[int, int]],
    part: Iterable[tuple[int, int]],
    weeks: set[int],
    free: Iterable[int],
    *,
    deadline: float,
    seed: int = 0,
    stop: Callable[[], bool] | None = None,
    blocks: Iterable[Block] | None = None,
) -> Pairs | None:
    """``roster`` with ``part`` (an unfinished dive's schedules for ``weeks``) in its
    place, its headcounts mended by the descent, then improved to a local optimum (or
    until ``deadline``); None if they cannot be mended in time.

    The ``free`` people's schedules in ``part`` are the LP's most-used columns, each
    legal alone but together leaving shifts short or over-staffed; where a schedule is
    not legal (a person without a column) that person keeps their week of ``roster``. CP-SAT
    completes such a week too, but on a 140-person week not in the time a short limit
    leaves it (the 10-library, 8-week scenario at 60 s: every completion unfinished after
    0.2-0.6 s, so no dive counted)."""
    blocks = list(build_blocks(idx) if blocks is None else blocks)
    single = week_blocks(blocks)
    loose = set(free)
    mine: dict[tuple[int, int], set[int]] = {}
    theirs: dict[tuple[int, int], set[int]] = {}
    out: set[tuple[int, int]] = set()
    for p, s in roster:
        w = idx.shifts[s].week
        if w in weeks:
            mine.setdefault((p, w), set()).add(s)
        else:
            out.add((p, s))
    for p, s in part:
        theirs.setdefault((p, idx.shifts[s].week), set()).add(s)
    lookup: Lookup = {}
    for key in set(mine) | set(theirs):
        new = theirs.get(key, set())
        block = single.get(key)
        if (key[0] in loose or block is not None) and (
            block is None or not legal(block, new, lookup)
        ):
            new = mine.get(key, set())
        out |= {(key[0], s) for s in new}
    focus = [s for s, info in enumerate(idx.shifts) if info.week in weeks]
    return descend(
        idx, out, deadline=deadline, seed=seed, stop=stop, blocks=blocks, focus=focus,
        wander=False,
    )  # fmt: skip
