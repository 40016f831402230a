"""Search for a roster: a fast first roster week by week, then improve the whole.

Large rosters are hard for one CP-SAT run on two cores, but their rules are nearly
separable by week (only the unsocial spread couples weeks, and duty blocks may cross
Sunday night). So the search

1. builds a first roster one week at a time (the week before fixed, unsocial shifts
   already held carried in as offsets),
2. improves it by large-neighbourhood search: re-solve one week, then two adjacent
   weeks, with everything else fixed to the best roster so far,
3. finishes with the whole model, hinted with the best roster, which both improves it
   and proves the lower bound that is reported.

A one-week problem goes straight to step 3. Every model's objective equals the true
objective of any roster (see ``model.py``), and each accepted roster is re-scored by
``score.py`` before it is reported.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.solver.index import Index, build_index
from scheduler.solver.model import RosterModel, build_model
from scheduler.solver.problem import Assignment, Problem, Progress, Solution
from scheduler.solver.score import score

Pairs = frozenset[tuple[int, int]]
log = logging.getLogger(__name__)

# Shares of the time limit: first roster, then neighbourhoods; the rest is the whole model.
FIRST_SHARE = 0.6  # the most a first roster may take (it stops at the first one)
CONSTRUCT_SHARE = 0.55  # first roster and weekly improvement together
LNS_SHARE = 0.30
WHOLE_MODEL_MAX = 20_000  # assignment variables up to which the whole model does best
BIG_MODEL = 6000  # assignment variables past which presolve is kept short


@dataclass
class _Outcome:
    status: int
    pairs: Pairs | None
    bound: int | None


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
        self.build_s = 0.0  # time spent building the weekly first-roster models

    # -- clocks and reporting ---------------------------------------------------------

    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    def remaining(self) -> float:
        return self.time_limit - self.elapsed()

    def stopped(self) -> bool:
        return self.stop_event is not None and self.stop_event.is_set()

    def offer(self, pairs: Iterable[tuple[int, int]]) -> bool:
        """Keep ``pairs`` if it beats the best roster; report progress. True if kept."""
        pairs = frozenset(pairs)
        terms, _ = score(self.idx, pairs)
        obj = sum(terms.values())
        if self.best_obj is not None and obj >= self.best_obj:
            return False
        self.best, self.best_obj = pairs, obj
        if self.first_solution_s is None:
            self.first_solution_s = self.elapsed()
        self.report()
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
    ) -> _Outcome:
        budget = min(budget, self.remaining()) if not self.deterministic else budget
        if budget <= 0.01 or self.stopped():
            return _Outcome(cp_model.UNKNOWN, None, None)
        solver = cp_model.CpSolver()
        prm = solver.parameters
        prm.num_workers = self.workers
        prm.random_seed = self.seed
        if self.deterministic:
            prm.interleave_search = True
            prm.max_deterministic_time = budget
            prm.max_time_in_seconds = max(budget, self.remaining()) * 4 + 1
        else:
            prm.max_time_in_seconds = budget
        if first_only:
            # A first roster fast: presolve costs seconds on big weeks; feasibility
            # jump finds one in a fraction of that.
            prm.stop_after_first_solution = True
            prm.cp_model_presolve = False
        elif len(rm.x) > BIG_MODEL:
            prm.max_presolve_iterations = 1
        callback = _Watch(self, rm, whole)
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
        bound = None
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            bound = round(solver.best_objective_bound)
        return _Outcome(status, pairs, bound)

    def hint(self, rm: RosterModel, model: cp_model.CpModel, pairs: Pairs | None) -> None:
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
            return
        fixed = model.clone()
        variables = fixed.proto.variables
        for key, i in rm.var_index.items():
            v = int(key in pairs)
            variables[i].domain.clear()
            variables[i].domain.extend([v, v])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = max(0.05, min(2.0, self.remaining()))
        status = solver.solve(fixed)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            values = solver.response_proto.solution
            hint = model.proto.solution_hint
            hint.vars.extend(range(len(values)))
            hint.values.extend(values)
            return
        for key, v in rm.x.items():
            model.add_hint(v, key in pairs)

    # -- the phases -------------------------------------------------------------------

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

    def construct(self, *, improve_weeks: bool = True) -> None:
        """A first roster one week at a time, then each week improved on its own.

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
        if coupled or not improve_weeks:
            return
        # Each week on its own, hinted with its first roster: better weeks and bounds.
        bounds: list[int | None] = []
        for w in range(weeks):
            if self.stopped() or (not self.deterministic and self.remaining() <= 0):
                break
            rm = build_model(idx, weeks={w}, unsocial=False)
            if self.deterministic:
                budget = self.time_limit * (CONSTRUCT_SHARE - FIRST_SHARE / 2) / weeks
            else:
                end = self.time_limit * CONSTRUCT_SHARE
                budget = (end - self.elapsed()) / (weeks - w)
            self.hint(rm, rm.model, parts[w])
            out = self.run_cp(rm, rm.model, budget)
            bounds.append(out.bound)
            if out.pairs is not None:
                parts[w] = frozenset(k for k in out.pairs if idx.shifts[k[1]].week == w)
                self.offer(frozenset().union(*parts))
        if len(bounds) == weeks and all(b is not None for b in bounds):
            self.bound = sum(b for b in bounds if b is not None)
            self.report()

    def improve(self) -> None:
        """Re-solve one week, then two adjacent weeks, with the rest of the best roster
        fixed: a model of just those weeks, unsocial shifts held elsewhere as offsets."""
        idx = self.idx
        weeks = self.problem.weeks
        hoods = [[w] for w in range(weeks)] + [[w, w + 1] for w in range(weeks - 1)]
        end = self.time_limit * (CONSTRUCT_SHARE + LNS_SHARE)
        step = max(0.3, self.time_limit * LNS_SHARE / max(1, len(hoods)))
        spent = self.time_limit * CONSTRUCT_SHARE
        rounds = 0
        while not self.stopped() and self.best is not None:
            improved = False
            for hood in hoods:
                now = spent if self.deterministic else self.elapsed()
                if now + step > end or self.stopped() or self.best is None:
                    return
                inside = frozenset(k for k in self.best if idx.shifts[k[1]].week in hood)
                offset: dict[int, int] = {}
                for p, s in self.best - inside:
                    if idx.shifts[s].unsocial:
                        offset[p] = offset.get(p, 0) + 1
                rm = build_model(idx, weeks=hood, unsocial_offset=offset)
                self.hint(rm, rm.model, inside)
                out = self.run_cp(rm, rm.model, step)
                spent += step
                if out.pairs is not None and self.offer((self.best - inside) | out.pairs):
                    improved = True
            rounds += 1
            if not improved and rounds >= 2:
                return

    def whole(self, full: RosterModel, *, hint_best: bool) -> None:
        model = full.model
        self.hint(full, model, self.best if hint_best else None)
        budget = self.time_limit - (0 if self.deterministic else self.elapsed())
        if self.deterministic:
            budget = self.time_limit * (
                1 if self.problem.weeks == 1 else 1 - CONSTRUCT_SHARE - LNS_SHARE
            )
        out = self.run_cp(full, model, budget, whole=True)
        if out.status == cp_model.INFEASIBLE:
            self.infeasible = True
            return
        if out.bound is not None:
            self.bound = out.bound if self.bound is None else max(self.bound, out.bound)
        if out.pairs is not None:
            self.offer(out.pairs)
        if out.status == cp_model.OPTIMAL and self.best_obj == out.bound:
            self.optimal = True
        if self.best_obj is not None and self.bound is not None:
            self.bound = min(self.bound, self.best_obj)
            self.optimal = self.optimal or self.bound == self.best_obj
        self.report()

    def run(self) -> Solution:
        idx = self.idx
        for a in self.problem.pinned:
            if not idx.is_eligible(idx.staff_pos[a.staff], idx.shift_pos[a.shift]):
                self.infeasible = True  # a pin the person may not hold (H3, H4)
                return self.solution()
        # Size of the whole model, in assignment variables.
        size = sum(len(e) for e in idx.eligible)
        small = size <= WHOLE_MODEL_MAX
        if self.problem.weeks > 1:
            # A first roster week by week (a fraction of a second), so progress starts at
            # once; on a roster too big for the whole model, then better weeks.
            self.construct(improve_weeks=not small)
            if self.infeasible:
                return self.solution()
            if self.best is not None and not self.coupled and not small:
                self.improve()
        # The whole model: its bound, and the improvements. On a model CP-SAT handles
        # well it runs unhinted (measured: a hint from the weekly rosters held it back).
        # Skipped when too big to build in the time left (about what the weeks took).
        if self.best is None or self.deterministic or self.remaining() > 2 * self.build_s + 0.3:
            t = time.monotonic()
            full = build_model(idx)
            log.debug("whole model built in %.2f s", time.monotonic() - t)
            self.whole(full, hint_best=not small)
        return self.solution()

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


def _explain(problem: Problem) -> list[str]:
    try:
        from scheduler.solver.explain import explain_infeasible
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
