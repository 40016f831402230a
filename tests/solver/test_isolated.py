"""The solver in a child process at lower priority: same rosters, progress, stop, errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from scheduler.solver import InputError, load_problem, solve_isolated
from tests.solver.builders import EXAMPLES

pytestmark = pytest.mark.slow


def test_solves_in_another_process_ten_steps_lower():
    """Ten steps lower means a busy machine (the other test workers) may give the child
    little CPU: the test waits for its first roster, not for a fixed number of seconds."""
    info: dict = {}
    heard = []
    stop = threading.Event()

    def hear(update) -> None:
        heard.append(update)
        if update.objective is not None:
            stop.set()

    solution = solve_isolated(
        load_problem(EXAMPLES / "S-week.json"),
        time_limit=120,
        workers=1,
        on_progress=hear,
        stop_event=stop,
        info=info,
    )
    assert solution.status in ("OPTIMAL", "FEASIBLE")
    assert solution.assignments
    assert heard, "no progress came back from the child"
    assert info["pid"] != os.getpid()
    assert info["nice"] == min(19, os.nice(0) + 10)


def test_a_stop_request_reaches_the_child():
    stop = threading.Event()
    started = time.monotonic()

    def stop_on_first(_progress) -> None:
        stop.set()

    solution = solve_isolated(
        load_problem(EXAMPLES / "M-4weeks.json"),
        time_limit=60,
        workers=1,
        on_progress=stop_on_first,
        stop_event=stop,
    )
    assert time.monotonic() - started < 30
    assert solution.assignments  # the best roster so far is kept


def test_input_errors_come_back_with_their_field():
    with pytest.raises(InputError, match="service_point"):
        solve_isolated(load_problem(EXAMPLES / "S-input-error-upstairs.json"), time_limit=2)


def _descendants(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_killed_worker_leaves_no_solver_behind():
    """SIGKILL to the process that wanted the roster: the solver must not go on for a
    minute on a core nobody asked it to use."""
    script = (
        "from scheduler.solver import load_problem, solve_isolated; "
        f"solve_isolated(load_problem({str(EXAMPLES / 'M-4weeks.json')!r}), "
        "time_limit=120, workers=1)"
    )
    worker = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 30
        children: set[int] = set()
        while time.monotonic() < deadline and len(children) < 2:  # fork server + solver
            time.sleep(0.3)
            children = _descendants(worker.pid)
        assert len(children) >= 2, "the solver process never started"
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(pid) for pid in children):
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in children)
    finally:
        if worker.poll() is None:
            worker.kill()
