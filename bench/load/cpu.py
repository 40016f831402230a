"""CPU used by each part of the set-up while a scenario runs, and by the load generator.

CPU seconds are read from /proc (psutil) at the start and the end of the run for every
process of a group (a group includes children, so gunicorn's workers count as "web"),
and divided by the wall time: 100 % is one core, 200 % both cores of the build machine.
The whole machine's busy share is sampled every second for the mean and the peak.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import psutil


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def by_pid(pid: int) -> Callable[[], list[psutil.Process]]:
    return lambda: _tree(pid)


def by_name(*names: str) -> Callable[[], list[psutil.Process]]:
    """Every process with one of these names (PostgreSQL backends, redis-server)."""

    def find() -> list[psutil.Process]:
        return [p for p in psutil.process_iter(["name"]) if (p.info["name"] or "") in names]

    return find


def postgres_for(database: str) -> Callable[[], list[psutil.Process]]:
    """The server's own processes and the backends of ``database`` (not other databases':
    the machine's PostgreSQL also serves the test suite)."""

    def find() -> list[psutil.Process]:
        found = []
        for process in psutil.process_iter(["name", "cmdline"]):
            if process.info["name"] != "postgres":
                continue
            title = " ".join(process.info["cmdline"] or [])
            backend = "(" in title  # "postgres: 15/main: user db 127.0.0.1(port) idle"
            if not backend or f" {database} " in title:
                found.append(process)
        return found

    return find


def _cpu(process: psutil.Process) -> float | None:
    try:
        times = process.cpu_times()
        return times.user + times.system
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


@dataclass
class Sampler:
    """Start before the load, stop after it; ``shares()`` gives CPU % per group."""

    groups: dict[str, Callable[[], list[psutil.Process]]]
    interval: float = 1.0
    _start: dict[str, dict[int, float]] = field(default_factory=dict)
    _last: dict[str, dict[int, float]] = field(default_factory=dict)
    _machine: list[float] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    began: float = 0.0
    ended: float = 0.0
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def _read(self) -> dict[str, dict[int, float]]:
        seen: dict[str, dict[int, float]] = {}
        for name, find in self.groups.items():
            seen[name] = {}
            for process in find():
                value = _cpu(process)
                if value is not None:
                    seen[name][process.pid] = value
        return seen

    def add(self, name: str, find: Callable[[], list[psutil.Process]]) -> None:
        """A group that appears after the start (the load generator): counted from 0."""
        self.groups[name] = find
        self._start[name] = {}

    def start(self) -> None:
        self.load_before = os.getloadavg()
        psutil.cpu_percent(None)
        self._start = self._read()
        self._last = {k: dict(v) for k, v in self._start.items()}
        self.began = time.monotonic()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._machine.append(psutil.cpu_percent(None))
            # Remember the last reading of processes that may exit before the end.
            for name, values in self._read().items():
                self._last.setdefault(name, {}).update(values)

    def stop(self) -> None:
        self.ended = time.monotonic()
        self._stop.set()
        if self._thread:
            self._thread.join()
        for name, values in self._read().items():
            self._last.setdefault(name, {}).update(values)
        self.load_after = os.getloadavg()

    def shares(self) -> dict[str, float]:
        """CPU % per group over the run (100 = one core)."""
        wall = max(self.ended - self.began, 1e-9)
        out = {}
        for name in self.groups:
            first = self._start.get(name, {})
            used = sum(v - first.get(pid, 0.0) for pid, v in self._last.get(name, {}).items())
            out[name] = 100.0 * used / wall
        return out

    def machine(self) -> tuple[float, float]:
        """Mean and peak busy % of all cores together (100 = every core busy)."""
        if not self._machine:
            return 0.0, 0.0
        return sum(self._machine) / len(self._machine), max(self._machine)
