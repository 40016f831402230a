"""A plain, direct CP-SAT model of the roster rules: the baseline the engine is measured against.

    python bench/roster_baseline.py PROBLEM.json [--time-limit 60] [--workers 2] [-o SOL.json]

The textbook formulation of ROSTER-FORMAT.md — one Boolean per (first-line person, shift they
may take), pairwise no-overlap, sums for hours, a clause per too-long chain of back-to-back
shifts, the objective terms written out directly — with CP-SAT's default search: no hints,
no decomposition, no symmetry handling, no tuned parameters. Whatever the engine does beyond
this should show up as a better objective or an earlier first solution. Auxiliary variables
(shortfall, deviation, duty day, block start, unsocial max/min) are defined exactly, not as
one-sided bounds, so every solution's objective is what check_roster.py recomputes.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

from ortools.sat.python import cp_model

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scheduler.solver.check import timeline_for
from scheduler.solver.problem import DEFAULT_WEIGHTS, Problem

STATUS = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.MODEL_INVALID: "UNKNOWN",
    cp_model.UNKNOWN: "UNKNOWN",
}


def load_problem(path: Path) -> Problem:
    """The engine's reader when it is there; the tests' minimal reader otherwise."""
    data = json.loads(Path(path).read_text())
    try:
        from scheduler.solver.io import problem_from_dict
    except ImportError:
        from tests.solver.builders import from_dict as problem_from_dict
    return problem_from_dict(data)


class _FirstSolution(cp_model.CpSolverSolutionCallback):
    def __init__(self, started: float) -> None:
        super().__init__()
        self.started = started
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        if self.first is None:
            self.first = time.perf_counter() - self.started


def solve_baseline(problem: Problem, *, time_limit: float, workers: int = 2, seed: int = 0) -> dict:
    """Solve with the plain model; a ROSTER-FORMAT solution dict plus ``first_solution_s``."""
    started = time.perf_counter()
    tl = timeline_for(problem)
    rules = problem.rules
    w = {**DEFAULT_WEIGHTS, **(rules.weights or {})}
    m = cp_model.CpModel()
    first_line = [p for p in problem.staff if p.first_line]
    x = {
        (p.id, s.id): m.new_bool_var(f"x_{p.id}_{s.id}")
        for p in first_line
        for s in problem.shifts
        if tl.can_take(p.id, s.id)
    }
    mine: dict[str, list[str]] = defaultdict(list)
    on_shift: dict[str, list] = defaultdict(list)
    for (pid, sid), v in x.items():
        mine[pid].append(sid)
        on_shift[sid].append(v)
    terms: dict[str, list] = defaultdict(list)

    # H1 headcount (and the understaffing term)
    for s in problem.shifts:
        n = sum(on_shift[s.id])
        m.add(n <= s.max_staff)
        if rules.allow_understaffing:
            short = m.new_int_var(0, s.min_staff, f"short_{s.id}")
            m.add_max_equality(short, [s.min_staff - n, 0])
            terms["understaffing"].append(short * tl.minutes[s.id])
        else:
            m.add(n >= s.min_staff)

    for p in first_line:
        sids = sorted(mine[p.id], key=lambda s: tl.start[s])
        # H2 pairwise
        for i, a in enumerate(sids):
            for b in sids[i + 1 :]:
                if tl.start[b] >= tl.end[a]:
                    break
                m.add_bool_or([x[p.id, a].Not(), x[p.id, b].Not()])
        # H6, target
        for wk in range(problem.weeks):
            worked = sum(x[p.id, s] * tl.minutes[s] for s in sids if tl.week[s] == wk)
            if p.max_hours_per_week is not None:
                m.add(worked <= math.floor(p.max_hours_per_week * 60))
            m.add(worked >= math.ceil(tl.owed_minutes(p, wk)))
            if p.target_hours_per_week is not None:
                dev = m.new_int_var(0, 7 * 24 * 60, f"dev_{p.id}_{wk}")
                m.add_abs_equality(dev, worked - round(p.target_hours_per_week * 60))
                terms["target"].append(dev)
        # H7, duty days, split duty (block starts per day)
        gap = rules.min_break_minutes * 60
        days: dict = defaultdict(list)
        for s in sids:
            days[tl.day[s]].append(s)
        for d, ds in days.items():
            m.add(
                sum(x[p.id, s] * tl.minutes[s] for s in ds) <= math.floor(p.max_hours_per_day * 60)
            )
            on = m.new_bool_var(f"day_{p.id}_{d}")
            for s in ds:
                m.add_implication(x[p.id, s], on)
            m.add(on <= sum(x[p.id, s] for s in ds))
            terms["duty_days"].append(on)
            for s in ds:
                before = [
                    x[p.id, t]
                    for t in ds
                    if tl.start[t] < tl.start[s] and tl.end[t] > tl.start[s] - gap
                ]
                starts = m.new_bool_var(f"bs_{p.id}_{s}")
                m.add(starts >= x[p.id, s] - sum(before))
                m.add_implication(starts, x[p.id, s])
                for b in before:
                    m.add_implication(starts, b.Not())
                terms["split_duty"].append(starts)
            terms["split_duty"].append(-on)
        # preference
        for s in sids:
            a, b = tl.start[s], tl.end[s]
            for q0, q1, wgt in tl.preferences[p.id]:
                overlap = (min(b, q1) - max(a, q0)) // 60
                if overlap > 0:
                    terms["preference"].append(x[p.id, s] * (overlap * wgt))

    # H8: no chain of back-to-back shifts longer than allowed
    if rules.max_consecutive_hours is not None:
        gap, longest = rules.min_break_minutes * 60, rules.max_consecutive_hours * 3600
        for p in first_line:
            sids = sorted(mine[p.id], key=lambda s: tl.start[s])
            nxt = {s: [t for t in sids if tl.end[s] <= tl.start[t] < tl.end[s] + gap] for s in sids}

            def grow(chain: tuple[str, ...], pid: str = p.id, nxt=nxt) -> None:
                if tl.end[chain[-1]] - tl.start[chain[0]] > longest:
                    m.add_bool_or([x[pid, s].Not() for s in chain])
                    return
                for t in nxt[chain[-1]]:
                    grow((*chain, t))

            for s in sids:
                grow((s,))

    # H9 pins
    for a in problem.pinned:
        if (a.staff, a.shift) not in x:
            return _result("INFEASIBLE", None, None, started, None, [], problem)
        m.add(x[a.staff, a.shift] == 1)

    # unsocial spread, change
    counts = [sum(x[p.id, s] for s in mine[p.id] if tl.unsocial[s]) + 0 for p in first_line]
    if counts:
        hi = m.new_int_var(0, len(problem.shifts), "unsocial_max")
        lo = m.new_int_var(0, len(problem.shifts), "unsocial_min")
        m.add_max_equality(hi, counts)
        m.add_min_equality(lo, counts)
        terms["unsocial_spread"].append(hi - lo)
    change_const = 0
    for a in problem.previous:
        if (a.staff, a.shift) in x:
            terms["change"].append(1 - x[a.staff, a.shift])
        else:
            change_const += 1

    m.minimize(sum(w[k] * sum(v) for k, v in terms.items()) + w["change"] * change_const)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    cb = _FirstSolution(started)
    status = STATUS[solver.solve(m, cb)]
    if status not in ("OPTIMAL", "FEASIBLE"):
        return _result(status, None, None, started, cb.first, [], problem)
    chosen = [(s, p) for (p, s), v in x.items() if solver.value(v)]
    return _result(
        status,
        round(solver.objective_value),
        round(solver.best_objective_bound),
        started,
        cb.first,
        chosen,
        problem,
    )


def _result(status, objective, bound, started, first, chosen, problem: Problem) -> dict:
    count: dict[str, int] = defaultdict(int)
    for s, _p in chosen:
        count[s] += 1
    uncovered = []
    if problem.rules.allow_understaffing:
        uncovered = [
            {"shift": s.id, "missing": s.min_staff - count[s.id]}
            for s in problem.shifts
            if count[s.id] < s.min_staff
        ]
    return {
        "status": status,
        "objective": objective,
        "bound": bound,
        "wall_time_s": round(time.perf_counter() - started, 3),
        "first_solution_s": None if first is None else round(first, 3),
        "assignments": [{"shift": s, "staff": p} for s, p in chosen],
        "uncovered": uncovered,
        "explanation": ["the baseline model is infeasible"] if status == "INFEASIBLE" else [],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("problem", type=Path)
    ap.add_argument("--time-limit", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("-o", "--output", type=Path)
    args = ap.parse_args(argv)
    sol = solve_baseline(
        load_problem(args.problem),
        time_limit=args.time_limit,
        workers=args.workers,
        seed=args.seed,
    )
    text = json.dumps(sol, indent=1)
    if args.output:
        args.output.write_text(text)
    else:
        print(text)
    return 0 if sol["status"] in ("OPTIMAL", "FEASIBLE") else 1


if __name__ == "__main__":
    sys.exit(main())
