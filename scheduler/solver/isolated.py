"""Solve in a child process at a lower CPU priority, so that the solver never starves
the web.

CP-SAT keeps every worker thread it is given busy for the whole time limit. Run in a
web process (the default job thread) or beside gunicorn on one host, that takes the
cores page requests need. In a child process with a higher nice value the solver gets
the cores whenever the web does not want them, and waits when it does: the roster takes
a little longer under load, the pages do not.

The child comes from a fork server started once (``forkserver``: no fork of a threaded
web process, and the solver's imports are loaded once, not per run). Progress and the
final Solution come back over a pipe; the caller's stop event is passed on; a child
whose parent died (a worker killed mid-run) stops at once instead of solving for nobody.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from typing import Any

from scheduler.solver.problem import Problem, Progress, Solution

DEFAULT_NICE = 10
_POLL_S = 0.2
_context: Any = None
_lock = threading.Lock()


def _mp() -> Any:
    global _context
    with _lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["scheduler.solver.solve"])
            _context = context
        return _context


def _child(sender: Any, stop: Any, problem: Problem, options: dict, nice: int) -> None:
    """The solver process: lower priority, forward progress, stop when told or orphaned."""
    from scheduler.solver.solve import solve

    parent = os.getppid()
    if nice > 0:
        os.nice(nice)
    local_stop = threading.Event()
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(_POLL_S):
            if stop.is_set():
                local_stop.set()
                return
            if os.getppid() != parent:  # the worker that wanted this roster is gone
                os._exit(3)

    threading.Thread(target=watch, daemon=True).start()
    send_lock = threading.Lock()

    def progress(update: Progress) -> None:
        with send_lock:
            sender.send(("progress", update))

    try:
        solution = solve(problem, on_progress=progress, stop_event=local_stop, **options)
        with send_lock:
            sender.send(("done", solution, {"pid": os.getpid(), "nice": os.nice(0)}))
    except Exception as exc:  # the caller re-raises it (InputError names its field)
        with send_lock:
            try:
                sender.send(("error", exc))
            except Exception:  # not picklable: keep the message
                sender.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        finished.set()
        sender.close()


class SolverProcessError(RuntimeError):
    """The solver process ended without a roster (killed, or out of memory)."""


def solve_isolated(
    problem: Problem,
    *,
    time_limit: float = 10,
    workers: int = 2,
    seed: int = 0,
    on_progress: Callable[[Progress], None] | None = None,
    stop_event: threading.Event | None = None,
    deterministic: bool = False,
    nice: int = DEFAULT_NICE,
    info: dict | None = None,
) -> Solution:
    """Like :func:`scheduler.solver.solve`, in a child process ``nice`` steps lower.

    ``info``, when given, receives the child's ``pid`` and ``nice`` value (for logs and
    tests).
    """
    context = _mp()
    receiver, sender = context.Pipe(duplex=False)
    stop = context.Event()
    options = {
        "time_limit": time_limit,
        "workers": workers,
        "seed": seed,
        "deterministic": deterministic,
    }
    process = context.Process(
        target=_child, args=(sender, stop, problem, options, nice), name="roster-solver"
    )
    process.start()
    sender.close()
    try:
        while True:
            if stop_event is not None and stop_event.is_set():
                stop.set()
            if not receiver.poll(_POLL_S):
                if not process.is_alive() and not receiver.poll(0):
                    raise SolverProcessError(
                        f"the solver process ended (exit code {process.exitcode}) without a roster"
                    )
                continue
            try:
                message = receiver.recv()
            except EOFError:
                process.join(timeout=5)
                raise SolverProcessError(
                    f"the solver process ended (exit code {process.exitcode}) without a roster"
                ) from None
            kind = message[0]
            if kind == "progress":
                if on_progress is not None:
                    on_progress(message[1])
            elif kind == "done":
                if info is not None:
                    info.update(message[2])
                return message[1]
            else:
                raise message[1]
    finally:
        stop.set()
        receiver.close()
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join()
