"""The week LPs and their dives, computed in a process of their own beside the descent.

A roster too big for the rest of the search gets the descent (``descent.py``), which is
plain Python on one core; the second core the solver was given would sit idle. The
week LPs of the decomposition run here, in a child process on that core: they give the
bound (the 10-library, 8-week scenario: 26,610 after 13 s of LPs, against -9,660 from
each person's cheapest week alone), and then a **dive** in each week's master gives
that week a roster the parent puts into its own when that makes the whole better (the
same scenario at 60 s: 8 dived weeks and 5 s of descent 29,640, the descent alone
31,920). A thread of the parent reads each message and hands it on.

The child is a plain ``python -m`` process, not ``multiprocessing``: the solver may
itself run in a daemonic child (``isolated.py``), which may not start children of its
own, and a spawned child would re-import whatever script started the parent. It gets
the problem pickled on its stdin, writes one JSON message per line (``{"bound": n}`` or
``{"weeks": [...], "pairs": [[p, s], ...], "free": [[p, [w, ...]], ...]}``), and stops
at its deadline, when its parent is gone, or when killed.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from scheduler.solver.decomposition.search import Dived
from scheduler.solver.problem import Problem


class SideColumns:
    """Start the child; ``on_bound`` hears each better bound and ``on_dive`` each week
    group's dive (a :class:`Dived` and the group's weeks), from a reader thread. With
    ``on_dive``, the dives start once every week LP is optimal and end by
    ``dive_deadline``."""

    def __init__(
        self,
        problem: Problem,
        deadline: float,
        seed: int,
        on_bound: Callable[[int], None],
        *,
        dive_deadline: float | None = None,
        on_dive: Callable[[Dived, tuple[int, ...]], None] | None = None,
    ) -> None:
        self.on_bound = on_bound
        self.on_dive = on_dive
        dives = dive_deadline if dive_deadline is not None and on_dive is not None else 0.0
        # time.monotonic() is the same clock in every process of the machine (Linux).
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "scheduler.solver.side_columns",
                repr(deadline),
                str(seed),
                repr(dives),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.reader = threading.Thread(target=self._read, name="side-columns", daemon=True)
        self.reader.start()
        assert self.proc.stdin is not None
        try:
            with self.proc.stdin:
                pickle.dump(problem, self.proc.stdin)
        except OSError:  # the child died at once: nothing from it
            self.stop()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        with self.proc.stdout:
            for line in self.proc.stdout:
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    message = json.loads(line)
                    if "bound" in message:
                        self.on_bound(int(message["bound"]))
                    elif self.on_dive is not None:
                        dived = Dived(
                            frozenset((int(p), int(s)) for p, s in message["pairs"]),
                            [(int(p), tuple(int(w) for w in ws)) for p, ws in message["free"]],
                        )
                        self.on_dive(dived, tuple(int(w) for w in message["weeks"]))

    def running(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        """Stop the child (at once) and wait for the reader to hand on its last message."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.reader.join(timeout=5)


def _main(deadline: float, seed: int, dive_deadline: float) -> None:
    from scheduler.solver.decomposition.search import ColumnSearch
    from scheduler.solver.index import build_index

    problem: Problem = pickle.load(sys.stdin.buffer)
    parent = os.getppid()
    cs = ColumnSearch(build_index(problem), deterministic=False, seed=seed)

    def tell(message: dict) -> None:
        print(json.dumps(message, separators=(",", ":")), flush=True)

    def stop() -> bool:
        return os.getppid() != parent or time.monotonic() >= deadline

    rel = cs.relaxation
    rel.run(min(deadline, dive_deadline) if dive_deadline > 0 else deadline,
            stop=stop, on_bound=lambda bound: tell({"bound": bound}))  # fmt: skip
    if not rel.converged():
        rel.run(deadline, stop=stop, on_bound=lambda bound: tell({"bound": bound}))
        return  # no time was left for dives
    end = min(deadline, dive_deadline)
    groups = rel.groups
    for i, g in enumerate(groups):
        now = time.monotonic()
        if now >= end or stop():
            return
        dived = cs.dive_group(i, now + (end - now) / (len(groups) - i), stop=stop)
        if dived.pairs:
            tell({
                "weeks": list(g.weeks),
                "pairs": sorted(dived.pairs),
                "free": [[p, list(ws)] for p, ws in dived.free],
            })  # fmt: skip


if __name__ == "__main__":
    _main(float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]))
