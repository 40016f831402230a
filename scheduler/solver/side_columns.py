"""The week LPs' lower bound, computed in a process of its own beside the descent.

A roster too big for the rest of the search gets the descent (``descent.py``), which is
plain Python on one core; the second core the solver was given would sit idle. The
week LPs of the decomposition give the bound (the 10-library, 8-week scenario: 26,610
after 19 s of LPs, against -9,660 from each person's cheapest week alone), and run
here in a child process on that core, so the descent keeps all of its time. A thread of
the parent reads each improvement of the bound and hands it on.

The child is a plain ``python -m`` process, not ``multiprocessing``: the solver may
itself run in a daemonic child (``isolated.py``), which may not start children of its
own, and a spawned child would re-import whatever script started the parent. It gets
the problem pickled on its stdin, writes one bound per line, and stops at its deadline,
when its parent is gone, or when killed.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from scheduler.solver.problem import Problem


class SideBound:
    """Start the child; ``on_bound`` hears each better bound (from a reader thread)."""

    def __init__(
        self, problem: Problem, deadline: float, seed: int, on_bound: Callable[[int], None]
    ) -> None:
        self.on_bound = on_bound
        # time.monotonic() is the same clock in every process of the machine (Linux).
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scheduler.solver.side_bound", repr(deadline), str(seed)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.reader = threading.Thread(target=self._read, name="side-bound", daemon=True)
        self.reader.start()
        assert self.proc.stdin is not None
        try:
            with self.proc.stdin:
                pickle.dump(problem, self.proc.stdin)
        except OSError:  # the child died at once: no bound from it
            self.stop()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        with self.proc.stdout:
            for line in self.proc.stdout:
                with contextlib.suppress(ValueError):
                    self.on_bound(int(line))

    def stop(self) -> None:
        """Stop the child (at once) and wait for the reader to hand on its last bound."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.reader.join(timeout=5)


def _main(deadline: float, seed: int) -> None:
    from scheduler.solver.decomposition.search import ColumnSearch
    from scheduler.solver.index import build_index

    problem: Problem = pickle.load(sys.stdin.buffer)
    parent = os.getppid()
    cs = ColumnSearch(build_index(problem), deterministic=False, seed=seed)

    def tell(bound: int) -> None:
        print(bound, flush=True)

    cs.relaxation.run(
        deadline,
        stop=lambda: os.getppid() != parent or time.monotonic() >= deadline,
        on_bound=tell,
    )


if __name__ == "__main__":
    _main(float(sys.argv[1]), int(sys.argv[2]))
