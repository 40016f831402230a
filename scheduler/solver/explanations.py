"""Why no roster exists, in words a section leader can act on.

:func:`explain` is a fast analysis before (or instead of) a solve: it looks for reasons that
need no search — a shift nobody can take, shifts at the same time needing more people than
can take any of them (Hall's condition), a person who owes hours no set of shifts can give
within their limits, pins that break a rule, a day that needs more hours than staff can
give. Every reason is sound: when it reports one, no roster exists.

:func:`explain_infeasible` is for the rest: it builds a CP-SAT model of H1–H9 from the
engine's own rule modules (``formulation.HARD_RULES``), each rule handing out one
assumption literal per shift's headcount, per person-week minimum and per pin, asks
CP-SAT for a set of assumptions that cannot hold together, shrinks it, and says which
requirements clash.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from ortools.sat.python import cp_model

from scheduler.solver.check import Timeline, day_label, hours_text, timeline_for, week_label
from scheduler.solver.formulation import add_hard_rules
from scheduler.solver.index import build_index
from scheduler.solver.problem import Problem, Staff
from scheduler.solver.rules.context import build_context

MAX_REASONS = 40  # beyond this a list stops helping; the rest is counted


def _names(tl: Timeline, people: Iterable[str], most: int = 6) -> str:
    names = [tl.staff[p].name for p in people]
    if len(names) > most:
        return ", ".join(names[:most]) + f" and {len(names) - most} more"
    return ", ".join(names)


def _people(n: int) -> str:
    return "1 person" if n == 1 else f"{n} people"


class _Analysis:
    """Facts the pre-solve checks share: who could work which shift, and what fits whom."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.tl = tl = timeline_for(problem)
        rules = problem.rules
        self.hard_min = not rules.allow_understaffing
        consec = rules.max_consecutive_hours
        self.longest = None if consec is None else consec * 3600
        self.first_line = [p for p in problem.staff if p.first_line]
        self._best: dict[tuple[str, int], tuple[int, dict[date, set[int]]]] = {}
        # can[s] = people first line, skilled, available and whose limits a shift alone fits.
        self.can: dict[str, list[str]] = {s.id: [] for s in problem.shifts}
        self.by_person: dict[str, list[str]] = defaultdict(list)
        for p in self.first_line:
            mine = tl.eligible(p.id)
            for s in problem.shifts:
                if s.max_staff > 0 and s.id in mine and self.fits(p, s.id):
                    self.can[s.id].append(p.id)
                    self.by_person[p.id].append(s.id)

    def fits(self, p: Staff, sid: str) -> bool:
        m = self.tl.minutes[sid]
        if m > p.max_hours_per_day * 60:
            return False
        if p.max_hours_per_week is not None and m > p.max_hours_per_week * 60:
            return False
        return self.longest is None or (self.tl.end[sid] - self.tl.start[sid]) <= self.longest

    def day_sums(self, p: Staff, sids: list[str]) -> set[int]:
        """Minutes a person can work in one day from these shifts: non-overlapping, ≤ the cap."""
        tl = self.tl
        cap = math.floor(p.max_hours_per_day * 60)
        order = sorted(sids, key=lambda s: tl.end[s])
        ending: list[set[int]] = []
        sums = {0}
        for j, s in enumerate(order):
            m = tl.minutes[s]
            here = {m} if m <= cap else set()
            for i in range(j):
                if tl.end[order[i]] <= tl.start[s]:
                    here |= {x + m for x in ending[i] if x + m <= cap}
            ending.append(here)
            sums |= here
        return sums

    def week_best(self, p: Staff, week: int) -> tuple[int, dict[date, set[int]]]:
        """Most minutes the person can work in the week within day and week limits."""
        if (p.id, week) in self._best:
            return self._best[p.id, week]
        tl = self.tl
        days: dict[date, list[str]] = defaultdict(list)
        for s in self.by_person.get(p.id, ()):
            if tl.week[s] == week:
                days[tl.day[s]].append(s)
        per_day = {d: self.day_sums(p, sids) for d, sids in days.items()}
        cap = None if p.max_hours_per_week is None else math.floor(p.max_hours_per_week * 60)
        totals = {0}
        for sums in per_day.values():
            totals = {a + b for a in totals for b in sums if cap is None or a + b <= cap}
        self._best[p.id, week] = (max(totals), per_day)
        return self._best[p.id, week]


def _pin_reasons(a: _Analysis) -> list[str]:
    tl, problem = a.tl, a.problem
    out: list[str] = []
    mine: dict[str, list[str]] = defaultdict(list)
    per_shift: dict[str, int] = defaultdict(int)
    for pin in problem.pinned:
        if pin.shift not in tl.shifts or pin.staff not in tl.staff:
            out.append(f"A pin names an unknown shift or person ({pin.shift!r}, {pin.staff!r}).")
            continue
        p, label = tl.staff[pin.staff], tl.label[pin.shift]
        mine[p.id].append(pin.shift)
        per_shift[pin.shift] += 1
        if not p.first_line:
            out.append(f"{p.name} is pinned to {label} but is not first-line staff.")
        reason = tl.unavailable_reason(p.id, pin.shift)
        if reason is not None:
            why = f" ({reason})" if reason else ""
            out.append(f"{p.name} is pinned to {label} but is away then{why}.")
        missing = tl.missing_skills(p, tl.shifts[pin.shift])
        if missing:
            out.append(f"{p.name} is pinned to {label} but lacks {', '.join(missing)}.")
    for sid, n in per_shift.items():
        if n > tl.shifts[sid].max_staff:
            out.append(
                f"{tl.label[sid]} has {_people(n)} pinned to it but takes at most "
                f"{tl.shifts[sid].max_staff}."
            )
    rules = problem.rules
    for pid, sids in mine.items():
        p = tl.staff[pid]
        order = sorted(set(sids), key=lambda s: tl.start[s])
        for i, x in enumerate(order):
            for y in order[i + 1 :]:
                if tl.start[y] < tl.end[x]:
                    out.append(
                        f"{p.name} is pinned to both {tl.label[x]} and {tl.label[y]}, "
                        "which overlap."
                    )
        per_day: dict[date, int] = defaultdict(int)
        per_week: dict[int, int] = defaultdict(int)
        for s in order:
            per_day[tl.day[s]] += tl.minutes[s]
            per_week[tl.week[s]] += tl.minutes[s]
        for d, m in sorted(per_day.items()):
            if m > p.max_hours_per_day * 60:
                out.append(
                    f"{p.name} is pinned to {hours_text(m)} on {day_label(d)}, more than the "
                    f"{p.max_hours_per_day:g} h a day allowed."
                )
        for w, m in sorted(per_week.items()):
            if p.max_hours_per_week is not None and m > p.max_hours_per_week * 60:
                out.append(
                    f"{p.name} is pinned to {hours_text(m)} in {week_label(problem, w)}, more "
                    f"than the {p.max_hours_per_week:g} h a week allowed."
                )
        if a.longest is not None:
            for b0, b1, first in tl.duty_blocks(order):
                if b1 - b0 > a.longest:
                    out.append(
                        f"{p.name} is pinned to {hours_text((b1 - b0) // 60)} without a "
                        f"{rules.min_break_minutes}-minute break from {tl.label[first]} on, "
                        f"more than the {rules.max_consecutive_hours:g} h in a row allowed."
                    )
    return out


def _shift_reasons(a: _Analysis) -> tuple[list[str], set[str]]:
    """Shifts fewer people can take than they need, with why the others cannot."""
    tl, out, flagged = a.tl, [], set()
    if not a.hard_min:
        return out, flagged
    for s in a.problem.shifts:
        can = a.can[s.id]
        if len(can) >= s.min_staff:
            continue
        flagged.add(s.id)
        if can:
            verb = "is" if len(can) == 1 else "are"
            head = (
                f"{tl.label[s.id]} needs {_people(s.min_staff)}, but only {len(can)} first-line "
                f"{'person' if len(can) == 1 else 'people'} {verb} available and skilled "
                f"({_names(tl, can)})."
            )
        else:
            head = (
                f"{tl.label[s.id]} needs {_people(s.min_staff)}, but no first-line person is "
                "available and skilled."
            )
        away, unskilled, too_long = 0, defaultdict(int), 0
        for p in a.first_line:
            if p.id in can:
                continue
            missing = tl.missing_skills(p, s)
            if tl.unavailable_reason(p.id, s.id) is not None:
                away += 1
            elif missing:
                for k in missing:
                    unskilled[k] += 1
            else:
                too_long += 1
        parts = []
        if away:
            parts.append(f"{away} {'is' if away == 1 else 'are'} away")
        parts += [f"{n} lack {k}" for k, n in sorted(unskilled.items())]
        if too_long:
            parts.append(
                f"for {too_long} the shift alone is longer than their daily, weekly or "
                "in-a-row limit"
            )
        if parts:
            others = len(a.first_line) - len(can)
            scope = f"other {others}" if can else str(others)
            head += f" Of the {scope} first-line staff, " + ", ".join(parts) + "."
        out.append(head)
    return out, flagged


def _augment(sid, adj, owner, seen) -> bool:
    for p in adj[sid]:
        if p in seen:
            continue
        seen.add(p)
        if owner.get(p) is None or _augment(owner[p], adj, owner, seen):
            owner[p] = sid
            return True
    return False


def _slot_reasons(a: _Analysis, flagged: set[str]) -> list[str]:
    """Hall's condition at each moment: shifts running together need distinct people."""
    tl, out = a.tl, []
    if not a.hard_min:
        return out
    seen_sets: set[frozenset[str]] = set()
    shifts = [s for s in a.problem.shifts if s.min_staff > 0]
    for t in sorted({tl.start[s.id] for s in shifts}):
        active = [s for s in shifts if tl.start[s.id] <= t < tl.end[s.id]]
        if len(active) < 2:
            continue
        # One unit of demand per seat; a maximum matching of seats to people.
        seats = [(s.id, k) for s in active for k in range(s.min_staff)]
        adj = {seat: a.can[seat[0]] for seat in seats}
        owner: dict[str, tuple[str, int] | None] = {}
        unmatched = [seat for seat in seats if not _augment(seat, adj, owner, set())]
        if not unmatched:
            continue
        # Hall violator: seats reachable from an unmatched seat by alternating paths.
        reach_seats, reach_people, stack = set(unmatched), set(), list(unmatched)
        while stack:
            seat = stack.pop()
            for p in adj[seat]:
                if p not in reach_people:
                    reach_people.add(p)
                    o = owner.get(p)
                    if o is not None and o not in reach_seats:
                        reach_seats.add(o)
                        stack.append(o)
        group = frozenset(seat[0] for seat in reach_seats)
        if len(group) < 2 or group in seen_sets or group <= flagged:
            continue
        seen_sets.add(group)
        flagged |= group
        order = sorted(group, key=lambda s: (tl.start[s], tl.label[s]))
        need = sum(tl.shifts[s].min_staff for s in group)
        latest = max(tl.shifts[s].start for s in group)
        people = sorted(reach_people, key=lambda p: tl.staff[p].name)
        out.append(
            f"At {day_label(latest.date())} {latest:%H:%M}, "
            f"{len(group)} shifts run at the same time and need {_people(need)} together "
            f"({'; '.join(tl.label[s] for s in order)}), but only {len(people)} first-line "
            f"{'person' if len(people) == 1 else 'people'} can take any of them"
            + (f" ({_names(tl, people)})." if people else ".")
        )
    return out


def _person_reasons(a: _Analysis) -> list[str]:
    """People who owe hours in a week that no set of shifts gives within their limits."""
    tl, problem, out = a.tl, a.problem, []
    for p in a.first_line:
        for w in range(problem.weeks):
            need = tl.owed_minutes(p, w)
            if need <= 0:
                continue
            best, _ = a.week_best(p, w)
            if best >= need:
                continue
            limits = [f"{p.max_hours_per_day:g} h a day"]
            if p.max_hours_per_week is not None:
                limits.append(f"{p.max_hours_per_week:g} h a week")
            if a.longest is not None:
                limits.append(f"{problem.rules.max_consecutive_hours:g} h in a row")
            could = tl.eligible_minutes(p.id, w)
            out.append(
                f"{p.name} must work {hours_text(need)} in {week_label(problem, w)} "
                f"({hours_text(could)} of shifts are open to {p.name}), but the shifts "
                f"{p.name} can take add up to at most {hours_text(best)} within the limits of "
                f"{', '.join(limits)} and one place at a time."
            )
    return out


def _capacity_reasons(a: _Analysis, flagged: set[str]) -> list[str]:
    """Days and weeks whose shifts need more hours than first-line staff can give.

    Shifts already explained (``flagged``) are left out of the demand, so a reason found here
    is a new one and still sound."""
    tl, problem, out = a.tl, a.problem, []
    if not a.hard_min:
        return out
    demand_day: dict[date, int] = defaultdict(int)
    demand_week: dict[int, int] = defaultdict(int)
    for s in problem.shifts:  # shifts already explained are left out, so reasons don't repeat
        if s.id not in flagged:
            demand_day[tl.day[s.id]] += s.min_staff * tl.minutes[s.id]
            demand_week[tl.week[s.id]] += s.min_staff * tl.minutes[s.id]
    give_day: dict[date, int] = defaultdict(int)
    give_week: dict[int, int] = defaultdict(int)
    for p in a.first_line:
        for w in range(problem.weeks):
            best, per_day = a.week_best(p, w)
            give_week[w] += best
            for d, sums in per_day.items():
                give_day[d] += max(sums)
    for d in sorted(demand_day):
        if demand_day[d] > give_day[d]:
            out.append(
                f"On {day_label(d)} the shifts need {hours_text(demand_day[d])} of work in "
                f"total, but first-line staff can give at most {hours_text(give_day[d])} that "
                "day within their limits."
            )
    for w in sorted(demand_week):
        if demand_week[w] > give_week[w]:
            out.append(
                f"In {week_label(problem, w)} the shifts need {hours_text(demand_week[w])} of "
                f"work in total, but first-line staff can give at most "
                f"{hours_text(give_week[w])} within their limits."
            )
    return out


def _capped(reasons: list[str]) -> list[str]:
    unique = list(dict.fromkeys(reasons))
    if len(unique) > MAX_REASONS:
        rest = len(unique) - MAX_REASONS
        return [*unique[:MAX_REASONS], f"… and {rest} more reasons of the same kinds."]
    return unique


def explain(problem: Problem) -> list[str]:
    """Reasons, found without search, that no roster can exist; [] when none is found."""
    a = _Analysis(problem)
    out = _pin_reasons(a)
    shift_out, flagged = _shift_reasons(a)
    out += shift_out
    out += _slot_reasons(a, flagged)
    out += _person_reasons(a)
    out += _capacity_reasons(a, flagged)
    return _capped(out)


# --- With CP-SAT: an infeasible core over assumption literals ---------------------------------


class _CoreModel:
    """H1-H9 as CP-SAT constraints (the engine's own rule modules); headcounts, weekly
    minimums and pins behind assumption literals."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.tl = timeline_for(problem)
        self.idx = idx = build_index(problem)
        self.what: dict[int, str] = {}  # assumption literal index -> sentence
        self.assumptions: list[cp_model.IntVar] = []
        ctx = build_context(idx, guard=self._guard)
        self.model = ctx.model
        add_hard_rules(ctx)

    def _guard(self, rule: str, subject: tuple) -> cp_model.IntVar:
        return self._assume(self._sentence(rule, subject))

    def _sentence(self, rule: str, subject: tuple) -> str:
        tl, problem, idx = self.tl, self.problem, self.idx
        if rule == "H1":
            sh = problem.shifts[subject[0]]
            return f"{tl.label[sh.id]} needs {_people(sh.min_staff)}."
        if rule == "H9":
            p, s = subject
            return f"{problem.staff[p].name} is pinned to {tl.label[problem.shifts[s].id]}."
        if rule == "H6":
            p, w = subject
            person = problem.staff[p]
            need = idx.owed[(p, w)]
            open_ = sorted(
                (s for s in idx.eligible[p] if idx.shifts[s].week == w),
                key=lambda s: idx.shifts[s].start,
            )
            listed = "; ".join(tl.label[problem.shifts[s].id] for s in open_[:4])
            if len(open_) > 4:
                listed += f" and {len(open_) - 4} more"
            return (
                f"{person.name} must work at least {hours_text(need)} in "
                f"{week_label(problem, w)}; the shifts open to {person.name} that week "
                f"are {listed}."
            )
        raise ValueError(f"rule: no assumption for {rule}")

    def _assume(self, sentence: str) -> cp_model.IntVar:
        lit = self.model.new_bool_var(sentence[:40])
        self.what[lit.Index()] = sentence
        self.assumptions.append(lit)
        return lit

    def core(self, time_limit: float) -> list[str] | None:
        """Sentences of a small set of requirements that cannot hold together; None if feasible
        or undecided."""
        deadline = time.monotonic() + time_limit
        keep = list(self.assumptions)
        status, found = self._solve(keep, max(1.0, time_limit / 2))
        if status != cp_model.INFEASIBLE:
            return None
        keep = [lit for lit in keep if lit.Index() in found] or keep
        # Shrink: drop each requirement whose removal keeps the rest infeasible.
        i = 0
        while i < len(keep) and time.monotonic() < deadline:
            trial = keep[:i] + keep[i + 1 :]
            left = deadline - time.monotonic()
            status, found = self._solve(trial, max(0.2, min(2.0, left)))
            if status == cp_model.INFEASIBLE:
                keep = [lit for lit in trial if lit.Index() in found] or trial
            else:
                i += 1
        return [self.what[lit.Index()] for lit in keep]

    def _solve(self, assumptions: list, limit: float) -> tuple[int, set[int]]:
        self.model.clear_assumptions()
        self.model.add_assumptions(assumptions)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1  # cores need the single-worker search
        solver.parameters.cp_model_presolve = False  # presolve can report foreign literals
        solver.parameters.max_time_in_seconds = limit
        status = solver.solve(self.model)
        found = set()
        if status == cp_model.INFEASIBLE:
            found = {abs(i) for i in solver.sufficient_assumptions_for_infeasibility()}
        return status, found


def explain_infeasible(problem: Problem, *, time_limit: float = 10) -> list[str]:
    """Why the full model has no solution: explain()'s reasons, else an infeasible core."""
    reasons = explain(problem)
    if reasons:
        return reasons
    core = _CoreModel(problem).core(time_limit)
    if not core:
        return []
    return [
        "No roster meets all of the following together with the rules on one place at a time, "
        "availability, skills, daily hours and breaks; relaxing any one of them may help:",
        *core,
    ]
