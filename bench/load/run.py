"""Run load scenarios against the production set-up on this machine and record the results.

    python bench/load/run.py exam-week            # one scenario
    python bench/load/run.py all                  # every scenario, one after the other
    python bench/load/run.py booking-storm --users 500 --seconds 60
    python bench/load/run.py slots --smoke        # 5 users for 5 s: does the harness work?

For each scenario: a fresh copy of the seeded database (``seed.py`` runs first when the
seed database or the plan is missing), gunicorn with several gthread workers on
PostgreSQL, one ``scheduler worker`` on the Redis queue, then Locust headless for a fixed
time (it stops by itself, and only ever talks to 127.0.0.1). CPU is sampled for the web
workers, the job worker, PostgreSQL, Redis and Locust itself. The numbers are stored in
``bench/results/load.json`` (one entry per scenario, replaced when run again) and the
whole of ``bench/results/load.md`` is written again from it, with the targets of
issue 17 checked.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cpu
import report
import servers

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = HERE / "out"
RESULTS_JSON = ROOT / "bench" / "results" / "load.json"
RESULTS_MD = ROOT / "bench" / "results" / "load.md"


@dataclass(frozen=True)
class Scenario:
    file: str
    users: int
    spawn_rate: float
    seconds: int
    what: str


SCENARIOS: dict[str, Scenario] = {
    "exam-week": Scenario(
        "exam_week.py", 200, 20, 180, "patrons browse, list free slots, book, move, cancel"
    ),
    "booking-storm": Scenario(
        "booking_storm.py", 500, 500, 60, "500 patrons book the same 50 slots at once"
    ),
    "feed-polling": Scenario(
        "feed_polling.py", 400, 40, 180, "300 personal feeds and the public feed, If-None-Match"
    ),
    "feed-ceiling": Scenario(
        "feed_ceiling.py", 400, 40, 120, "the same feeds polled every 0.5-2 s (saturation)"
    ),
    "staff-day": Scenario(
        "staff_day.py", 40, 4, 180, "librarians and leaders on their pages during a roster run"
    ),
    "slots": Scenario("slots.py", 100, 20, 120, "free slots for a topic, 4 weeks, only"),
    "bookings": Scenario("bookings.py", 40, 10, 120, "book free slots as fast as possible"),
}


def read_stats(prefix: Path) -> list[dict[str, Any]]:
    """Locust's ``*_stats.csv``: one row per request name plus "Aggregated"."""
    rows = []
    with open(f"{prefix}_stats.csv", newline="") as f:
        for row in csv.DictReader(f):

            def num(key: str, row: dict = row) -> float:
                value = row.get(key) or "0"
                return 0.0 if value == "N/A" else float(value)

            rows.append(
                {
                    "name": row["Name"] if row["Name"] != "Aggregated" else "all requests",
                    "method": row["Type"],
                    "requests": int(num("Request Count")),
                    "failures": int(num("Failure Count")),
                    "rps": num("Requests/s"),
                    "p50": num("50%"),
                    "p95": num("95%"),
                    "p99": num("99%"),
                    "max": num("Max Response Time"),
                }
            )
    return rows


def check_database(scenario: str, setup: servers.Setup, extra: dict[str, Any]) -> dict[str, Any]:
    """What the database says after the run (for the storm: how many of its slots booked)."""
    facts: dict[str, Any] = {}
    dsn = setup.database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        if scenario == "booking-storm" and extra.get("storm_slots"):
            per_slot = []
            for librarian, start in extra["storm_slots"]:
                row = conn.execute(
                    "SELECT count(*) FROM appointments WHERE librarian_id = %s "
                    "AND starts_at = %s::timestamptz AND status <> 'cancelled'",
                    (int(librarian), start),
                ).fetchone()
                per_slot.append(int(row[0]))
            facts["storm_booked"] = sum(per_slot)
            facts["storm_slots_with_one_booking"] = sum(1 for n in per_slot if n == 1)
            facts["storm_slots_double_booked"] = sum(1 for n in per_slot if n > 1)
        if scenario == "staff-day" and extra.get("roster_run"):
            row = conn.execute(
                "SELECT j.state, j.started_at, j.finished_at, r.status, r.objective "
                "FROM roster_runs r LEFT JOIN jobs j ON j.id = r.job_id WHERE r.id = %s",
                (int(extra["roster_run"]),),
            ).fetchone()
            if row:
                facts["roster_job_state"] = str(row[0])
                facts["roster_solver_status"] = row[3]
                if row[1] and row[2]:
                    facts["roster_seconds"] = (row[2] - row[1]).total_seconds()
        facts["jobs"] = dict(
            conn.execute("SELECT state, count(*) FROM jobs GROUP BY state").fetchall()
        )
        facts["emails"] = dict(
            conn.execute("SELECT state, count(*) FROM outbound_emails GROUP BY state").fetchall()
        )
    return facts


def run_scenario(name: str, args: argparse.Namespace, setup: servers.Setup) -> dict[str, Any]:
    scenario = SCENARIOS[name]
    users = args.users or scenario.users
    seconds = args.seconds or scenario.seconds
    rate = args.spawn_rate or scenario.spawn_rate
    if args.smoke:
        users, seconds, rate = min(users, 5), 5, 5
    tag = name
    prefix = OUT / name
    status_file = OUT / f"{name}-status.json"
    status_file.unlink(missing_ok=True)
    print(f"[{name}] fresh database {setup.database} from {setup.template}", flush=True)
    servers.fresh_database(setup)
    running = servers.start(setup, tag)
    print(f"[{name}] gunicorn pid {running.web.pid}, worker pid {running.worker.pid}", flush=True)
    sampler = cpu.Sampler(
        {
            "web": cpu.by_pid(running.web.pid),
            "jobs": cpu.by_pid(running.worker.pid),
            "postgres": cpu.postgres_for(setup.database),
            "redis": cpu.by_name("redis-server"),
        }
    )
    env = dict(running.env)
    env.update(
        {
            "LOAD_PLAN": str(args.plan),
            "LOAD_STATUS": str(status_file),
            "LOAD_SOLVE_SECONDS": str(seconds),
        }
    )
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(HERE / "scenarios" / scenario.file),
        "--headless",
        "--only-summary",
        "--users",
        str(users),
        "--spawn-rate",
        str(rate),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        setup.url,
        "--csv",
        str(prefix),
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    try:
        sampler.start()
        print(f"[{name}] locust: {users} users, {seconds} s", flush=True)
        with open(OUT / f"{name}-locust.log", "wb") as log:
            locust = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
            sampler.add("load generator", cpu.by_pid(locust.pid))
            try:
                locust.wait(timeout=seconds + 120)
            except subprocess.TimeoutExpired:
                locust.kill()
                locust.wait()
        sampler.stop()
        # Let the job worker finish the e-mails the run queued before reading the database.
        time.sleep(min(15, 2 + seconds / 20))
    finally:
        servers.stop(running)
    if locust.returncode not in (0, None):
        print(
            f"[{name}] locust exited with {locust.returncode}; see {OUT / (name + '-locust.log')}"
        )
    measured = json.loads(status_file.read_text()) if status_file.exists() else {}
    extra = measured.get("extra", {})
    mean, peak = sampler.machine()
    result = {
        "scenario": name,
        "what": scenario.what,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "users": users,
        "spawn_rate": rate,
        "seconds": round(sampler.ended - sampler.began, 1),
        "smoke": bool(args.smoke),
        "setup": {
            "web_workers": setup.web_workers,
            "web_threads": setup.web_threads,
            "job_threads": setup.job_threads,
        },
        "stats": read_stats(prefix),
        "status": measured.get("status", {}),
        "extra": {k: v for k, v in extra.items() if k != "storm_slots"},
        "database": check_database(name, setup, extra),
        "cpu": {k: round(v, 1) for k, v in sampler.shares().items()},
        "machine_busy": {"mean": round(mean, 1), "peak": round(peak, 1)},
        "load_average": {"before": sampler.load_before, "after": sampler.load_after},
    }
    if not args.keep_database:
        servers.drop_database(setup)
    return result


def store(result: dict[str, Any]) -> None:
    data = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
    data.setdefault("scenarios", {})[result["scenario"]] = result
    data["machine"] = report.machine()
    RESULTS_JSON.write_text(json.dumps(data, indent=1, default=str) + "\n")
    RESULTS_MD.write_text(report.render(data))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", choices=[*SCENARIOS, "all"])
    parser.add_argument("--users", type=int, help="simulated users (default per scenario)")
    parser.add_argument("--seconds", type=int, help="run time (default per scenario)")
    parser.add_argument("--spawn-rate", type=float, help="users started per second")
    parser.add_argument("--smoke", action="store_true", help="5 users, 5 s: test the harness")
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn processes")
    parser.add_argument("--web-threads", type=int, default=4, help="threads per gunicorn process")
    parser.add_argument("--job-threads", type=int, default=2, help="scheduler worker --workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--template", default="scheduler_load_seed", help="the seeded database")
    parser.add_argument("--database", default="scheduler_load", help="the per-scenario copy")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--plan", type=Path, default=OUT / "plan.json")
    parser.add_argument("--reseed", action="store_true", help="run seed.py first in any case")
    parser.add_argument("--keep-database", action="store_true", help="leave the copy behind")
    parser.add_argument(
        "--no-record", action="store_true", help="print, but leave bench/results alone"
    )
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    if (
        args.reseed
        or not args.plan.exists()
        or not servers.database_exists(args.server, args.template)
    ):
        subprocess.run(
            [
                sys.executable,
                str(HERE / "seed.py"),
                "--server",
                args.server,
                "--database",
                args.template,
                "--plan",
                str(args.plan),
                "--instance",
                str(OUT / "instance"),
            ],
            check=True,
        )
    setup = servers.Setup(
        server=args.server,
        template=args.template,
        database=args.database,
        redis=args.redis,
        port=args.port,
        web_workers=args.web_workers,
        web_threads=args.web_threads,
        job_threads=args.job_threads,
        instance=OUT / "instance",
        logs=OUT,
    )
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, load {os.getloadavg()}")
    print(f"set-up: {json.dumps(asdict(setup), default=str)}")
    for name in names:
        result = run_scenario(name, args, setup)
        print(report.summary(result), flush=True)
        if not args.no_record:
            store(result)
    if not args.no_record:
        print(f"written: {RESULTS_MD.relative_to(ROOT)} and {RESULTS_JSON.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
