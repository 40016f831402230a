"""bench/results/load.md from bench/results/load.json: tables, CPU shares, targets.

The targets are issue 17's, on the 2-core machine with the load generator on it too.
A target is reported as met, or missed by a factor, never hidden.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import psutil


def machine() -> dict[str, Any]:
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), ""
            )
    except OSError:
        pass

    def version(*command: str) -> str:
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.TimeoutExpired):
            return "?"
        return out.strip().splitlines()[0] if out.strip() else "?"

    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "postgres": version("psql", "--version"),
        "redis": version("redis-server", "--version"),
        "locust": version(sys.executable, "-m", "locust", "--version"),
    }


def _status_counts(result: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Per request name: ok (2xx/3xx), 409, other 4xx, 5xx, connection errors (0)."""
    out = {}
    for name, counts in result.get("status", {}).items():
        row = {"ok": 0, "409": 0, "4xx": 0, "5xx": 0, "conn": 0}
        for status, n in counts.items():
            code = int(status)
            if code == 0:
                row["conn"] += n
            elif code == 409:
                row["409"] += n
            elif code >= 500:
                row["5xx"] += n
            elif code >= 400:
                row["4xx"] += n
            else:
                row["ok"] += n
        out[name] = row
    return out


def _count(result: dict[str, Any], name: str, status: int) -> int:
    return int(result.get("status", {}).get(name, {}).get(str(status), 0))


def _stat(result: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((s for s in result.get("stats", []) if s["name"] == name), None)


def _errors(result: dict[str, Any]) -> int:
    return sum(r["5xx"] + r["conn"] for r in _status_counts(result).values())


# Targets: (label, check(result) -> (met, what was measured)) per scenario.
Check = Callable[[dict[str, Any]], tuple[bool, str]]


def _latency(name: str, pct: str, limit: float) -> Check:
    def check(result: dict[str, Any]) -> tuple[bool, str]:
        stat = _stat(result, name)
        if not stat or not stat["requests"]:
            return False, "not measured"
        value = stat[pct]
        note = f"{value:.0f} ms" + ("" if value <= limit else f" ({value / limit:.1f}× over)")
        return value <= limit, note

    return check


def _rate(name: str, floor: float) -> Check:
    def check(result: dict[str, Any]) -> tuple[bool, str]:
        stat = _stat(result, name)
        if not stat:
            return False, "not measured"
        value = stat["rps"]
        note = f"{value:.0f}/s" + (
            "" if value >= floor else f" ({floor / max(value, 1e-9):.1f}× short)"
        )
        return value >= floor, note

    return check


def _no_errors(result: dict[str, Any]) -> tuple[bool, str]:
    n = _errors(result)
    return n == 0, f"{n} 5xx or connection errors"


def _storm_exact(result: dict[str, Any]) -> tuple[bool, str]:
    name = "/api/v1/appointments [storm]"
    created, refused = _count(result, name, 201), _count(result, name, 409)
    db = result.get("database", {})
    booked = db.get("storm_booked")
    doubled = db.get("storm_slots_double_booked", 0)
    ok = created == 50 and booked == 50 and doubled == 0 and refused == result["users"] - 50
    return ok, f"{created} × 201, {refused} × 409; database: {booked} booked, {doubled} doubled"


def _solver_ran(result: dict[str, Any]) -> tuple[bool, str]:
    db = result.get("database", {})
    state = db.get("roster_job_state")
    seconds = db.get("roster_seconds")
    ran = state in ("done", "running", "JobState.DONE", "JobState.RUNNING")
    return ran, f"roster job {state or 'not started'}" + (
        f" after {seconds:.0f} s" if seconds else ""
    )


def _staff_pages(result: dict[str, Any]) -> tuple[bool, str]:
    worst = None
    for stat in result.get("stats", []):
        page = stat["name"].startswith(("/staff/", "/leader/")) and "[POST]" not in stat["name"]
        if page and (worst is None or stat["p95"] > worst["p95"]):
            worst = stat
    if worst is None:
        return False, "not measured"
    ok = worst["p95"] <= 300
    extra = "" if ok else f" ({worst['p95'] / 300:.1f}× over)"
    return ok, f"slowest {worst['name']}: p95 {worst['p95']:.0f} ms{extra}"


TARGETS: dict[str, list[tuple[str, Check]]] = {
    "slots": [
        ("free slots ≥ 200 requests/s", _rate("/api/v1/slots?topic [4 weeks]", 200)),
        ("free slots p95 ≤ 150 ms", _latency("/api/v1/slots?topic [4 weeks]", "p95", 150)),
        ("no 5xx", _no_errors),
    ],
    "booking-storm": [
        ("exactly 50 bookings, the rest 409", _storm_exact),
        ("zero 5xx", _no_errors),
        ("p95 ≤ 500 ms", _latency("/api/v1/appointments [storm]", "p95", 500)),
    ],
    "feed-polling": [
        (
            "304 p95 ≤ 5 ms (personal)",
            _latency("/feeds/:token/:kind.ics [If-None-Match]", "p95", 5),
        ),
        (
            "304 p95 ≤ 5 ms (public)",
            _latency("/feeds/public/dropins.ics [If-None-Match]", "p95", 5),
        ),
        ("full public feed p95 ≤ 50 ms", _latency("/feeds/public/dropins.ics [full]", "p95", 50)),
        ("no 5xx", _no_errors),
    ],
    "staff-day": [
        ("a roster run was solving", _solver_ran),
        ("staff pages p95 ≤ 300 ms", _staff_pages),
        ("no 5xx", _no_errors),
    ],
    "exam-week": [
        ("free slots p95 ≤ 150 ms", _latency("/api/v1/slots?topic [4 weeks]", "p95", 150)),
        ("no 5xx", _no_errors),
    ],
    "bookings": [("no 5xx", _no_errors)],
    "feed-ceiling": [("no 5xx", _no_errors)],
}


def summary(result: dict[str, Any]) -> str:
    total = _stat(result, "all requests") or {"requests": 0, "rps": 0, "p95": 0}
    lines = [
        f"[{result['scenario']}] {total['requests']} requests, {total['rps']:.1f}/s, "
        f"p95 {total['p95']:.0f} ms, {_errors(result)} errors; CPU {result['cpu']}"
    ]
    for label, check in TARGETS.get(result["scenario"], []):
        ok, note = check(result)
        lines.append(f"  {'met ' if ok else 'MISS'} {label}: {note}")
    return "\n".join(lines)


def _ratio_section(data: dict[str, Any]) -> list[str]:
    bench = data.get("pgbench")
    if not bench:
        return [
            "",
            "## Against the database ceiling",
            "",
            "Not measured yet: run `python bench/load/pgbench_ceiling.py`.",
        ]
    scenarios = data.get("scenarios", {})
    lines = [
        "",
        "## Against the database ceiling",
        "",
        f"`pgbench` on the same server (scale {bench['scale']}, {bench['clients']} clients, "
        f"{bench['seconds']} s each, {bench['when']}):",
        "",
        "| pgbench | transactions/s | ours | ours per second | fraction |",
        "| --- | ---: | --- | ---: | ---: |",
    ]
    pairs = [
        ("simple-update", "bookings", "/api/v1/appointments [POST]", 201, "bookings (201)"),
        ("select-only", "slots", "/api/v1/slots?topic [4 weeks]", None, "free-slot searches"),
    ]
    for mode, scenario, name, status, label in pairs:
        tps = bench.get(mode)
        result = scenarios.get(scenario)
        ours = None
        if result:
            if status is None:
                stat = _stat(result, name)
                ours = stat["rps"] if stat else None
            else:
                ours = _count(result, name, status) / max(result["seconds"], 1e-9)
        fraction = f"{ours / tps:.4f}" if ours and tps else "–"
        ours_text = f"{ours:.1f}" if ours is not None else "not measured"
        lines.append(f"| {mode} | {tps:,.0f} | {label} | {ours_text} | {fraction} |")
    lines += [
        "",
        "A booking is one HTTP request doing about a dozen statements (checks, a row lock, "
        "the slot computation, the insert, two e-mails and their jobs) in one transaction; "
        "a pgbench simple-update transaction is four statements. A free-slot search reads "
        "seven small result sets and computes the slots in Python.",
    ]
    return lines


def render(data: dict[str, Any]) -> str:
    m = data.get("machine", {})
    out = [
        "# Load tests: the production set-up under load",
        "",
        "Recorded by `python bench/load/run.py all` (see bench/load/README.md); do not edit",
        "by hand: the runner writes this file again from `load.json` after every scenario.",
        "",
        f"**Machine**: {m.get('cpu', '?')}, {m.get('cores', '?')} cores, "
        f"{m.get('memory_gb', '?')} GB, Python {m.get('python', '?')}, {m.get('postgres', '?')}, "
        f"{m.get('redis', '?')}, {m.get('locust', '?')}. The load generator (Locust, one "
        "process) runs on the same machine: its CPU share is in the CPU table.",
        "",
        "**Set-up**: gunicorn (gthread) on 127.0.0.1 with the workers and threads shown, one "
        "`scheduler worker` on the Redis queue, PostgreSQL and Redis on the same host; the "
        "database is a fresh copy of the busy term (`bench/load/seed.py`: 5 libraries, 40 "
        "librarians, 20,000 appointments, 2,000 drop-in sessions, a year of published "
        "shifts for the first-line team, 300 personal feeds) for every scenario.",
        "",
        "## Requests",
        "",
        "Latencies in ms as Locust measured them (client side, including the load "
        "generator's own waiting). ok = 2xx/3xx; 409 is a correct answer where a slot was "
        "taken; errors = 5xx and connection errors.",
        "",
        "| scenario | request | requests | per second | p50 | p95 | p99 | ok | 409 "
        "| other 4xx | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    scenarios = data.get("scenarios", {})
    for name, result in scenarios.items():
        counts = _status_counts(result)
        for stat in result.get("stats", []):
            c = counts.get(stat["name"])
            if stat["name"] == "all requests":
                c = {
                    k: sum(r[k] for r in counts.values())
                    for k in ("ok", "409", "4xx", "5xx", "conn")
                }
            c = c or {"ok": 0, "409": 0, "4xx": 0, "5xx": 0, "conn": 0}
            label = f"**{stat['name']}**" if stat["name"] == "all requests" else stat["name"]
            out.append(
                f"| {name}{' (smoke)' if result.get('smoke') else ''} | {label} | "
                f"{stat['requests']} | {stat['rps']:.1f} | {stat['p50']:.0f} | {stat['p95']:.0f} "
                f"| {stat['p99']:.0f} | {c['ok']} | {c['409']} | {c['4xx']} "
                f"| {c['5xx'] + c['conn']} |"
            )
    out += [
        "",
        "## CPU",
        "",
        "CPU time used during the run divided by its wall time: 100 % is one core, the "
        "machine has 200 %. web = gunicorn and its workers; jobs = `scheduler worker` "
        "(e-mails, roster runs); postgres = the server's own processes and this database's "
        "backends. Machine busy = all cores together (100 % = both busy).",
        "",
        "| scenario | users | seconds | web | jobs | postgres | redis | load generator "
        "| machine busy mean / peak | load average before → after | web workers × threads |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for name, r in scenarios.items():
        c, mb, la, s = r["cpu"], r["machine_busy"], r["load_average"], r["setup"]
        before = " ".join(f"{x:.1f}" for x in la["before"])
        after = " ".join(f"{x:.1f}" for x in la["after"])
        out.append(
            f"| {name} | {r['users']} | {r['seconds']:.0f} | {c.get('web', 0):.0f} % | "
            f"{c.get('jobs', 0):.0f} % | {c.get('postgres', 0):.0f} % | "
            f"{c.get('redis', 0):.0f} % | "
            f"{c.get('load generator', 0):.0f} % | {mb['mean']:.0f} / {mb['peak']:.0f} % | "
            f"{before} → {after} | {s['web_workers']} × {s['web_threads']} |"
        )
    out += ["", "## Targets (issue 17)", "", "| scenario | target | met | measured |"]
    out += ["| --- | --- | --- | --- |"]
    for name, result in scenarios.items():
        for label, check in TARGETS.get(name, []):
            ok, note = check(result)
            out.append(f"| {name} | {label} | {'yes' if ok else '**no**'} | {note} |")
    out += _ratio_section(data)
    out += ["", "## After each run (database)", ""]
    for name, result in scenarios.items():
        db = result.get("database", {})
        out.append(
            f"- **{name}** ({result['when']}): jobs {db.get('jobs', {})}, "
            f"e-mails {db.get('emails', {})}"
            + "".join(
                f", {k.replace('_', ' ')} {v}" for k, v in db.items() if k not in ("jobs", "emails")
            )
        )
    return "\n".join(out) + "\n"
