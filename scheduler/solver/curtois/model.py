"""CP-SAT model of the Curtois-Qu rules, over the whole roster or a part of it.

Every rule of README section 3 is modelled exactly, with the README's boundary rules:
rotation and maximum runs look only inside the horizon (outside counts as off), and the two
minimum-run rules apply only to runs that have a neighbour on both sides inside the horizon.
The run rules use the forbidden-pattern clauses (``off, work^L, off`` with ``L < min``) and
sliding-window sums, which propagate as well as an automaton here and stay small.

The same builder serves the full model and the large-neighbourhood search: a cell
``(employee, day)`` is either *free* (decision variables) or *fixed* to the incumbent
roster's value, and fixed cells enter every constraint and the objective as constants.
Employees without a free cell are left out altogether (their rows are already feasible), so a
neighbourhood's model is as small as the neighbourhood. ``offset`` is the objective part that
no free cell can change, so ``offset + objective`` is always the full benchmark penalty.

A roster here is a list (employee in ``SECTION_STAFF`` order) of lists (day) of shift
indexes, ``-1`` meaning a day off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.solver.curtois.instance import Instance

OFF = -1
Grid = list[list[int]]
Lit = cp_model.IntVar | bool  # a literal, or a constant truth value


@dataclass
class Tables:
    """Index-based views of an instance, computed once and shared by every model build."""

    instance: Instance
    horizon: int
    n_staff: int
    n_shifts: int
    minutes: list[int]
    allowed: list[list[int]]  # per employee: shift indexes with MaxShifts > 0
    max_shifts: list[list[int]]
    day_off: list[set[int]]
    forbidden: list[tuple[int, int]]
    successors_of: list[list[int]]  # per shift: the shifts forbidden the next day
    on_req: dict[tuple[int, int], list[tuple[int, int]]]  # (e, d) -> [(t, weight)]
    off_req: dict[tuple[int, int], list[tuple[int, int]]]
    cover: dict[tuple[int, int], tuple[int, int, int]]  # (d, t) -> (req, under w, over w)

    @classmethod
    def of(cls, instance: Instance) -> Tables:
        shift_index = {s.id: i for i, s in enumerate(instance.shifts)}
        emp_index = {e.id: i for i, e in enumerate(instance.staff)}
        on_req: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for r in instance.on_requests:
            on_req.setdefault((emp_index[r.employee], r.day), []).append(
                (shift_index[r.shift], r.weight)
            )
        off_req: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for r in instance.off_requests:
            off_req.setdefault((emp_index[r.employee], r.day), []).append(
                (shift_index[r.shift], r.weight)
            )
        max_shifts = [[e.max_shifts.get(s.id, 0) for s in instance.shifts] for e in instance.staff]
        return cls(
            instance=instance,
            horizon=instance.horizon,
            n_staff=len(instance.staff),
            n_shifts=len(instance.shifts),
            minutes=[s.minutes for s in instance.shifts],
            allowed=[[t for t, m in enumerate(row) if m > 0] for row in max_shifts],
            max_shifts=max_shifts,
            day_off=[set(e.days_off) for e in instance.staff],
            forbidden=sorted(
                (shift_index[a], shift_index[b]) for a, b in instance.forbidden_sequences
            ),
            successors_of=[
                [shift_index[u] for u in s.forbidden_successors] for s in instance.shifts
            ],
            on_req=on_req,
            off_req=off_req,
            cover={
                (c.day, shift_index[c.shift]): (c.requirement, c.under_weight, c.over_weight)
                for c in instance.cover
            },
        )

    def empty_grid(self) -> Grid:
        return [[OFF] * self.horizon for _ in range(self.n_staff)]

    def grid_to_roster(self, grid: Grid) -> dict[str, list[str]]:
        ids = self.instance.shift_ids
        return {
            e.id: ["" if t == OFF else ids[t] for t in grid[i]]
            for i, e in enumerate(self.instance.staff)
        }

    def penalty(self, grid: Grid) -> int:
        """The objective of ``grid`` (soft terms only; hard rules are the model's business)."""
        total = 0
        for (e, d), reqs in self.on_req.items():
            total += sum(w for t, w in reqs if grid[e][d] != t)
        for (e, d), reqs in self.off_req.items():
            total += sum(w for t, w in reqs if grid[e][d] == t)
        counts: dict[tuple[int, int], int] = {}
        for row in grid:
            for d, t in enumerate(row):
                if t != OFF:
                    counts[d, t] = counts.get((d, t), 0) + 1
        for key, (req, wu, wo) in self.cover.items():
            n = counts.get(key, 0)
            total += wu * max(0, req - n) + wo * max(0, n - req)
        return total


@dataclass
class Built:
    """A built (sub)model with handles to read a solution back into a grid."""

    model: cp_model.CpModel
    x: dict[tuple[int, int, int], cp_model.IntVar] = field(default_factory=dict)
    free: dict[int, list[int]] = field(default_factory=dict)
    offset: int = 0

    def read(self, solver: cp_model.CpSolver, grid: Grid) -> Grid:
        """``grid`` with the free cells replaced by the solver's values (a new grid)."""
        new = [row[:] for row in grid]
        for e, days in self.free.items():
            for d in days:
                new[e][d] = OFF
        for (e, d, t), var in self.x.items():
            if solver.BooleanValue(var):
                new[e][d] = t
        return new


class _Builder:
    def __init__(self, tables: Tables, grid: Grid, free: Mapping[int, Sequence[int]]):
        self.tb = tables
        self.grid = grid
        self.m = cp_model.CpModel()
        self.built = Built(self.m)
        self.built.free = {e: sorted(set(days)) for e, days in free.items() if days}
        self.hint = True
        self.objective = True

    # -- literals ---------------------------------------------------------------------

    def clause(self, lits: Sequence[Lit]) -> None:
        """Add ``OR(lits)``; constants are folded (a True constant drops the clause)."""
        out = []
        for lit in lits:
            if lit is True:
                return
            if lit is False:
                continue
            out.append(lit)
        if not out:
            # Only reachable when the fixed part already breaks the rule.
            self.m.AddBoolOr([])
            return
        self.m.AddBoolOr(out)

    @staticmethod
    def neg(lit: Lit) -> Lit:
        if isinstance(lit, bool):
            return not lit
        return lit.Not()

    # -- build ------------------------------------------------------------------------

    def build(self) -> Built:
        tb = self.tb
        n_days = tb.horizon
        cover_terms: dict[tuple[int, int], list[cp_model.IntVar]] = {}
        fixed_count: dict[tuple[int, int], int] = {}
        free_cells: set[tuple[int, int]] = set()
        for e, days in self.built.free.items():
            for d in days:
                free_cells.add((e, d))
        for e in range(tb.n_staff):
            free_days = set(self.built.free.get(e, ()))
            for d in range(n_days):
                if d not in free_days and self.grid[e][d] != OFF:
                    key = (d, self.grid[e][d])
                    fixed_count[key] = fixed_count.get(key, 0) + 1
        grid_count: dict[tuple[int, int], int] = {}
        for row in self.grid:
            for d, t in enumerate(row):
                if t != OFF:
                    grid_count[d, t] = grid_count.get((d, t), 0) + 1
        obj: list[tuple[int, cp_model.IntVar]] = []
        offset = 0
        for e, days in self.built.free.items():
            obj_e, off_e = self.employee(e, set(days), cover_terms)
            obj.extend(obj_e)
            offset += off_e
        # Requests of fixed cells are constants.
        for (e, d), reqs in tb.on_req.items():
            if (e, d) not in free_cells:
                offset += sum(w for t, w in reqs if self.grid[e][d] != t)
        for (e, d), reqs in tb.off_req.items():
            if (e, d) not in free_cells:
                offset += sum(w for t, w in reqs if self.grid[e][d] == t)
        if not self.objective:
            return self.built
        # Cover.
        for key, (req, wu, wo) in tb.cover.items():
            fixed = fixed_count.get(key, 0)
            terms = cover_terms.get(key)
            if not terms:
                offset += wu * max(0, req - fixed) + wo * max(0, fixed - req)
                continue
            lo_n, hi_n = fixed, fixed + len(terms)
            under_ub = max(0, req - lo_n)
            over_ub = max(0, hi_n - req)
            under = self.m.NewIntVar(0, under_ub, "")
            over = self.m.NewIntVar(0, over_ub, "")
            self.m.Add(fixed + sum(terms) - req == over - under)
            if self.hint:
                n = grid_count.get(key, 0)
                self.m.AddHint(under, max(0, req - n))
                self.m.AddHint(over, max(0, n - req))
            if under_ub:
                obj.append((wu, under))
            if over_ub:
                obj.append((wo, over))
        self.m.Minimize(sum(c * v for c, v in obj))
        self.built.offset = offset
        return self.built

    def employee(
        self,
        e: int,
        free_days: set[int],
        cover_terms: dict[tuple[int, int], list[cp_model.IntVar]],
    ) -> tuple[list[tuple[int, cp_model.IntVar]], int]:
        tb, m, grid = self.tb, self.m, self.grid
        n_days = tb.horizon
        emp = tb.instance.staff[e]
        row = grid[e]
        x_e: list[dict[int, Lit]] = []  # per day: shift -> literal (only possible shifts)
        work: list[Lit] = []
        obj: list[tuple[int, cp_model.IntVar]] = []
        offset = 0
        for d in range(n_days):
            if d not in free_days:
                t0 = row[d]
                x_e.append({} if t0 == OFF else {t0: True})
                work.append(t0 != OFF)
                continue
            cell: dict[int, Lit] = {}
            if d not in tb.day_off[e]:
                for t in tb.allowed[e]:
                    var = m.NewBoolVar("")
                    cell[t] = var
                    self.built.x[e, d, t] = var
                    cover_terms.setdefault((d, t), []).append(var)
                    if self.hint:
                        m.AddHint(var, row[d] == t)
            x_e.append(cell)
            if not cell:
                work.append(False)
            elif len(cell) == 1:
                work.append(next(iter(cell.values())))
            else:
                w = m.NewBoolVar("")
                m.Add(sum(cell.values()) == w)  # type: ignore[arg-type]
                if self.hint:
                    m.AddHint(w, row[d] != OFF)
                work.append(w)
            for t, wgt in tb.on_req.get((e, d), ()):
                lit = cell.get(t)
                offset += wgt
                if lit is not None:
                    obj.append((-wgt, lit))  # type: ignore[arg-type]
            for t, wgt in tb.off_req.get((e, d), ()):
                lit = cell.get(t)
                if lit is not None:
                    obj.append((wgt, lit))  # type: ignore[arg-type]

        def touches(lo: int, hi: int) -> bool:
            return any(d in free_days for d in range(max(lo, 0), min(hi, n_days - 1) + 1))

        # 2. Rotation, as cliques: x[d, t] + sum of its forbidden successors on d+1 <= 1.
        for d in range(n_days - 1):
            if d not in free_days and d + 1 not in free_days:
                continue
            for t, lit in x_e[d].items():
                succ = [x_e[d + 1][u] for u in tb.successors_of[t] if u in x_e[d + 1]]
                if not succ:
                    continue
                if lit is True:
                    for s in succ:
                        self.clause([self.neg(s)])
                elif all(not isinstance(s, bool) for s in succ):
                    m.AddAtMostOne([lit, *succ])
                else:  # lit is a variable and a fixed successor shift is worked
                    self.clause([self.neg(lit)])
        # 3. Max shifts per type / 4. minutes.
        for t in tb.allowed[e]:
            lits = [x_e[d][t] for d in range(n_days) if t in x_e[d]]
            if len(lits) > tb.max_shifts[e][t]:
                m.Add(sum(lits) <= tb.max_shifts[e][t])  # type: ignore[arg-type]
        mins = [tb.minutes[t] * lit for d in range(n_days) for t, lit in x_e[d].items()]
        m.AddLinearConstraint(sum(mins), emp.min_total_minutes, emp.max_total_minutes)  # type: ignore[arg-type]
        # 5. Max consecutive shifts: every window of cmax+1 days has a day off.
        cmax = emp.max_consecutive_shifts
        if cmax < n_days:
            for d in range(n_days - cmax):
                if touches(d, d + cmax):
                    window = work[d : d + cmax + 1]
                    self.clause([self.neg(w) for w in window])
        # 6. Min consecutive shifts: forbid off, work^L, off with both offs inside.
        kmin = emp.min_consecutive_shifts
        for length in range(1, kmin):
            for d in range(1, n_days - length):
                if touches(d - 1, d + length):
                    self.clause(
                        [
                            work[d - 1],
                            *(self.neg(w) for w in work[d : d + length]),
                            work[d + length],
                        ]
                    )
        # 7. Min consecutive days off: forbid work, off^L, work.
        omin = emp.min_consecutive_days_off
        for length in range(1, omin):
            for d in range(1, n_days - length):
                if touches(d - 1, d + length):
                    self.clause(
                        [self.neg(work[d - 1]), *work[d : d + length], self.neg(work[d + length])]
                    )
        # 8. Weekends.
        wk_lits: list[Lit] = []
        for sat, sun in tb.instance.weekends:
            a, b = work[sat], work[sun]
            if isinstance(a, bool) and isinstance(b, bool):
                wk_lits.append(a or b)
            elif a is True or b is True:
                wk_lits.append(True)
            elif a is False:
                wk_lits.append(b)
            elif b is False:
                wk_lits.append(a)
            else:
                v = m.NewBoolVar("")
                m.AddBoolOr([a.Not(), v])  # type: ignore[union-attr]
                m.AddBoolOr([b.Not(), v])  # type: ignore[union-attr]
                m.AddBoolOr([a, b, v.Not()])  # type: ignore[list-item]
                if self.hint:
                    m.AddHint(v, row[sat] != OFF or row[sun] != OFF)
                wk_lits.append(v)
        fixed_wk = sum(1 for w in wk_lits if w is True)
        var_wk = [w for w in wk_lits if not isinstance(w, bool)]
        if fixed_wk + len(var_wk) > emp.max_weekends:
            m.Add(sum(var_wk) <= emp.max_weekends - fixed_wk)  # type: ignore[arg-type]
        return obj, offset


def build(
    tables: Tables,
    grid: Grid,
    free: Mapping[int, Sequence[int]],
    *,
    hint: bool = True,
    objective: bool = True,
) -> Built:
    """Model the cells in ``free`` (employee -> days) with the rest fixed to ``grid``.

    With ``hint`` the incumbent ``grid`` is given as the solution hint. Without
    ``objective`` only the rules are modelled (the caller sets its own objective on ``x``).
    A full model is ``build(tables, grid, {e: range(horizon) for every e})``.
    """
    builder = _Builder(tables, grid, free)
    builder.hint = hint
    builder.objective = objective
    return builder.build()


def full_free(tables: Tables) -> dict[int, list[int]]:
    return {e: list(range(tables.horizon)) for e in range(tables.n_staff)}
