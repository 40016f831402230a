"""The week LPs and their dives, computed in processes of their own beside the descent.

A roster too big for the rest of the search gets the descent (``descent.py``), which is
plain Python on one core; the other cores the solver was given would sit idle. The
week LPs of the decomposition run here, in one child process per worker, each with its
share of the week groups: they give the bound (the 10-library, 8-week scenario: 26,610
once its eight week LPs converge, 13 s on one core, against -9,660 from each person's
cheapest week alone), and then each child **dives** in its weeks' masters in turn, again
and again until its dive deadline (each dive leaves its columns in the master, so the
next goes another way down), and sends each dived week back; the parent puts it into its
roster when that makes the whole better (the same scenario at 60 s, seeds 1 / 2: 29,280 /
39,360 with two children, against 31,920 / 44,940 by the descent alone). A thread of the
parent reads each child's messages and hands them on.

The week LPs leave out the unsocial spread, the one term across weeks. Once every week
LP is optimal, the parent sums how many unsocial shifts each person holds in their
solutions and sends every child **spread prices** (``spread.spread_prices``); between
two dives each child solves its weeks' LPs again with those prices on unsocial shifts,
and the sum of those bounds is another bound on the roster, the Lagrangian one of the
spread (the same scenario: 26,610 → 27,570, seed 2 36,495 → 37,380; the rosters found
pay 960 for the spread in both).

The child is a plain ``python -m`` process, not ``multiprocessing``: the solver may
itself run in a daemonic child (``isolated.py``), which may not start children of its
own, and a spawned child would re-import whatever script started the parent. It gets
the problem pickled on its stdin and then, when the spread is priced, one JSON line
(``{"prices": [[p, price], ...]}``) before its parent closes the pipe; it writes one JSON
message per line (``{"group": i, "bound": b}``, with ``"usage": [[p, u], ...]`` once the
group's LP is optimal; ``{"group": i, "priced": b}``; or ``{"weeks": [...], "pairs":
[[p, s], ...], "free": [[p, [w, ...]], ...]}``), and stops at its deadline, when its
parent is gone, or when killed.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from scheduler.solver.decomposition.relaxation import Relaxation, turn_deadline
from scheduler.solver.decomposition.search import Dived
from scheduler.solver.problem import Problem


class SideColumns:
    """Start ``children`` children, each with its share of the week groups (every
    ``children``-th one). Each group bound a child proves goes into ``relaxation`` (this
    process's copy of the same week groups, whose floors it already has), and
    ``on_bound`` hears the period's bound whenever that rises; ``on_dive`` hears each
    group's dive (a :class:`Dived` and the group's weeks). Both from reader threads. With
    ``on_dive``, a child dives in its groups once their LPs are optimal, until
    ``dive_deadline``."""

    def __init__(
        self,
        problem: Problem,
        relaxation: Relaxation,
        deadline: float,
        seed: int,
        on_bound: Callable[[int], None],
        *,
        dive_deadline: float | None = None,
        on_dive: Callable[[Dived, tuple[int, ...]], None] | None = None,
        children: int = 1,
    ) -> None:
        self.relaxation = relaxation
        self.on_bound = on_bound
        self.on_dive = on_dive
        self.lock = threading.Lock()
        self.best = relaxation.bound()
        dives = dive_deadline if dive_deadline is not None and on_dive is not None else 0.0
        self.spread_weight = relaxation.spread_weight
        self.usage: dict[int, dict[int, float]] = {}  # group -> its LP's unsocial shifts
        self.priced: dict[int, float] = {}  # group -> its bound under the spread prices
        data = pickle.dumps(problem)
        self.procs: list[subprocess.Popen] = []
        self.readers: list[threading.Thread] = []
        for part in range(max(1, children)):
            # time.monotonic() is the same clock in every process of the machine (Linux).
            proc = subprocess.Popen(
                [
                    sys.executable, "-m", "scheduler.solver.side_columns",
                    repr(deadline), str(seed), repr(dives), str(part), str(max(1, children)),
                    str(int(bool(self.spread_weight))),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            reader = threading.Thread(
                target=self._read, args=(proc,), name="side-columns", daemon=True
            )
            reader.start()
            self.procs.append(proc)
            self.readers.append(reader)
            assert proc.stdin is not None
            try:
                proc.stdin.write(data)
                proc.stdin.flush()
                if not self.spread_weight:
                    proc.stdin.close()
            except OSError:  # the child died at once: nothing from it
                proc.kill()

    def _read(self, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        with proc.stdout:
            for line in proc.stdout:
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    self._hear(json.loads(line))

    def _hear(self, message: dict) -> None:
        if "priced" in message:
            self._priced_bound(int(message["group"]), float(message["priced"]))
        elif "group" in message:
            self._group_bound(int(message["group"]), float(message["bound"]))
            if "usage" in message:
                self._usage(int(message["group"]), message["usage"])
        elif self.on_dive is not None:
            dived = Dived(
                frozenset((int(p), int(s)) for p, s in message["pairs"]),
                [(int(p), tuple(int(w) for w in ws)) for p, ws in message["free"]],
            )
            self.on_dive(dived, tuple(int(w) for w in message["weeks"]))

    def _group_bound(self, group: int, bound: float) -> None:
        """A group's better bound into the relaxation; the period's bound, when it rises,
        to ``on_bound``."""
        with self.lock:
            g = self.relaxation.groups[group]
            if g.bound is not None and bound <= g.bound:
                return
            g.bound = bound
            total = self.relaxation.bound()
            if total is None or (self.best is not None and total <= self.best):
                return
            self.best = total
        self.on_bound(total)

    def _usage(self, group: int, usage: list) -> None:
        """A group's LP optimum's unsocial shifts per person; once every group's is in,
        the spread prices from their sum go to every child (``spread.spread_prices``)."""
        from scheduler.solver.decomposition.spread import spread_prices, total_usage

        with self.lock:
            self.usage[group] = {int(p): float(u) for p, u in usage}
            if len(self.usage) < len(self.relaxation.groups):
                return
            total = total_usage(self.usage.values(), self.relaxation.idx.first_line)
            prices = spread_prices(total, self.spread_weight)
            line = json.dumps({"prices": [[p, v] for p, v in prices.items() if v]}) + "\n"
            for proc in self.procs:
                with contextlib.suppress(OSError, ValueError):
                    assert proc.stdin is not None
                    proc.stdin.write(line.encode())
                    proc.stdin.flush()
                    proc.stdin.close()

    def _priced_bound(self, group: int, bound: float) -> None:
        """A group's bound under the spread prices; once every group's is in, their sum
        is a bound on the roster (``Relaxation.priced_bound``)."""
        with self.lock:
            self.priced[group] = bound
            if len(self.priced) < len(self.relaxation.groups):
                return
            total = self.relaxation.priced_bound(self.priced.values())
            if self.best is not None and total <= self.best:
                return
            self.best = total
        self.on_bound(total)

    def running(self) -> bool:
        return any(proc.poll() is None for proc in self.procs)

    def stop(self) -> None:
        """Stop the children (at once) and wait for the readers to hand on their last
        messages."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
        for proc in self.procs:
            proc.wait()
            if proc.stdin is not None:
                with self.lock, contextlib.suppress(OSError):
                    proc.stdin.close()
        for reader in self.readers:
            reader.join(timeout=5)


def _main(
    deadline: float, seed: int, dive_deadline: float, part: int, parts: int, priced: bool
) -> None:
    from scheduler.solver.decomposition.search import ColumnSearch
    from scheduler.solver.index import build_index

    problem: Problem = pickle.load(sys.stdin.buffer)
    parent = os.getppid()
    cs = ColumnSearch(build_index(problem), deterministic=False, seed=seed)
    rel = cs.relaxation

    def tell(message: dict) -> None:
        print(json.dumps(message, separators=(",", ":")), flush=True)

    def stop() -> bool:
        return os.getppid() != parent or time.monotonic() >= deadline

    def lps(end: float) -> None:
        for k, i in enumerate(mine):
            g = rel.groups[i]
            before = g.bound
            rel.run_group(g, turn_deadline(end, len(mine) - k), stop=stop)
            if g.bound is not None and (before is None or g.bound > before):
                message: dict = {"group": i, "bound": g.bound}
                if priced and g.converged:
                    message["usage"] = [[p, u] for p, u in rel.usage(g).items()]
                tell(message)

    def price_spread(end: float, wait: float) -> bool:
        """Once the spread prices have come (every group's LP is optimal by then; wait
        up to ``wait`` seconds for them), each of this child's groups' LP under them,
        until ``end``: their bounds. False while the prices have not come."""
        if not select.select([sys.stdin.buffer], [], [], max(0.0, wait))[0]:
            return False
        line = sys.stdin.buffer.readline()  # the parent closes stdin after it
        if line:
            prices = {int(p): float(v) for p, v in json.loads(line)["prices"]}
            for k, i in enumerate(mine):
                share = turn_deadline(end, len(mine) - k)
                bound = rel.price_spread(rel.groups[i], prices, share, stop=stop)
                if bound is not None:
                    tell({"group": i, "priced": bound})
        return True

    mine = list(range(part, len(rel.groups), parts))
    dives = 0 < dive_deadline < deadline
    end = dive_deadline if dives else deadline
    lps(end)
    if not dives or not all(rel.groups[i].converged for i in mine):
        if dives:
            lps(deadline)  # no time was left for dives: the bound only
        if priced and all(rel.groups[i].converged for i in mine):
            price_spread(deadline, deadline - time.monotonic())
        return
    waiting = priced  # for the spread prices: taken between dives, not waited for
    while time.monotonic() < end and not stop():
        # Each dive leaves its columns in the master: the next goes another way down.
        for k, i in enumerate(mine):
            if waiting and price_spread(end, 0.0):
                waiting = False
            if time.monotonic() >= end or stop():
                break
            dived = cs.dive_group(i, turn_deadline(end, len(mine) - k), stop=stop)
            if dived.pairs:
                tell({
                    "weeks": list(rel.groups[i].weeks),
                    "pairs": sorted(dived.pairs),
                    "free": [[p, list(ws)] for p, ws in dived.free],
                })  # fmt: skip
    if waiting:  # the prices came late: the time after the dives is for them
        price_spread(deadline, deadline - time.monotonic())


if __name__ == "__main__":
    deadline, seed, dives, part, parts, priced = sys.argv[1:7]
    _main(float(deadline), int(seed), float(dives), int(part), int(parts), priced == "1")
