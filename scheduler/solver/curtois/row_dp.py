"""One employee's cheapest row by dynamic programming over the days (a labelling algorithm).

Why: column generation prices every employee's row many times, and local search re-optimises
one row against the others; the employee's CP-SAT row model takes 0.1-1 s a row, a DP over
the days a few milliseconds. Almost every hard rule is a property of the day sequence, so it
lives in the DP state: the last shift's rotation class (rule 2), the length of the current
working run (rules 5 and 6, with a flag for a run that started on day 0, which is exempt
from the minimum) and of the current off run (rule 7, with a state for the off run since
day 0, also exempt); fixed days off (rule 9) and shift types the employee may not work are
blocked cells. Total minutes (rule 4) is a resource: a second DP axis in units of the
greatest common divisor of the shift lengths, checked against the window at the end.

The two counting rules that remain, shifts per type (rule 3) and worked weekends (rule 8),
are priced instead (Lagrangian relaxation): :meth:`RowDP.run` adds a price per worked
weekend and the caller adds a price per shift of a type to the costs;
:func:`cheapest_row` raises those prices until the row keeps the caps. Every price gives a
valid lower bound on the true cheapest row (the relaxed optimum minus the prices times the
caps), so a bound built on it stays proven even when the loop ends without a match.

A row is a list of shift indexes per day, ``OFF`` (-1) for a day off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scheduler.solver.curtois.model import OFF, Tables

INF = math.inf
_TOL = 1e-7


@dataclass(frozen=True)
class PricedRow:
    """The result of :func:`cheapest_row`.

    ``row`` is the cheapest row found that keeps every rule (None when none was found),
    ``value`` its cost, ``bound`` a proven lower bound on the cost of every feasible row
    (``inf`` when the employee has no feasible row at all), ``others`` further feasible
    rows met on the way (with their costs), cheapest first.
    """

    row: list[int] | None
    value: float
    bound: float
    others: tuple[tuple[float, tuple[int, ...]], ...] = ()

    @property
    def exact(self) -> bool:
        return self.row is not None and self.value - self.bound <= 1e-6 * max(1.0, abs(self.value))


Slices = tuple[slice, ...]


class RowDP:
    """The DP of one employee, set up once and run under many cost matrices.

    The resources counted exactly are DP axes after the run state: worked weekends (when
    the cap can bind and is below ``max_weekend_axis``), shifts of some capped types (the
    tightest caps first while the state stays below ``state_budget`` cells a day) and
    total minutes (with ``exact_minutes``). What is not counted is priced by the caller
    (:func:`cheapest_row`): ``run`` takes a price per weekend, and prices per shift type
    or per minute go into the costs.
    """

    def __init__(
        self,
        tables: Tables,
        e: int,
        *,
        exact_minutes: bool = True,
        exact_weekends: bool = True,
        max_weekend_axis: int = 8,
        state_budget: int = 40_000,
    ) -> None:
        self.tb = tables
        self.e = e
        emp = tables.instance.staff[e]
        horizon = tables.horizon
        self.horizon = horizon
        self.allowed = [t for t in tables.allowed[e] if emp.max_consecutive_shifts > 0]
        allowed_set = set(self.allowed)
        # blocked[d, t]: t cannot be worked on day d (type not allowed, or a fixed day off).
        blocked = np.ones((horizon, tables.n_shifts), dtype=bool)
        for t in self.allowed:
            blocked[:, t] = False
        for d in tables.day_off[e]:
            blocked[d, :] = True
        self.blocked = blocked
        # Rotation classes: shifts with the same forbidden successors (among the allowed).
        succ = {
            t: frozenset(u for u in tables.successors_of[t] if u in allowed_set)
            for t in self.allowed
        }
        keys = sorted({succ[t] for t in self.allowed}, key=sorted)
        self.n_classes = max(1, len(keys))
        self.cls = {t: keys.index(succ[t]) for t in self.allowed}
        # For each shift, the classes a run may continue from (rotation allows it).
        groups: dict[tuple[int, ...], list[int]] = {}
        for t in self.allowed:
            pred = tuple(c for c, key in enumerate(keys) if t not in key)
            groups.setdefault(pred, []).append(t)
        self.groups = [(list(p), ts) for p, ts in groups.items()]
        self.pred = {t: p for p, ts in self.groups for t in ts}
        self.cmax = min(emp.max_consecutive_shifts, horizon)
        self.k_end = max(1, emp.min_consecutive_shifts) - 1  # run index that may end
        self.n_off = max(1, emp.min_consecutive_days_off)
        self.min_minutes = emp.min_total_minutes
        self.max_minutes = emp.max_total_minutes
        self.max_shifts = tables.max_shifts[e]
        self.max_weekends = emp.max_weekends
        # -- resource axes: weekends, counted shift types, minutes ------------------------
        run_cells = self.n_classes * max(1, self.cmax)
        axes: list[int] = []
        binds = emp.max_weekends < horizon // 7
        self.exact_weekends = binds and exact_weekends and emp.max_weekends < max_weekend_axis
        self.weekend_priced = binds and not self.exact_weekends
        if self.exact_weekends:
            axes.append(emp.max_weekends + 1)
        self.exact_minutes = exact_minutes
        if exact_minutes:
            lengths = [tables.minutes[t] for t in self.allowed] or [1]
            self.unit = math.gcd(*lengths)
            self.units = {t: tables.minutes[t] // self.unit for t in self.allowed}
            n_units = emp.max_total_minutes // self.unit + 1
            self.min_units = -(-emp.min_total_minutes // self.unit)
        else:
            self.unit = 1
            self.units = dict.fromkeys(self.allowed, 0)
            n_units = 1
            self.min_units = 0
        # A cap binds when the type could be worked more often than the cap allows.
        shortest = min((tables.minutes[t] for t in self.allowed), default=1)
        most = min(horizon - len(tables.day_off[e]), emp.max_total_minutes // shortest)
        tight = sorted((self.max_shifts[t], t) for t in self.allowed if self.max_shifts[t] < most)
        self.counted: list[int] = []
        size = run_cells * math.prod(axes) * n_units
        for cap, t in tight:
            if size * (cap + 1) > state_budget:
                break
            size *= cap + 1
            self.counted.append(t)
            axes.append(cap + 1)
        axes.append(n_units)
        self.axes = tuple(axes)
        self.priced_types = [t for _, t in tight if t not in self.counted]
        self._slices = {
            (t, kind): self._make_slices(t, kind) for t in self.allowed for kind in range(3)
        }

    def _increments(self, t: int, kind: int, start: bool) -> tuple[int, ...]:
        """Resource steps of working ``t`` on a day of ``kind`` (0 weekday, 1 Sat, 2 Sun)."""
        inc: list[int] = []
        if self.exact_weekends:
            inc.append(1 if (kind == 1 or (kind == 2 and start)) else 0)
        inc.extend(1 if t == u else 0 for u in self.counted)
        inc.append(self.units[t])
        return tuple(inc)

    def _make_slices(self, t: int, kind: int) -> tuple[Slices | None, ...]:
        """(target, source) slices for starting a run with ``t`` and for continuing one."""
        out: list[Slices | None] = []
        for start in (True, False):
            inc = self._increments(t, kind, start)
            if any(i >= n for i, n in zip(inc, self.axes, strict=True)):
                out.extend([None, None])
                continue
            out.append(tuple(slice(i, None) for i in inc))
            out.append(tuple(slice(0, n - i) for i, n in zip(inc, self.axes, strict=True)))
        return tuple(out)

    # -- the DP ---------------------------------------------------------------------------

    def run(
        self, cost: np.ndarray, weekend_price: float = 0.0, off_cost: np.ndarray | None = None
    ) -> tuple[float, list[int]] | None:
        """The cheapest row under ``cost`` (days x shifts), plus ``weekend_price`` a weekend
        when weekends are priced rather than counted.

        Keeps every rule except the caps that are priced (and the weekend cap or the
        minutes window when those are priced); ``off_cost[d]`` (default 0) is the cost of a
        day off on day ``d`` (``inf`` forbids it). None when no row keeps the rules.

        States per day: ``work[c, k, *r]`` a run of ``k + 1`` days (after an off day) whose
        last shift is of class ``c``, with resource levels ``r``; ``border[c, *r]`` the run
        since day 0 while it is shorter than the minimum (exempt from it); ``rest[j, *r]``
        an off run of ``j + 1`` days after work (the last index meaning "long enough");
        ``never[*r]`` the off run since day 0.
        """
        horizon, axes = self.horizon, self.axes
        n_cls, kk, n_off, k_end = self.n_classes, max(1, self.cmax), self.n_off, self.k_end
        if not self.weekend_priced:
            weekend_price = 0.0
        cost = np.where(self.blocked, INF, cost)
        off = np.zeros(horizon) if off_cost is None else np.asarray(off_cost, dtype=float)
        work = np.full((n_cls, kk, *axes), INF)
        rest = np.full((n_off, *axes), INF)
        never = np.full(axes, INF)
        never[(0,) * len(axes)] = off[0]
        border = np.full((n_cls, *axes), INF) if k_end > 0 else None
        for t in self.allowed:
            c = cost[0, t]
            inc = self._increments(t, 0, True)
            if c < INF and all(i < n for i, n in zip(inc, axes, strict=True)):
                if border is not None:
                    cell: tuple[int, ...] = (self.cls[t], *inc)
                    border[cell] = min(border[cell], c)
                else:
                    cell = (self.cls[t], 0, *inc)
                    work[cell] = min(work[cell], c)
        history = [(work, rest, never, border)]
        for d in range(1, horizon):
            wp, rp, zp, bp = work, rest, never, border
            work = np.full_like(wp, INF)
            ending = wp[:, k_end:].min(axis=(0, 1)) if k_end < kk else np.full(axes, INF)
            if bp is not None:
                np.minimum(ending, bp.min(axis=0), out=ending)
            rest = np.empty_like(rp)
            if n_off == 1:
                np.minimum(rp[0], ending, out=rest[0])
            else:
                rest[0] = ending
                rest[1 : n_off - 1] = rp[0 : n_off - 2]
                np.minimum(rp[n_off - 2], rp[n_off - 1], out=rest[n_off - 1])
            if off[d]:
                rest += off[d]
                never = zp + off[d]
            else:
                never = zp
            starting = np.minimum(rp[n_off - 1], zp)
            # The run since day 0 grows into the border states, or joins the others once
            # it reaches the minimum length (run index d).
            border = np.full_like(bp, INF) if (bp is not None and d < k_end) else None
            into_work = bp is not None and border is None and d < kk
            kind = (0, 0, 0, 0, 0, 1, 2)[d % 7]
            p_start = weekend_price if kind else 0.0
            p_cont = weekend_price if kind == 1 else 0.0
            for pred, shifts in self.groups:
                cont = bcont = None
                if pred:
                    if kk > 1:
                        cont = wp[pred[0], :-1] if len(pred) == 1 else wp[pred, :-1].min(axis=0)
                    if bp is not None:
                        bcont = bp[pred[0]] if len(pred) == 1 else bp[pred].min(axis=0)
                for t in shifts:
                    c = cost[d, t]
                    if c == INF:
                        continue
                    ct = self.cls[t]
                    s_tgt, s_src, c_tgt, c_src = self._slices[t, kind]
                    if c_tgt is not None:
                        step = c + p_cont
                        if cont is not None:
                            target = work[(ct, slice(1, None), *c_tgt)]
                            np.minimum(target, cont[(slice(None), *c_src)] + step, out=target)
                        if bcont is not None:
                            if border is not None:
                                target = border[(ct, *c_tgt)]
                            elif into_work:
                                target = work[(ct, d, *c_tgt)]
                            else:
                                target = None
                            if target is not None:
                                np.minimum(target, bcont[c_src] + step, out=target)
                    if s_tgt is not None:
                        first = work[(ct, 0, *s_tgt)]
                        np.minimum(first, starting[s_src] + (c + p_start), out=first)
            history.append((work, rest, never, border))
        lo = self.min_units
        if lo >= axes[-1]:
            return None
        arrays = {"w": work, "r": rest, "z": never}
        if border is not None:
            arrays["b"] = border
        value, name = min((a[..., lo:].min(), n) for n, a in arrays.items())
        if value == INF:
            return None
        arr = arrays[name][..., lo:]
        idx = [int(i) for i in np.unravel_index(np.argmin(arr), arr.shape)]
        idx[-1] += lo
        state = (name, *idx)
        return float(value), self._trace(history, state, cost, weekend_price, off)

    def _trace(
        self,
        history: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]],
        state: tuple,
        cost: np.ndarray,
        weekend_price: float,
        off: np.ndarray,
    ) -> list[int]:
        """Walk back from the final state, finding at each day a predecessor that explains it."""
        row = [OFF] * self.horizon
        n_off = self.n_off
        for d in range(self.horizon - 1, 0, -1):
            wp, rp, zp, bp = history[d - 1]
            work, rest, _, border = history[d]
            name = state[0]
            if name == "z":
                continue
            if name == "r":
                j, r = state[1], state[2:]
                target = rest[(j, *r)] - off[d]
                if 0 < j < n_off - 1:
                    state = ("r", j - 1, *r)
                elif j == n_off - 1 and n_off > 1:
                    keep = _eq(rp[(n_off - 1, *r)], target)
                    state = ("r", n_off - 1 if keep else n_off - 2, *r)
                elif n_off == 1 and _eq(rp[(0, *r)], target):
                    state = ("r", 0, *r)
                else:
                    state = self._ending_state(wp, bp, r, target)
                continue
            if name == "b":
                c, k, r = state[1], None, state[2:]
                value = border[(c, *r)]
            else:
                c, k, r = state[1], state[2], state[3:]
                value = work[(c, k, *r)]
            kind = (0, 0, 0, 0, 0, 1, 2)[d % 7]
            start = k == 0
            step_price = (
                (weekend_price if kind else 0.0) if start else (weekend_price if kind == 1 else 0.0)
            )
            found = None
            for t in self.allowed:
                if self.cls[t] != c or cost[d, t] == INF:
                    continue
                inc = self._increments(t, kind, start)
                pr = tuple(a - i for a, i in zip(r, inc, strict=True))
                if min(pr) < 0:
                    continue
                step = cost[d, t] + step_price
                if start:
                    if _eq(rp[(n_off - 1, *pr)] + step, value):
                        found = (t, ("r", n_off - 1, *pr))
                    elif _eq(zp[pr] + step, value):
                        found = (t, ("z", *pr))
                else:
                    for pc in self.pred[t]:
                        if name == "w" and _eq(wp[(pc, k - 1, *pr)] + step, value):
                            found = (t, ("w", pc, k - 1, *pr))
                        elif (
                            bp is not None
                            and (name == "b" or k == d)
                            and _eq(bp[(pc, *pr)] + step, value)
                        ):
                            found = (t, ("b", pc, *pr))
                        if found:
                            break
                if found:
                    break
            if found is None:  # pragma: no cover - the forward pass guarantees a predecessor
                raise AssertionError(f"row DP: no predecessor on day {d} for {state}")
            row[d], state = found
        if state[0] in ("w", "b"):
            c = state[1]
            r = state[3:] if state[0] == "w" else state[2:]
            value = history[0][0 if state[0] == "w" else 3][state[1:]]
            for t in self.allowed:
                if (
                    self.cls[t] == c
                    and self._increments(t, 0, True) == tuple(r)
                    and _eq(cost[0, t], value)
                ):
                    row[0] = t
                    break
        return row

    def _ending_state(
        self, wp: np.ndarray, bp: np.ndarray | None, r: tuple[int, ...], target: float
    ) -> tuple:
        for c in range(wp.shape[0]):
            for k in range(self.k_end, wp.shape[1]):
                if _eq(wp[(c, k, *r)], target):
                    return ("w", c, k, *r)
            if bp is not None and _eq(bp[(c, *r)], target):
                return ("b", c, *r)
        raise AssertionError("row DP: no run ends here")  # pragma: no cover

    # -- the counting rules ---------------------------------------------------------------

    def counts(self, row: list[int]) -> tuple[list[int], int, int]:
        """Shifts per type, worked weekends and minutes of ``row``."""
        counts = [0] * len(self.max_shifts)
        minutes = 0
        for t in row:
            if t != OFF:
                counts[t] += 1
                minutes += self.tb.minutes[t]
        weekends = sum(
            1 for w in range(self.horizon // 7) if row[7 * w + 5] != OFF or row[7 * w + 6] != OFF
        )
        return counts, weekends, minutes

    def keeps_limits(self, counts: list[int], weekends: int, minutes: int) -> bool:
        """Whether counts from :meth:`counts` keep the caps, the weekends and the minutes."""
        return (
            all(counts[t] <= self.max_shifts[t] for t in self.allowed)
            and weekends <= self.max_weekends
            and self.min_minutes <= minutes <= self.max_minutes
        )


def _eq(a: float, b: float) -> bool:
    return abs(a - b) <= _TOL * max(1.0, abs(b))


def row_cost(cost: np.ndarray, row: list[int]) -> float:
    return float(sum(cost[d, t] for d, t in enumerate(row) if t != OFF))


Prices = tuple[np.ndarray, float, float]  # per shift type, per weekend, per minute


def cheapest_row(
    dp: RowDP,
    cost: np.ndarray,
    *,
    iterations: int = 8,
    prices: Prices | None = None,
    off_cost: np.ndarray | None = None,
) -> tuple[PricedRow, Prices]:
    """The cheapest row under ``cost`` keeping every rule, with a proven lower bound.

    Runs the DP with prices on what it does not count exactly (the shift-type caps, and
    the weekend cap or the minutes window when the DP prices them) for at most
    ``iterations`` rounds of a subgradient method; ``prices`` warm-starts them and the
    final ones are returned for the next call. Every run's relaxed value minus prices
    times limits is a lower bound; a relaxed row that breaks a limit is repaired
    (:func:`_repair`). The best bound and the cheapest feasible row are kept.
    """
    n_types = len(dp.max_shifts)
    cap_price = np.zeros(n_types) if prices is None else prices[0].copy()
    wk_price = 0.0 if prices is None or not dp.weekend_priced else prices[1]
    min_price = 0.0 if prices is None or dp.exact_minutes else prices[2]
    caps = np.array(dp.max_shifts, dtype=float)
    capped = dp.priced_types
    minutes = np.array(dp.tb.minutes, dtype=float)
    best_row: list[int] | None = None
    best_value = INF
    bound = -INF
    seen: dict[tuple[int, ...], float] = {}

    def value_of(row: list[int]) -> float:
        value = row_cost(cost, row)
        if off_cost is not None:
            value += float(sum(off_cost[d] for d, t in enumerate(row) if t == OFF))
        return value

    def keep(row: list[int]) -> None:
        nonlocal best_row, best_value
        value = value_of(row)
        seen[tuple(row)] = value
        if value < best_value:
            best_row, best_value = row, value

    theta, stalled = 1.0, 0
    for it in range(max(1, iterations)):
        priced = cost
        if capped:
            priced = priced + cap_price[None, :]
        if min_price:
            priced = priced + min_price * minutes[None, :]
        result = dp.run(priced, wk_price, off_cost)
        if result is None:
            # Prices do not change which rows keep the other rules: there is none.
            return PricedRow(None, INF, INF), (cap_price, wk_price, min_price)
        relaxed, row = result
        limit = dp.max_minutes if min_price > 0 else dp.min_minutes
        lower = relaxed - float(cap_price @ caps) - wk_price * dp.max_weekends - min_price * limit
        if lower > bound + 1e-9:
            bound, stalled = lower, 0
        else:
            stalled += 1
            if stalled >= 2:
                theta, stalled = theta / 2, 0
        counts, weekends, worked = dp.counts(row)
        if dp.keeps_limits(counts, weekends, worked):
            keep(row)
        elif it == 0 or tuple(row) not in seen:
            seen[tuple(row)] = INF
            fixed = _repair(dp, priced, wk_price, min_price, off_cost, row)
            if fixed is not None:
                keep(fixed)
        if best_value - bound <= 1e-6 * max(1.0, abs(best_value)):
            break
        # Polyak step towards the best feasible value (or a guess above the bound), along
        # the projected subgradient: up where a limit is broken, down (not below 0) where
        # it is slack.
        grad = {t: counts[t] - caps[t] for t in capped if counts[t] > caps[t] or cap_price[t] > 0}
        g_wk = weekends - dp.max_weekends if dp.weekend_priced else 0
        if g_wk < 0 and wk_price == 0:
            g_wk = 0
        g_min = 0.0
        if not dp.exact_minutes:
            if worked > dp.max_minutes or min_price > 0:
                g_min = worked - dp.max_minutes
            elif worked < dp.min_minutes or min_price < 0:
                g_min = worked - dp.min_minutes
        norm = sum(g * g for g in grad.values()) + g_wk * g_wk + g_min * g_min
        if norm == 0:
            break
        target = best_value if best_value < INF else lower + max(1.0, 0.1 * abs(lower))
        step = theta * (target - lower) / norm
        for t, g in grad.items():
            cap_price[t] = max(0.0, cap_price[t] + step * g)
        wk_price = max(0.0, wk_price + step * g_wk)
        if g_min:
            new = min_price + step * g_min
            # The sign of the price says which side of the window it guards: never cross 0.
            if min_price > 0:
                new = max(0.0, new)
            elif min_price < 0:
                new = min(0.0, new)
            min_price = new
    others = tuple(sorted((v, r) for r, v in seen.items() if v < INF and list(r) != best_row))
    final = (cap_price, wk_price, min_price)
    return PricedRow(best_row, best_value, min(bound, best_value), others), final


_DROP = 1e6  # cost that steers the DP away from a cell without making the DP infeasible


def _repair(
    dp: RowDP,
    cost: np.ndarray,
    weekend_price: float,
    minute_price: float,
    off_cost: np.ndarray | None,
    row: list[int],
    rounds: int = 8,
) -> list[int] | None:
    """Make a row keep the limits the DP prices rather than counts.

    For a type over its cap, only its ``cap`` cheapest days in ``row`` stay open; for too
    many weekends, only the ``cap`` cheapest worked weekends; minutes outside the window
    move the price per minute (doubling, then bisecting). The DP is run again (the rules
    it counts stay exact) until the row keeps the limits or ``rounds`` runs are spent.
    """
    cost = cost.copy()
    caps = dp.max_shifts
    minutes = np.array(dp.tb.minutes, dtype=float)
    lo_p, hi_p = -INF, INF  # bracket of the extra minute price
    extra = 0.0
    finite = cost[cost < _DROP]
    scale = max(1.0, float(np.abs(finite).mean())) / 480 if finite.size else 1.0
    for _ in range(rounds):
        counts, weekends, worked = dp.counts(row)
        ok = True
        for t in dp.allowed:
            if counts[t] > caps[t]:
                ok = False
                used = sorted((d for d, x in enumerate(row) if x == t), key=lambda d: cost[d, t])
                open_days = set(used[: caps[t]])
                for d in range(dp.horizon):
                    if d not in open_days and cost[d, t] < _DROP:
                        cost[d, t] += _DROP
        if dp.weekend_priced and weekends > dp.max_weekends:
            ok = False
            worked_weekends = [
                w for w in range(dp.horizon // 7) if row[7 * w + 5] != OFF or row[7 * w + 6] != OFF
            ]
            worked_weekends.sort(
                key=lambda w: sum(cost[d, row[d]] for d in (7 * w + 5, 7 * w + 6) if row[d] != OFF)
            )
            open_weekends = set(worked_weekends[: dp.max_weekends])
            for w in range(dp.horizon // 7):
                if w not in open_weekends:
                    for d in (7 * w + 5, 7 * w + 6):
                        cost[d, cost[d] < _DROP] += _DROP
        if not dp.exact_minutes and not dp.min_minutes <= worked <= dp.max_minutes:
            ok = False
            if worked > dp.max_minutes:
                lo_p = extra
                extra = extra + scale if hi_p == INF else (extra + hi_p) / 2
            else:
                hi_p = extra
                extra = extra - scale if lo_p == -INF else (extra + lo_p) / 2
            scale *= 2
        if ok:
            return row
        priced = cost + extra * minutes[None, :] if extra else cost
        result = dp.run(priced, weekend_price, off_cost)
        if result is None:
            return None
        row = result[1]
    return None
