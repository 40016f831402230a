"""Price employees' rows on several cores: forked children that keep their pricers.

Why: a pricing round is one row DP per employee, in Python over numpy, plus the CP-SAT
row model for an employee whose DP cannot prove its answer, and it is almost all of a
round's time (Instance13, 120 employees: 1.4 s of DP against 0.2 s of LP a round, 44
rounds to the LP optimum; Instance15: 24 of 42 s in CP-SAT rows). The rows are
independent, so the round splits over the cores the solver was given; the LP stays in
the parent.

Each child is forked once and keeps its own copies of the pricers (their warm-started
cap prices live on there), and always prices the same employees (``e % parts``), so a
run is as deterministic as on one core. The parent prices its own share meanwhile. A
child stops when told, when its parent's end of the pipe closes (the parent is gone), or
with the parent as a daemon.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
from collections.abc import Sequence
from typing import Any

import numpy as np

from scheduler.solver.curtois.pricing import Offer, RowPricer


def _serve(conn: Any, pricers: list[RowPricer], others: list[Any]) -> None:
    """The child's loop: a round's duals in, its employees' offers out."""
    for other in others:  # parent ends of the other pipes: EOF must mean the parent left
        other.close()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        prices, share, exact_time, deadline = message
        conn.send(
            [
                pricers[e].offer(prices, mu, exact_time=exact_time, deadline=deadline)
                for e, mu in share
            ]
        )


class PricingPool:
    """``workers`` parts: the parent and ``workers - 1`` forked children."""

    def __init__(self, pricers: list[RowPricer], workers: int) -> None:
        self.pricers = pricers
        self._conns: list[Any] = []
        self._procs: list[Any] = []
        if workers > 1 and not multiprocessing.current_process().daemon:
            context = multiprocessing.get_context("fork")
            for _ in range(1, workers):
                mine, theirs = context.Pipe()
                proc = context.Process(
                    target=_serve, args=(theirs, pricers, [*self._conns, mine]), daemon=True
                )
                proc.start()
                theirs.close()
                self._conns.append(mine)
                self._procs.append(proc)
        self.parts = 1 + len(self._procs)

    def offer(
        self,
        prices: np.ndarray,
        employees: Sequence[int],
        mus: Sequence[float],
        exact_time: float = 0.0,
        deadline: float = math.inf,
    ) -> list[Offer]:
        """Each employee's :meth:`RowPricer.offer` (own dual ``mus[i]``), in the given order.

        ``deadline`` is a ``time.monotonic()`` instant, the same clock in every child.
        """
        shares: list[list[tuple[int, float]]] = [[] for _ in range(self.parts)]
        for e, mu in zip(employees, mus, strict=True):
            shares[e % self.parts].append((e, mu))
        for conn, share in zip(self._conns, shares[1:], strict=True):
            conn.send((prices, share, exact_time, deadline))
        out = {
            e: self.pricers[e].offer(prices, mu, exact_time=exact_time, deadline=deadline)
            for e, mu in shares[0]
        }
        for conn, share in zip(self._conns, shares[1:], strict=True):
            out.update(zip((e for e, _ in share), conn.recv(), strict=True))
        return [out[e] for e in employees]

    def close(self) -> None:
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.send(None)
            conn.close()
        for proc in self._procs:
            proc.join(timeout=1.0)
            if proc.is_alive():
                proc.kill()
        self._conns, self._procs = [], []
        self.parts = 1

    def __enter__(self) -> PricingPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
