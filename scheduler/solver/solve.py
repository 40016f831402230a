"""Search for a roster: a fast first roster week by week, then neighbourhood search.

Plain CP-SAT on two cores improves these rosters slowly, but their rules are nearly
separable by week (only the unsocial spread spans weeks, and a duty block or a shift
may cross Sunday midnight). So the search

1. builds a first roster one week at a time from the hard rules alone (feasibility
   jump, no presolve: a fraction of a second even for 10 libraries x 140 people);
2. improves each week on its own: large-neighbourhood search frees all shifts of a
   few people at a time, then a short CP-SAT run hinted with the result gives that
   week's lower bound (the weekly models leave out the spread, so their bounds add up
   to a bound on the whole);
3. searches the weeks again in rounds, each with fresh offsets for the other weeks'
   unsocial shifts (steps on one week are several times faster than on the whole);
4. polishes the whole roster with the spread in, if time is left, freeing the people
   with the most and fewest unsocial shifts along with random others.

A one-week problem, or one whose weeks are linked, runs CP-SAT on the whole model
instead of step 2 (which also proves infeasibility). Every model's objective equals
the true objective of any roster (see ``model.py``), and each roster is re-scored by
``score.py`` before it is reported.
"""

from __future__ import annotations

import contextlib
import logging
import math
import queue
import random
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from scheduler.solver.index import Index, build_index
from scheduler.solver.problem import Assignment, Problem, Progress, Solution
from scheduler.solver.score import score

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from scheduler.solver.decomposition.blocks import Block
    from scheduler.solver.decomposition.search import ColumnSearch, Dived
    from scheduler.solver.model import RosterModel
else:

    class _OrTools:
        """OR-Tools loads on first use: ``import scheduler.solver`` (and the Curtois
        evaluator under it) stays light."""

        def __getattr__(self, name: str) -> Any:
            from ortools.sat.python import cp_model as module

            return getattr(module, name)

    cp_model = _OrTools()


def build_model(*args: Any, **kwargs: Any) -> RosterModel:
    from scheduler.solver.model import build_model as build

    return build(*args, **kwargs)


Pairs = frozenset[tuple[int, int]]
log = logging.getLogger(__name__)

# Shares of the time limit: first roster, then neighbourhoods; the rest is the whole model.
FIRST_SHARE = 0.6  # the most a first roster may take (it stops at the first one)
WHOLE_SHARE = 0.6  # CP-SAT on the whole model, when it runs, before the polish
POLISH_SHARE = 0.2  # person neighbourhoods on the whole model (deterministic mode)
WEEKS_SHARE = 0.75  # first roster plus each week improved on its own
WHOLE_MODEL_MAX = 20_000  # assignment variables up to which the whole model is built
LNS_PEOPLE = 6  # people freed per neighbourhood at first (it adapts)
LNS_PEOPLE_MAX = 8
LNS_STEP_S = 0.3  # time limit of one neighbourhood
LNS_STEP_DET = 0.1  # the same in CP-SAT deterministic time
LNS_STEP_MIN_DET = 0.05
BIG_MODEL = 6000  # assignment variables past which presolve is kept short
REWORK_UNTIL = 0.97  # weekly search: more rounds of weeks until this share, then polish
REWORK_STEP_S = 2.0  # the longest one week is searched in a round
WEEK_CP_SHARE = 0.3  # of a week's time: CP-SAT (bound and roster) after person LNS
DIVE_UNTIL = 0.6  # week by week: column generation, then a dive, by this share of the time
RELAX_PART = 0.6  # of a week group's time: column generation until then,
DIVE_PART = 0.85  # its dive until then, and completing what the dive left open after
WHOLE_UNTIL = 0.72  # the whole-period master (bound with the spread) by then
# A dive in the whole-period master by then, on a period of at most this many shifts
# (60 s, seed 0: 166 shifts dive in 1.5-1.9 s, 468 in 5-13 s, 800 in 25 s, and the
# 800-shift ones end worse than without: 14,130 and 18,870 against 14,010 and 18,720).
WHOLE_DIVE_UNTIL = 0.85
WHOLE_DIVE_MAX = 500
COLUMNS_UNTIL = 0.92  # column MIPs week by week until then (person neighbourhoods after)
COLUMN_MIP_S = 3.0  # the longest one column MIP runs,
# and at most this share of the time limit: a round of column MIPs that finds nothing
# leaves the rest to the descent and the person neighbourhoods (M-4weeks at 10 s: a round
# of four 1.2 s MIPs found nothing, and a descent of the 2.5 s left nothing either; with
# 0.5 s MIPs the week neighbourhoods take 16,890 to 16,860 with the time saved)
COLUMN_MIP_SHARE = 0.05
COLUMN_MIP_DET = 0.05  # its share of the time limit, in deterministic time
REPAIR_SHARE = 0.05  # of the time limit, deterministic mode: completing a failed dive
# The first week carried to the later ones from this many week groups (measured at 60 s on
# the 10-library, 8-week scenario: 31,350 against 33,120 without; on 4-week periods at 10 s
# it won on two problems and lost on three, by 1-3 %: the completions cost the later
# weeks' dives more than the carried roster gives them).
CARRY_MIN_GROUPS = 6
# Moves of single shifts on a first roster too big for the whole model, until this share
# of a limit below DESCENT_MAX_S: its week LPs and dives do not finish in it. The
# 10-library, 8-week scenario at 60 s on a slower machine: the descent alone 41,250, the
# decomposition 72,630 (its 140-person week dives need 5-8 s each there; 30,000-35,000
# on a faster one, where the descent was not measured at 60 s).
DESCENT_UNTIL = 0.95
# ... and on any roster with more assignment variables than this per second of the limit:
# the week groups' LPs and dives take most of the time, and the descent from the first
# roster, with the week LPs and their dives beside it, does better (5-library 4-week,
# 12,700-13,400 variables: at 10 s and 20 s 14,070 and 18,690, 15,810 and 19,740 without
# the side dives, 16,050-20,670 and 22,500-24,810 by the decomposition at 10 s, 14,310-
# 14,430 and 18,870-21,720 at 20 s; at 60 s 13,950 and 18,690 against the decomposition's
# 14,100 and 18,720, but there the decomposition's whole-period master proves the bound
# 13,620 and 18,690, the week LPs only 13,275 and 18,210, so it keeps that; the 3-library
# 4-week, about 8,000-8,600, at 10 s was a draw before the side dives: 11,940 and 6,120
# against 12,150-12,330 and 5,760).
DESCENT_RATE = 500
DESCENT_MIN = 10_000  # (a smaller roster keeps the CP-SAT search, which can prove it optimal)
# The week dives beside the descent end by then (side_columns.py): 10-library 8-week at
# 60 s with two children, seeds 1 / 2: 29,490 / 39,780 by 0.65, 29,040 / 39,420 by 0.8,
# 28,950 / 39,270 by 0.88, 28,980 / 39,120 by 0.92 (the descent after them joins the
# dived weeks; repeated dives gain more than its time; measured with this process
# waiting for the dives from the start).
SIDE_DIVES_UNTIL = 0.88
DESCENT_AFTER_UNTIL = 0.97  # the descent after the column search (person LNS after it),
DESCENT_AFTER_MAX_S = 10.0  # for at most this long
DESCENT_PATIENCE = 0.1  # of the time: ... or until it has found nothing better for so long
MID_DESCENT = 0.05  # of the time: the descent before the column MIPs
FIRST_LP_PART = 1.5  # of its share: the most the first week group's LP may take
# The later week groups are left to the descent when the first one's LP took more than
# this many times what each of theirs would get, so they would not finish (at 10 s: a
# 3-library week's LP takes 0.45-0.75 s against 0.7-0.85 s each later one gets, a
# 5-library week's 1.0-1.7 s against 0.55 s; there the later dives took 69,180 to 65,940,
# the descent instead reaches 25,000).
HURRIED = 1.5
# The least time the descent gets to mend an unfinished dive's headcounts (it ends at its
# first local optimum; a 140-person week: one pass over its shifts, 0.3-0.45 s, leaves
# 0-1 of 40-60 shifts outside limits; CP-SAT does not complete it in 0.2-0.6 s).
MEND_S = 0.8
DESCENT_MAX_S = 120
CPSAT_PRICED_MAX = 40  # person-blocks priced by CP-SAT up to which the decomposition runs


@dataclass
class _Outcome:
    status: int
    pairs: Pairs | None
    bound: int | None
    objective: float | None = None


class _Search:
    def __init__(
        self,
        problem: Problem,
        *,
        time_limit: float,
        workers: int,
        seed: int,
        on_progress: Callable[[Progress], None] | None,
        stop_event: threading.Event | None,
        deterministic: bool,
    ) -> None:
        self.t0 = time.monotonic()
        self.problem = problem
        self.time_limit = max(0.05, float(time_limit))
        self.workers = max(1, int(workers))
        self.seed = int(seed)
        self.on_progress = on_progress
        self.stop_event = stop_event
        self.deterministic = deterministic
        self.idx: Index = build_index(problem)
        self.best: Pairs | None = None
        self.best_obj: int | None = None
        self.bound: int | None = None
        self.first_solution_s: float | None = None
        self.infeasible = False
        self.optimal = False
        self.coupled = False
        self.lock = threading.RLock()  # weeks improve side by side
        self.parts: list[Pairs] = []  # the best roster week by week (weekly search)
        self.build_s = 0.0  # time spent building the weekly first-roster models
        self.blocks: list[Block] | None = None  # the person-blocks, once built

    # -- clocks and reporting ---------------------------------------------------------

    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    def remaining(self) -> float:
        return self.time_limit - self.elapsed()

    def stopped(self) -> bool:
        return self.stop_event is not None and self.stop_event.is_set()

    def offer(self, pairs: Iterable[tuple[int, int]]) -> bool:
        """Keep ``pairs`` if it beats the best roster; report progress. True if kept."""
        with self.lock:
            return self._offer(frozenset(pairs))

    def _offer(self, pairs: Pairs) -> bool:
        terms, _ = score(self.idx, pairs)
        obj = sum(terms.values())
        if self.best_obj is not None and obj >= self.best_obj:
            return False
        self.best, self.best_obj = pairs, obj
        if self.first_solution_s is None:
            self.first_solution_s = self.elapsed()
        # A roster that meets a bound proven before it is optimal too, whichever came
        # first (a busy machine can turn the order round; the search then ran to its limit).
        self.settle_bound()
        return True

    def report(self) -> None:
        if self.on_progress is not None:
            self.on_progress(Progress(self.best_obj, self.bound, round(self.elapsed(), 3)))

    # -- one CP-SAT run ---------------------------------------------------------------

    def run_cp(
        self,
        rm: RosterModel,
        model: cp_model.CpModel,
        budget: float,
        *,
        whole: bool = False,
        first_only: bool = False,
        workers: int | None = None,
    ) -> _Outcome:
        budget = min(budget, self.remaining()) if not self.deterministic else budget
        if budget <= 0.01 or self.stopped():
            return _Outcome(cp_model.UNKNOWN, None, None)
        solver = cp_model.CpSolver()
        prm = solver.parameters
        prm.num_workers = workers or self.workers
        prm.random_seed = self.seed
        if self.deterministic:
            prm.interleave_search = True
            prm.max_deterministic_time = budget
            # Only a safety net: a wall-clock stop would break reproducibility.
            prm.max_time_in_seconds = budget * 10 + 5
        else:
            prm.max_time_in_seconds = budget
        if first_only:
            # A first roster fast: presolve costs seconds on big weeks; feasibility
            # jump finds one in a fraction of that.
            prm.stop_after_first_solution = not self.deterministic
            prm.cp_model_presolve = False
        elif len(rm.x) > BIG_MODEL:
            prm.max_presolve_iterations = 1
        callback = _watch_class()(self, rm, whole)
        done = threading.Event()
        watcher = None
        if self.stop_event is not None:

            def watch() -> None:
                while not done.is_set():
                    if self.stop_event.wait(0.05):  # type: ignore[union-attr]
                        solver.stop_search()
                        return

            watcher = threading.Thread(target=watch, daemon=True)
            watcher.start()
        try:
            status = solver.solve(model, callback)
        finally:
            done.set()
            if watcher is not None:
                watcher.join()
        log.debug(
            "cp %s vars=%d budget=%.2f took=%.2f status=%s obj=%s at=%.2f",
            "whole" if whole else "part",
            len(rm.x),
            budget,
            solver.wall_time,
            solver.status_name(status),
            solver.objective_value if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None,
            self.elapsed(),
        )
        pairs = None
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            pairs = frozenset(k for k, v in rm.x.items() if solver.boolean_value(v))
        bound = objective = None
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            objective = solver.objective_value
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN) and math.isfinite(
            solver.best_objective_bound
        ):
            # A proven bound even when the run found no solution of its own.
            bound = math.ceil(solver.best_objective_bound - 1e-6)
        return _Outcome(status, pairs, bound, objective)

    def hint(self, rm: RosterModel, model: cp_model.CpModel, pairs: Pairs | None) -> int | None:
        """Hint ``pairs`` (or the previous roster). A roster is hinted completely: the
        auxiliary variables' values come from a quick solve with every assignment fixed,
        so CP-SAT starts from the roster itself rather than a partial guess."""
        model.clear_hints()
        if pairs is None:
            wanted = {
                (self.idx.staff_pos[a.staff], self.idx.shift_pos[a.shift])
                for a in self.problem.previous
            }
            for key in wanted & rm.x.keys():
                model.add_hint(rm.x[key], 1)
            return None
        fixed = model.clone()
        variables = fixed.proto.variables
        for key, i in rm.var_index.items():
            v = int(key in pairs)
            variables[i].domain.clear()
            variables[i].domain.extend([v, v])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        if self.deterministic:
            solver.parameters.max_deterministic_time = 1.0
        else:
            solver.parameters.max_time_in_seconds = max(0.05, min(2.0, self.remaining()))
        status = solver.solve(fixed)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            values = solver.response_proto.solution
            hint = model.proto.solution_hint
            hint.vars.extend(range(len(values)))
            hint.values.extend(values)
            return round(solver.objective_value)
        for key, v in rm.x.items():
            model.add_hint(v, key in pairs)
        return None

    # -- the phases -------------------------------------------------------------------

    @property
    def weekly(self) -> bool:
        """Several weeks that no rule links (the unsocial spread aside)."""
        return self.problem.weeks > 1 and not self.coupled

    def weeks_coupled(self) -> bool:
        """Whether any rule links shifts of two weeks (a shift over Sunday midnight, or a
        duty block that could run from Sunday night into Monday)."""
        idx = self.idx
        brk = self.problem.rules.min_break_minutes
        for w in range(1, self.problem.weeks):
            before, after = idx.shifts_by_week[w - 1], idx.shifts_by_week[w]
            for s in before:
                for q in after:
                    if idx.shifts[q].start - idx.shifts[s].end < brk:
                        return True
        return False

    def construct(self) -> None:
        """A first roster one week at a time (kept in ``parts``).

        When no rule links two weeks, each week is solved on its own without the
        unsocial spread (the only term that spans weeks); those weekly models are
        relaxations of the whole, so the sum of their bounds is a lower bound on the
        whole objective (the spread is at least 0). Otherwise each week is solved with
        the week before fixed, and no bound is taken from them.
        """
        idx = self.idx
        weeks = self.problem.weeks
        coupled = self.coupled = self.weeks_coupled()
        parts: list[Pairs] = []
        for w in range(weeks):
            if self.stopped():
                return
            if coupled:
                done = frozenset().union(*parts) if parts else frozenset()
                offset: dict[int, int] = {}
                for p, s in done:
                    if idx.shifts[s].week < w - 1 and idx.shifts[s].unsocial:
                        offset[p] = offset.get(p, 0) + 1
                rm = build_model(
                    idx,
                    weeks={w - 1, w} if w > 0 else {w},
                    fixed=set(done),
                    fixed_weeks={w - 1},
                    unsocial_offset=offset,
                )
            else:
                t = time.monotonic()
                rm = build_model(idx, weeks={w}, scored=False)
                self.build_s += time.monotonic() - t
            self.hint(rm, rm.model, None)
            if self.deterministic:
                budget = self.time_limit * FIRST_SHARE / weeks
            else:
                left = self.time_limit * FIRST_SHARE - self.elapsed()
                budget = max(left / (weeks - w), self.remaining() / (weeks - w) / 2)
            out = self.run_cp(rm, rm.model, budget, first_only=True)
            if out.status == cp_model.INFEASIBLE and not coupled:
                self.infeasible = True  # this week alone has no roster, so none has
                return
            if out.pairs is None:
                return  # the whole model decides (it may prove infeasibility)
            parts.append(frozenset(k for k in out.pairs if idx.shifts[k[1]].week == w))
        self.offer(frozenset().union(*parts))
        self.parts = parts

    def improve_weeks(self) -> None:
        """Each week improved on its own, with CP-SAT's weekly bounds (the search when
        the decomposition cannot price every person-block)."""
        weeks = self.problem.weeks
        parts = self.parts
        if self.coupled or weeks == 1 or not parts:
            return  # one week: the whole model is the week
        # Each week on its own from its first roster: a short CP-SAT run for a bound,
        # then large-neighbourhood search over a few people at a time. Weeks are
        # independent, so with two workers two weeks run side by side (one thread each).
        bounds: list[int | None] = [None] * weeks
        start = self.elapsed()
        lanes = 1 if self.deterministic else max(1, min(self.workers, weeks))
        waves = [list(range(i, min(i + lanes, weeks))) for i in range(0, weeks, lanes)]
        total = self.time_limit * WEEKS_SHARE - start
        for n, wave in enumerate(waves):
            if self.stopped() or (not self.deterministic and self.remaining() <= 0):
                break
            end = start + total * (n + 1) / len(waves)
            snapshot = list(parts)

            def one(w: int, end: float = end, snapshot: list[Pairs] = snapshot) -> int | None:
                return self.improve_week(w, parts, snapshot, end, lanes)

            if len(wave) == 1:
                results = [one(wave[0])]
            else:
                with ThreadPoolExecutor(len(wave)) as pool:
                    results = list(pool.map(one, wave))
            for w, bound in zip(wave, results, strict=True):
                bounds[w] = bound
        self.parts = parts
        if all(b is not None for b in bounds):
            self.raise_bound(sum(b for b in bounds if b is not None))

    def improve_week(
        self, w: int, parts: list[Pairs], snapshot: list[Pairs], end: float, lanes: int
    ) -> int | None:
        """Improve week ``w`` of ``parts`` in place; return the week's lower bound.

        Person neighbourhoods first (they improve a first roster fastest), then CP-SAT
        on the whole week hinted with the result: its bound is the week's bound, and
        its own neighbourhoods often improve further (measured on M-4weeks)."""
        idx = self.idx
        if self.deterministic:
            budget = self.time_limit * WEEKS_SHARE / self.problem.weeks
        else:
            budget = end - self.elapsed()
        rm, obj = self.lns_week(
            w,
            parts,
            snapshot,
            lambda: (
                budget * (1 - WEEK_CP_SHARE)
                if self.deterministic
                else (end - self.elapsed()) * (1 - WEEK_CP_SHARE)
            ),
        )
        relaxed = build_model(idx, weeks={w}, unsocial=False)
        self.hint(relaxed, relaxed.model, parts[w])
        cp_budget = budget * WEEK_CP_SHARE if self.deterministic else end - self.elapsed()
        out = self.run_cp(
            relaxed, relaxed.model, max(cp_budget, 0.3), workers=1 if lanes > 1 else None
        )
        if out.pairs is not None and obj is not None and rm is not None:
            mine = frozenset(k for k in out.pairs if idx.shifts[k[1]].week == w)
            current = self.hint(rm, rm.model.clone(), parts[w])
            value = self.hint(rm, rm.model.clone(), mine)
            if value is not None and (current is None or value < current):
                with self.lock:
                    parts[w] = mine
                    self.offer(frozenset().union(*parts))
        elif out.pairs is not None:
            parts[w] = frozenset(k for k in out.pairs if idx.shifts[k[1]].week == w)
        return out.bound

    def lns_week(
        self,
        w: int,
        parts: list[Pairs],
        snapshot: list[Pairs],
        budget: Callable[[], float],
        salt: int = 0,
    ) -> tuple[RosterModel | None, int | None]:
        """Person neighbourhoods on week ``w`` (in ``parts``, in place).

        The search sees the spread, with the other weeks' unsocial shifts (as of
        ``snapshot``) as offsets, so the weeks do not pile evenings on the same people.
        ``budget`` is asked once the model is built."""
        idx = self.idx
        offset: dict[int, int] = {}
        for v, part in enumerate(snapshot):
            for p, s in part if v != w else ():
                if idx.shifts[s].unsocial:
                    offset[p] = offset.get(p, 0) + 1
        rm = build_model(idx, weeks={w}, unsocial_offset=offset)
        obj = self.hint(rm, rm.model, parts[w])
        if obj is None:
            return None, None

        def publish(pairs: Pairs) -> None:
            with self.lock:
                parts[w] = pairs
                self.offer(frozenset().union(*parts))

        publish(parts[w])
        self.person_lns(rm, parts[w], obj, budget(), publish, salt=salt)
        return rm, obj

    def rework_weeks(self, until: float) -> None:
        """Another round of person neighbourhoods week by week (two side by side),
        with fresh offsets: steps on one week are several times faster than on the
        whole roster."""
        parts = self.parts
        weeks = len(parts)
        lanes = max(1, min(self.workers, weeks))
        waves = [list(range(i, min(i + lanes, weeks))) for i in range(0, weeks, lanes)]
        start = self.elapsed()
        # Rounds of at most REWORK_STEP_S per wave, so the offsets stay fresh.
        rounds = max(1, math.ceil((until - start) / (REWORK_STEP_S * len(waves))))
        plan = waves * rounds
        for n, wave in enumerate(plan):
            if self.stopped() or self.remaining() <= 0:
                break
            salt = n + 1
            end = start + (until - start) * (n + 1) / len(plan)
            # Building and hinting a week costs about three times its first-roster
            # model: a round too short for that would overrun the time limit.
            if end - self.elapsed() < 3 * self.build_s / weeks + 0.1:
                break
            snapshot = list(parts)

            def one(
                w: int, end: float = end, snapshot: list[Pairs] = snapshot, salt: int = salt
            ) -> None:
                self.lns_week(w, parts, snapshot, lambda: end - self.elapsed(), salt=salt)

            with ThreadPoolExecutor(len(wave)) as pool:
                list(pool.map(one, wave))

    def person_lns(
        self,
        rm: RosterModel,
        start: Pairs,
        obj: int,
        budget: float,
        publish: Callable[[Pairs], None],
        focus: Callable[[Pairs], list[int]] | None = None,
        salt: int = 0,
    ) -> Pairs:
        """Large-neighbourhood search: free every assignment of a few people, fix the
        rest to the best roster, solve that small model exactly; keep improvements.

        Freeing whole people keeps their duty blocks, days and hours consistent, which
        CP-SAT's own variable neighbourhoods do not (measured: a week of M-4weeks from
        5,520 to 3,780 in 2 s here, where plain CP-SAT needs about 20 s).
        """
        persons = sorted({p for p, _ in rm.x})
        if len(persons) < 2 or budget <= 0:
            return start
        rng = random.Random(self.seed * 1_000_003 + len(rm.x) + 7919 * salt)
        k = min(LNS_PEOPLE, len(persons))
        best, best_obj = start, obj
        stop_at = time.monotonic() + budget
        spent = 0.0
        # Who could stand in for whom: people sharing many shifts they may take.
        takes: dict[int, set[int]] = {p: set() for p in persons}
        for p, s in rm.x:
            takes[p].add(s)
        turn = 0
        while not self.stopped():
            if self.deterministic:
                if spent >= budget:
                    break
            elif time.monotonic() >= stop_at or self.remaining() <= 0.02:
                break
            turn += 1
            if turn % 2:
                free = set(rng.sample(persons, k))
            else:
                # Related people: a random one and those who share most of their shifts
                # (on several sites or skills, random people rarely can swap anything).
                seed = rng.choice(persons)
                near = sorted(
                    (q for q in persons if q != seed),
                    key=lambda q: (-len(takes[seed] & takes[q]), rng.random()),
                )
                free = {seed, *rng.sample(near[: 2 * k], min(k - 1, len(near[: 2 * k])))}
            if focus is not None:
                free = set(focus(best)[: max(1, k // 3)]) | set(list(free)[: k - k // 3])
            model = rm.model.clone()
            variables = model.proto.variables
            for key, i in rm.var_index.items():
                if key[0] not in free:
                    v = int(key in best)
                    variables[i].domain.clear()
                    variables[i].domain.extend([v, v])
            model.clear_hints()
            for key, var in rm.x.items():
                if key[0] in free:
                    model.add_hint(var, key in best)
            solver = cp_model.CpSolver()
            prm = solver.parameters
            prm.num_workers = 1
            prm.random_seed = self.seed
            # Small models: the presolve's probing and symmetry search cost more than
            # they save here.
            prm.cp_model_probing_level = 0
            prm.symmetry_level = 0
            if self.deterministic:
                prm.max_deterministic_time = LNS_STEP_DET
            else:
                prm.max_time_in_seconds = max(0.01, min(LNS_STEP_S, self.remaining()))
            status = solver.solve(model)
            # Deterministic mode counts each step at least LNS_STEP_MIN_DET, so tiny
            # neighbourhoods cannot spin for long in wall time.
            spent += max(solver.deterministic_time, LNS_STEP_MIN_DET)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                value = round(solver.objective_value)
                if value < best_obj:
                    best_obj = value
                    best = frozenset(key for key, v in rm.x.items() if solver.boolean_value(v))
                    publish(best)
            # Bigger neighbourhoods while they solve to optimality, smaller when not.
            if status == cp_model.OPTIMAL:
                k = min(k + 1, len(persons), LNS_PEOPLE_MAX)
            else:
                k = max(2, k - 1)
        log.debug("lns vars=%d steps=%d k=%d %d -> %d", len(rm.x), turn, k, obj, best_obj)
        return best

    def whole(self, full: RosterModel, budget: float, *, hint_best: bool) -> None:
        """CP-SAT on the whole model: the proven bound, a better roster, or proof that
        none exists. A first roster built for feasibility only is a poor hint (measured
        on S-week: worse than none), so it is hinted only with rosters built to score."""
        model = full.model
        self.hint(full, model, self.best if hint_best else None)
        out = self.run_cp(full, model, budget, whole=True)
        if out.status == cp_model.INFEASIBLE:
            self.infeasible = True
            return
        if out.bound is not None:
            self.bound = out.bound if self.bound is None else max(self.bound, out.bound)
        if out.pairs is not None:
            self.offer(out.pairs)
        self.settle_bound()

    def settle_bound(self) -> None:
        if self.best_obj is not None and self.bound is not None:
            self.bound = min(self.bound, self.best_obj)
            self.optimal = self.bound == self.best_obj
        self.report()

    def polish(self, full: RosterModel) -> None:
        """Person neighbourhoods over the whole model (with the unsocial spread)."""
        if self.best is None or self.optimal:
            return
        obj = self.hint(full, full.model, self.best)
        if obj is None:
            return
        budget = self.remaining() if not self.deterministic else self.time_limit * POLISH_SHARE
        idx = self.idx
        rng = random.Random(self.seed)

        def extremes(pairs: Pairs) -> list[int]:
            # The people with the most and the fewest unsocial shifts set the spread.
            count = dict.fromkeys(idx.first_line, 0)
            for p, s in pairs:
                if idx.shifts[s].unsocial:
                    count[p] += 1
            order = sorted(count, key=lambda p: (count[p], rng.random()))
            return [order[-1], order[0], order[-2] if len(order) > 2 else order[0]]

        self.person_lns(full, self.best, obj, budget, self.offer, focus=extremes)
        self.settle_bound()

    def run(self) -> Solution:
        idx = self.idx
        for a in self.problem.pinned:
            if not idx.is_eligible(idx.staff_pos[a.staff], idx.shift_pos[a.shift]):
                self.infeasible = True  # a pin the person may not hold (H3, H4)
                return self.solution()
        size = sum(len(e) for e in idx.eligible)  # assignment variables of the whole
        self.construct()
        if self.infeasible:
            return self.solution()
        if (
            (size > WHOLE_MODEL_MAX and self.time_limit < DESCENT_MAX_S)
            or size > max(DESCENT_RATE * self.time_limit, DESCENT_MIN)
        ) and (self.best is not None and not self.deterministic):
            # The rest of the search cannot use the time left (its dives do not finish in
            # it): the descent, on one core. The week LPs give the bound meanwhile, in
            # processes of their own on the other cores, and then dive week by week; each
            # dived week goes into the best roster if that makes it better
            # (side_columns.py).
            log.debug("descent first: %d assignment variables in %g s", size, self.time_limit)
            self.descend_beside(self.columns())
            return self.solution()
        columns = self.columns() if self.best is not None else None
        if columns is not None and not self.decompose(columns):
            if self.deterministic:
                self.improve_weeks()
            else:
                # No week LP finishes in time: the descent does better with the time than
                # CP-SAT week by week (5-library 4-week at 10 s: 25,000 against 48,000).
                self.descend(DESCENT_AFTER_UNTIL)
        elif columns is None:
            self.improve_weeks()
        if self.optimal:
            return self.solution()  # proven optimal: the rest of the time would find nothing
        weekly = self.weekly and self.best is not None
        if weekly and not self.deterministic and self.parts:
            self.rework_weeks(self.time_limit * REWORK_UNTIL)
        # Build the whole model unless the roster is too big for it in the time left
        # (building it costs about what building the weeks did).
        if not (
            self.best is None
            or self.deterministic
            or (size <= WHOLE_MODEL_MAX and self.remaining() > 2 * self.build_s + 0.3)
        ):
            return self.solution()
        t = time.monotonic()
        full = build_model(idx)
        log.debug("whole model built in %.2f s", time.monotonic() - t)
        if not weekly:
            if self.deterministic:
                budget = self.time_limit * WHOLE_SHARE
            else:
                budget = self.remaining() * (
                    1 if self.best is None and self.problem.weeks > 1 else WHOLE_SHARE
                )
            self.whole(full, budget, hint_best=self.coupled or columns is not None)
            if self.infeasible:
                return self.solution()
        self.polish(full)
        return self.solution()

    def descend_beside(self, cs: ColumnSearch | None) -> None:
        """The descent until DESCENT_UNTIL, with the week LPs and their dives in child
        processes, one per worker, each with its share of the week groups
        (``side_columns.py``). Each dived week interrupts the descent and goes into the
        best roster when that makes it better. With several children, once their dives
        come, this process only takes them in until the dives end: the descent between
        dives gains little and would take a core from them (10-library 8-week at 60 s,
        seeds 1 / 2: 29,280 / 39,360 so, 29,910 / 40,110 descending all along; one child
        and the descent 30,030-30,480 / 40,050-40,410; the descent alone 31,920 / 44,940).
        Until the first dive comes it descends: at 10 s that is nearly all of the time
        (waiting from the start gave 28,950 / 39,270 at 60 s, but 188,970 / 196,380 at
        10 s, where the LPs leave no time to dive, against 79,410 / 86,040)."""
        from scheduler.solver.side_columns import SideColumns

        deadline = self.t0 + self.time_limit * DESCENT_UNTIL
        if cs is None or self.workers < 2:
            self.descend(DESCENT_UNTIL)
            return
        inbox: queue.SimpleQueue[tuple[Dived, tuple[int, ...]]] = queue.SimpleQueue()
        children = min(self.workers, len(cs.relaxation.groups))
        dives_end = self.t0 + self.time_limit * SIDE_DIVES_UNTIL
        side = SideColumns(
            self.problem, cs.relaxation, deadline, self.seed, self.raise_bound,
            dive_deadline=dives_end,
            on_dive=lambda dived, weeks: inbox.put((dived, weeks)),
            children=children,
        )  # fmt: skip
        dived_yet = False
        try:
            while not self.stopped() and time.monotonic() < deadline:
                if dived_yet and children > 1 and side.running() and time.monotonic() < dives_end:
                    with contextlib.suppress(queue.Empty):
                        self.take_side_dive(*inbox.get(timeout=0.2))
                else:
                    self.descend(DESCENT_UNTIL, interrupt=lambda: not inbox.empty())
                while not inbox.empty():
                    dived_yet = True
                    self.take_side_dive(*inbox.get())
        finally:
            side.stop()

    def take_side_dive(self, dived: Dived, weeks: tuple[int, ...]) -> None:
        before = self.best_obj
        self.take_dive(dived, set(weeks), time.monotonic() + MEND_S)
        log.debug("side dive of weeks %s: %s -> %s at %.2f",
                  weeks, before, self.best_obj, self.elapsed())  # fmt: skip

    def descend(
        self,
        until: float,
        interrupt: Callable[[], bool] | None = None,
        patience: float | None = None,
    ) -> None:
        """The descent (``descent.py``) on the best roster until the share ``until`` of
        the time, or until ``interrupt()``."""
        from scheduler.solver.descent import descend

        assert self.best is not None
        before = self.best_obj
        got = descend(
            self.idx,
            self.best,
            deadline=self.t0 + self.time_limit * until,
            seed=self.seed,
            stop=self.stopped if interrupt is None else lambda: self.stopped() or interrupt(),
            blocks=self.blocks,
            publish=self.offer,
            patience=patience,
        )
        if got is not None and self.offer(got):
            self.settle_bound()
        log.debug("descent: %s -> %s at %.2f", before, self.best_obj, self.elapsed())

    def columns(self) -> ColumnSearch | None:
        """The decomposition, unless some person-block would need CP-SAT pricing and the
        roster is too big for that (then the weekly CP-SAT search runs instead)."""
        from scheduler.solver.decomposition.search import ColumnSearch

        t = time.monotonic()
        cs = ColumnSearch(self.idx, deterministic=self.deterministic, seed=self.seed)
        log.debug("decomposition built in %.2f s", time.monotonic() - t)
        # Every block's cheapest schedule alone: a bound from the start (and the only
        # one, should no LP finish).
        self.raise_bound(cs.bound())
        self.blocks = cs.relaxation.blocks  # the descent's too
        unlabelled = sum(1 for b in cs.relaxation.blocks if b.segments is None)
        return cs if unlabelled <= CPSAT_PRICED_MAX else None

    def raise_bound(self, bound: int | None) -> None:
        with self.lock:
            if bound is not None and (self.bound is None or bound > self.bound):
                self.bound = bound
                if self.best_obj is not None:
                    self.bound = min(self.bound, self.best_obj)
                    self.optimal = self.bound == self.best_obj
                self.report()

    def complete(
        self, pairs: Pairs, free: list[tuple[int, tuple[int, ...]]], deadline: float
    ) -> Pairs | None:
        """Complete a roster whose ``free`` person-weeks a dive left undecided: CP-SAT on
        each week group with everyone else fixed (the free ones hinted with ``pairs``),
        by ``deadline``. A group it cannot complete in time keeps the best roster's part."""
        idx = self.idx
        assert self.best is not None
        by_weeks: dict[tuple[int, ...], set[int]] = {}
        for p, weeks in free:
            by_weeks.setdefault(weeks, set()).add(p)
        out = set(pairs)
        for n, (weeks, people) in enumerate(by_weeks.items()):
            if self.stopped():
                return None
            inside = set(weeks)
            offset: dict[int, int] = {}
            for p, s in out:
                if idx.shifts[s].week not in inside and idx.shifts[s].unsocial:
                    offset[p] = offset.get(p, 0) + 1
            rm = build_model(idx, weeks=inside, unsocial_offset=offset)
            model = rm.model.clone()
            variables = model.proto.variables
            for key, i in rm.var_index.items():
                if key[0] not in people:
                    v = int(key in out)
                    variables[i].domain.clear()
                    variables[i].domain.extend([v, v])
            model.clear_hints()
            for key, var in rm.x.items():
                if key[0] in people:
                    model.add_hint(var, key in out)
            budget = (
                self.time_limit * REPAIR_SHARE
                if self.deterministic
                else max(0.2, (deadline - time.monotonic()) / (len(by_weeks) - n))
            )
            got = self.run_cp(rm, model, budget)
            week_pairs = got.pairs
            if week_pairs is None:
                week_pairs = frozenset(k for k in self.best if idx.shifts[k[1]].week in inside)
            out = {k for k in out if idx.shifts[k[1]].week not in inside} | set(week_pairs)
        return frozenset(out)

    def decompose(self, cs: ColumnSearch) -> bool:
        """Column generation week group by week group, each followed by a dive that
        replaces that group's part of the best roster (so a short time limit still
        improves the weeks it reached); then, for a small enough period, the whole-period
        master with the spread (the strongest bound, and columns priced with the spread's
        duals) and a dive in it, and column MIPs week group by week group.

        False, having changed nothing but the bound, when the first week group's LP is
        not optimal within its share of the time: a dive from an unfinished LP is worse
        than the first roster (measured: L-3libraries at 10 s on a machine under load
        10, 45,840), so the weekly neighbourhood search takes the time instead."""
        assert self.best is not None
        cs.seed(self.best)
        t0, limit = self.t0, self.time_limit
        groups = cs.relaxation.groups
        end = t0 + limit * DIVE_UNTIL
        for i, g in enumerate(groups):
            if self.stopped():
                return True  # nothing left to do: no other search either
            now = time.monotonic()
            share = (end - now) / (len(groups) - i)
            cs.relax_group(
                i, now + share * RELAX_PART, stop=self.stopped, on_bound=self.raise_bound
            )
            lp_s = time.monotonic() - now
            if i == 0 and not g.converged and not self.deterministic:
                # Nearly there, usually (a 5-library week converges in 0.8 s, its part
                # of a 10 s limit is 0.7 s): its whole share and a half.
                cs.relax_group(
                    i, now + share * FIRST_LP_PART, stop=self.stopped, on_bound=self.raise_bound
                )
                lp_s = time.monotonic() - now
                if not g.converged:
                    log.debug("first group unfinished at %.2f: no decomposition", self.elapsed())
                    return False
            dived = cs.dive_group(i, now + share * DIVE_PART, stop=self.stopped)
            self.take_dive(dived, set(g.weeks), now + share)
            if i == 0 and len(groups) >= CARRY_MIN_GROUPS:
                self.carry_forward(cs, end)
            elif i == 0 and len(groups) > 1 and not self.deterministic:
                later = (end - time.monotonic()) / (len(groups) - 1) * RELAX_PART
                if lp_s > later * HURRIED:
                    log.debug(
                        "later groups would not finish (first LP %.2f s, theirs %.2f s) at %.2f",
                        lp_s, later, self.elapsed(),
                    )  # fmt: skip
                    return False
            log.debug(
                "group %s: LP %.2f s, bound %s, dive at %.2f",
                g.weeks, lp_s, cs.bound(), self.elapsed(),
            )  # fmt: skip
        self.raise_bound(cs.bound())
        if len(groups) > 1 and not self.optimal and not self.stopped():
            built = cs.relax_period(
                t0 + limit * WHOLE_UNTIL, stop=self.stopped, on_bound=self.raise_bound
            )
            log.debug("whole master %s: bound %s at %.2f", built, cs.bound(), self.elapsed())
            if built and len(self.idx.shifts) <= WHOLE_DIVE_MAX and not self.optimal:
                deadline = t0 + limit * WHOLE_DIVE_UNTIL
                dived = cs.dive_whole(deadline, stop=self.stopped)
                if dived is not None:
                    before = self.best_obj
                    self.take_dive(dived, set(range(self.problem.weeks)), deadline)
                    log.debug(
                        "whole dive (%d free): %s -> %s at %.2f",
                        len(dived.free), before, self.best_obj, self.elapsed(),
                    )  # fmt: skip
        if not self.deterministic and not self.optimal and not self.stopped():
            # A short descent first: the column MIPs start from its roster (its columns
            # added to the masters) rather than from the dives' single-shift slack.
            self.descend(self.elapsed() / limit + MID_DESCENT)
            cs.seed(self.best)
        if not self.stopped() and not self.optimal:
            cs.share_columns()
            self.column_rounds(cs, t0 + limit * COLUMNS_UNTIL)
        if self.weekly and not self.stopped() and not self.optimal and not self.deterministic:
            # (A one-week or linked period gets CP-SAT on its whole model instead, which
            # can prove its roster optimal.)
            # At most DESCENT_AFTER_MAX_S: on a small roster the person neighbourhoods
            # find the last improvements the descent does not (60 s: 3-library 4-week
            # 11,730 → 11,700, seed 2 5,700 → 5,640).
            self.descend(
                min(DESCENT_AFTER_UNTIL, (self.elapsed() + DESCENT_AFTER_MAX_S) / limit),
                patience=limit * DESCENT_PATIENCE,
            )
        best = self.best
        self.parts = [
            frozenset(k for k in best if self.idx.shifts[k[1]].week == w)
            for w in range(self.problem.weeks)
        ]
        return True

    def carry_forward(self, cs: ColumnSearch, end: float) -> None:
        """The first week's roster carried to every later one-week group (people whose
        carried week is not legal there completed by CP-SAT), kept if better, and its
        columns given to the later masters as a warm start."""
        from scheduler.solver.decomposition.search import Dived
        from scheduler.solver.decomposition.templates import carry

        groups = cs.relaxation.groups

        if self.best is None or len(groups[0].weeks) != 1:
            return
        src = groups[0].weeks[0]
        blocks = {(b.person, b.weeks[0]): b for b in cs.relaxation.blocks if len(b.weeks) == 1}
        pairs: set[tuple[int, int]] = set()
        free: list[tuple[int, tuple[int, ...]]] = []
        weeks: set[int] = set()
        for g in groups[1:]:
            if len(g.weeks) != 1:
                continue
            kept, loose = carry(self.idx, blocks, self.best, src, g.weeks[0])
            pairs |= kept
            free += [(p, g.weeks) for p in loose]
            weeks.add(g.weeks[0])
        if not weeks:
            return
        now = time.monotonic()
        before = self.best_obj
        # The completions get a small share of the time up to the end of the dives.
        self.take_dive(Dived(frozenset(pairs), free), weeks, now + (end - now) * 0.15)
        log.debug(
            "carried week %s to %d weeks (%d person-weeks free): %s -> %s at %.2f",
            src, len(weeks), len(free), before, self.best_obj, self.elapsed(),
        )  # fmt: skip
        cs.seed(self.best)

    def column_rounds(self, cs: ColumnSearch, until: float) -> None:
        """Rounds of column MIPs, one week group at a time, with the other groups' unsocial
        shifts as offsets (so the spread is exact): pick the best generated column per
        person-week (measured on L-3libraries: from a dive's 15,270 to 14,910 in two
        rounds). Ends at ``until`` or after a round without improvement."""
        from scheduler.solver.decomposition.rosters import column_mip

        idx = self.idx
        groups = cs.relaxation.groups
        while not self.stopped() and not self.optimal:
            improved = False
            for n, g in enumerate(groups):
                left = until - time.monotonic()
                if self.deterministic:
                    budget = self.time_limit * COLUMN_MIP_DET
                elif left <= 0.05:
                    return
                else:
                    budget = min(
                        COLUMN_MIP_S, self.time_limit * COLUMN_MIP_SHARE, left / (len(groups) - n)
                    )
                best = self.best
                assert best is not None
                inside = set(g.weeks)
                offsets: dict[int, int] = {}
                for p, s in best:
                    if idx.shifts[s].week not in inside and idx.shifts[s].unsocial:
                        offsets[p] = offsets.get(p, 0) + 1
                got = column_mip(
                    g,
                    time_limit=budget,
                    incumbent=[k for k in best if idx.shifts[k[1]].week in inside],
                    offsets=offsets,
                    first_line=idx.first_line,
                    seed=self.seed,
                    workers=self.workers,
                    stop_event=self.stop_event,
                    deterministic=self.deterministic,
                )
                log.debug(
                    "column MIP %s (%.2f s): %s at %.2f",
                    g.weeks, budget, None if got is None else got[1], self.elapsed(),
                )  # fmt: skip
                if got is None:
                    continue
                pairs = frozenset(
                    {k for k in best if idx.shifts[k[1]].week not in inside} | set(got[0])
                )
                if self.offer(pairs):
                    improved = True
                    self.settle_bound()
            if not improved:
                return

    def take_dive(self, dived: Dived, weeks: set[int], deadline: float) -> None:
        """Put a dive's roster for ``weeks`` into the best roster (completing the blocks
        it left free, by ``deadline``) and keep the result if it is better."""
        if self.best is None or (not dived.pairs and not dived.free):
            return
        idx = self.idx
        if dived.free and not self.deterministic:
            from scheduler.solver.descent import mend

            # The headcounts mended by the descent (quick even on a 140-person week, where
            # CP-SAT does not complete in time); CP-SAT only when that fails.
            mended = mend(
                idx, self.best, dived.pairs, weeks, [p for p, _ in dived.free],
                deadline=max(deadline, time.monotonic() + MEND_S), seed=self.seed,
                stop=self.stopped, blocks=self.blocks,
            )  # fmt: skip
            log.debug("dive mended: %s at %.2f", mended is not None, self.elapsed())
            if mended is not None:
                if self.offer(mended):
                    self.settle_bound()
                return
        pairs = frozenset(
            {k for k in self.best if idx.shifts[k[1]].week not in weeks} | set(dived.pairs)
        )
        if dived.free:
            done = self.complete(pairs, dived.free, deadline)
            if done is None:
                return
            pairs = done
        if self.offer(pairs):
            self.settle_bound()

    def solution(self) -> Solution:
        wall = self.elapsed()
        if self.infeasible:
            return Solution(
                status="INFEASIBLE",
                objective=None,
                bound=None,
                wall_time_s=wall,
                explanation=_explain(self.problem),
            )
        if self.best is None:
            return Solution("UNKNOWN", None, self.bound, wall)
        terms, uncovered = score(self.idx, self.best)
        staff, shifts = self.problem.staff, self.problem.shifts
        assignments = [
            Assignment(shifts[s].id, staff[p].id)
            for p, s in sorted(self.best, key=lambda k: (k[1], k[0]))
        ]
        return Solution(
            status="OPTIMAL" if self.optimal else "FEASIBLE",
            objective=sum(terms.values()),
            bound=self.bound,
            wall_time_s=wall,
            assignments=assignments,
            uncovered=uncovered if self.problem.rules.allow_understaffing else [],
            terms=terms,
            first_solution_s=self.first_solution_s,
        )


@cache
def _watch_class() -> type:
    """The solution callback class (built on first use, with OR-Tools)."""

    class _Watch(cp_model.CpSolverSolutionCallback):
        """Reports improving whole-model solutions as they come; stops on request."""

        def __init__(self, search: _Search, rm: RosterModel, whole: bool) -> None:
            super().__init__()
            self.search = search
            self.rm = rm
            self.whole = whole

        def on_solution_callback(self) -> None:
            s = self.search
            if s.stopped():
                self.stop_search()
                return
            if not self.whole:
                return
            obj = round(self.objective_value)
            if s.best_obj is None or obj < s.best_obj:
                pairs = frozenset(k for k, v in self.rm.x.items() if self.boolean_value(v))
                bound = round(self.best_objective_bound)
                if s.bound is None or bound > s.bound:
                    s.bound = min(bound, obj)
                s.offer(pairs)

    return _Watch


def _explain(problem: Problem) -> list[str]:
    try:
        from scheduler.solver.explanations import explain_infeasible
    except ImportError:
        explain_infeasible = None
    if explain_infeasible is not None:
        try:
            lines = list(explain_infeasible(problem))
        except Exception:  # the explanation must never hide the verdict
            lines = []
        if lines:
            return lines
    return [
        "No roster satisfies every hard rule (H1–H9) together: check headcounts, "
        "availability, skills, weekly and daily hours, breaks and pins."
    ]


def solve(
    problem: Problem,
    *,
    time_limit: float = 10,
    workers: int = 2,
    seed: int = 0,
    on_progress: Callable[[Progress], None] | None = None,
    stop_event: threading.Event | None = None,
    deterministic: bool = False,
) -> Solution:
    """Solve ``problem`` within ``time_limit`` seconds on ``workers`` threads.

    ``on_progress`` hears every improvement (objective, bound, seconds); setting
    ``stop_event`` stops the search, keeping the best roster. With
    ``deterministic=True`` the same seed and workers give the same roster: time limits
    become CP-SAT deterministic time (roughly seconds) instead of wall time.
    """
    return _Search(
        problem,
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        on_progress=on_progress,
        stop_event=stop_event,
        deterministic=deterministic,
    ).run()
