"""What every rule and objective term works on: the model, its variables and its scope.

One :class:`Context` is built per CP-SAT model — the whole roster, a few weeks of it,
one person's week for pricing, or the explanation core — and every rule module adds its
constraints to it (``add_h1_headcount(ctx)`` ...) and every term module reads it
(``target(ctx) -> Term``). Facts several rules share (a person's shifts by day, a duty
day's literal, the block-start literals) are built once here, on first use.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from scheduler.solver.index import Index

Guard = Callable[[str, tuple], Any]  # (rule, subject) -> assumption literal or None


def no_guard(rule: str, subject: tuple) -> None:
    """Rules hold unconditionally (the explanation core hands out literals instead)."""


@dataclass(frozen=True)
class Term:
    """One objective term: its name (as in ROSTER-FORMAT.md), weight, and the unweighted
    count as a linear expression (constants included), tied exactly to the roster."""

    name: str
    weight: int
    expr: Any  # cp_model.LinearExprT

    def value(self, solver: cp_model.CpSolver) -> int:
        """The unweighted count in the solver's solution."""
        return int(solver.value(self.expr))


@dataclass
class RosterVars:
    """One Boolean per (person, shift) pair the person may hold at all.

    Pairs exist only for first-line staff with the shift's skills and no absence over it,
    so H3, H4 and H5 hold by construction (see ``h3_availability`` ... ``h5_first_line``).
    """

    x: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    by_person: dict[int, list[int]] = field(default_factory=dict)  # sorted by start
    by_shift: dict[int, list[cp_model.IntVar]] = field(default_factory=lambda: defaultdict(list))

    def is_assigned(self, p: int, s: int) -> cp_model.IntVar | None:
        return self.x.get((p, s))

    def extract(self, solver: cp_model.CpSolver) -> frozenset[tuple[int, int]]:
        return frozenset(k for k, v in self.x.items() if solver.boolean_value(v))


@dataclass
class Context:
    """A model under construction and the part of the roster it covers."""

    idx: Index
    model: cp_model.CpModel
    vars: RosterVars
    weeks: frozenset[int]
    shifts: list[int]  # the shifts of those weeks, in week order
    persons: list[int]  # first-line people with variables here
    cover: bool = True  # H1 applies (not in a one-person pricing model)
    whole_staff: bool = True  # every person is in scope (constants for the rest count)
    spread: bool = True  # the unsocial spread is in the objective
    unsocial_offset: dict[int, int] = field(default_factory=dict)
    guard: Guard = no_guard
    shortfall: dict[int, cp_model.IntVar] = field(default_factory=dict)  # H1 with understaffing
    deviation: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)  # target
    impossible_pins: list[tuple[int, int]] = field(default_factory=list)
    _days: dict[int, dict[int, list[int]]] = field(default_factory=dict)
    _weeks: dict[int, dict[int, list[int]]] = field(default_factory=dict)
    _duty: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    _starts: dict[tuple[int, int], list] = field(default_factory=dict)

    @property
    def rules(self) -> Any:
        return self.idx.problem.rules

    def x(self, p: int, s: int) -> cp_model.IntVar:
        return self.vars.x[(p, s)]

    def per_day(self, p: int) -> dict[int, list[int]]:
        """The person's shifts by local day (of their start), each list by start."""
        if p not in self._days:
            out: dict[int, list[int]] = defaultdict(list)
            for s in self.vars.by_person.get(p, ()):
                out[self.idx.shifts[s].day].append(s)
            self._days[p] = dict(out)
        return self._days[p]

    def per_week(self, p: int) -> dict[int, list[int]]:
        if p not in self._weeks:
            out: dict[int, list[int]] = defaultdict(list)
            for s in self.vars.by_person.get(p, ()):
                out[self.idx.shifts[s].week].append(s)
            self._weeks[p] = dict(out)
        return self._weeks[p]

    def minutes(self, p: int, shifts: Iterable[int]) -> cp_model.LinearExprT:
        info = self.idx.shifts
        return sum(info[s].minutes * self.x(p, s) for s in shifts)

    def duty(self, p: int, d: int) -> cp_model.IntVar:
        """1 exactly when the person works any shift on day ``d``."""
        key = (p, d)
        if key not in self._duty:
            lit = self.model.new_bool_var(f"duty(p={p},d={d})")
            self.model.add_max_equality(lit, [self.x(p, s) for s in self.per_day(p)[d]])
            self._duty[key] = lit
        return self._duty[key]

    def block_starts(self, p: int, d: int) -> list:
        """One literal per shift of the day, 1 exactly when that shift starts a duty block
        (held, and no held shift of the day ends less than a break before it)."""
        key = (p, d)
        if key in self._starts:
            return self._starts[key]
        info = self.idx.shifts
        brk = self.rules.min_break_minutes
        ds = self.per_day(p)[d]
        m = self.model
        starts = []
        for s in ds:
            preds = [q for q in ds if q != s and 0 <= info[s].start - info[q].end < brk]
            if not preds:
                starts.append(self.x(p, s))
                continue
            bs = m.new_bool_var(f"block_start(p={p},s={s})")
            m.add_implication(bs, self.x(p, s))
            for q in preds:
                m.add_implication(bs, ~self.x(p, q))
            m.add(bs >= self.x(p, s) - sum(self.x(p, q) for q in preds))
            starts.append(bs)
        self._starts[key] = starts
        return starts


def build_context(
    idx: Index,
    *,
    weeks: Iterable[int] | None = None,
    persons: Iterable[int] | None = None,
    fixed: set[tuple[int, int]] | None = None,
    fixed_weeks: Iterable[int] = (),
    **options: Any,
) -> Context:
    """A fresh model with variables for ``persons`` (default: all first-line staff) over
    ``weeks`` (default: the whole period); shifts of ``fixed_weeks`` are fixed to the
    pairs in ``fixed``. ``options`` set the Context's flags."""
    problem = idx.problem
    present_weeks = frozenset(range(problem.weeks) if weeks is None else weeks)
    frozen = set(fixed_weeks)
    fixed = fixed or set()
    shifts = [s for w in sorted(present_weeks) for s in idx.shifts_by_week[w]]
    present = set(shifts)
    people = list(idx.first_line if persons is None else persons)
    m = cp_model.CpModel()
    rv = RosterVars()
    for p in people:
        mine = sorted(
            (s for s in idx.eligible[p] if s in present),
            key=lambda s: (idx.shifts[s].start, idx.shifts[s].end),
        )
        rv.by_person[p] = mine
        for s in mine:
            v = m.new_bool_var(f"x(p={p},s={s})")
            rv.x[(p, s)] = v
            rv.by_shift[s].append(v)
            if idx.shifts[s].week in frozen:
                m.add(v == int((p, s) in fixed))
    return Context(idx, m, rv, present_weeks, shifts, people, **options)
