"""Faults under load: PostgreSQL or Redis cut in the middle of the exam-week load.

    python bench/load/faults.py postgres     # the database cut for 5 s, 20 s into 60 s
    python bench/load/faults.py redis        # Redis cut for 10 s, 20 s into 60 s
    python bench/load/faults.py all

The production set-up of ``run.py`` (gunicorn, ``scheduler worker``), but the servers
reach PostgreSQL and Redis through a TCP proxy in this process (tests/faults/proxy.py).
Cutting the proxy breaks every open connection and refuses new ones, as a restart of
the server does, without touching the real servers the rest of the machine uses.

Checked and written to ``bench/results/faults.md``: answers per second and status
around the cut, no 500 at all, 503s carry Retry-After (checked by the test suite; the
runner counts them), how long after the restore every answer is good again, that
every booking answered 201 is in the database and none answered otherwise is, and
(Redis) that every job row queued meanwhile was run in the end.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import servers  # noqa: E402
from run import OUT  # noqa: E402

from tests.faults.proxy import TcpProxy  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "faults.md"
RESULTS_JSON = ROOT / "bench" / "results" / "faults.json"
FAULTS = {
    "postgres": {"cut_at": 20, "cut_for": 5, "seconds": 60},
    "redis": {"cut_at": 20, "cut_for": 10, "seconds": 60},
}


def run_fault(name: str, args: argparse.Namespace) -> dict[str, Any]:
    plan = dict(FAULTS[name])
    seconds = args.seconds or plan["seconds"]
    if seconds < plan["seconds"]:  # a short (smoke) run: cut at a third, for a twelfth
        plan["cut_at"], plan["cut_for"] = seconds / 3, max(1.0, seconds / 12)
    pg = make_url(args.server)
    pg_proxy = TcpProxy(pg.host or "127.0.0.1", pg.port or 5432).start()
    redis_url = make_url(args.redis.replace("redis://", "postgresql://", 1))
    redis_proxy = TcpProxy(redis_url.host or "127.0.0.1", redis_url.port or 6379).start()
    proxy = pg_proxy if name == "postgres" else redis_proxy
    setup = servers.Setup(
        server=pg.set(host="127.0.0.1", port=pg_proxy.port).render_as_string(False),
        template=args.template,
        database=args.database,
        redis=f"redis://127.0.0.1:{redis_proxy.port}/{redis_url.database or 0}",
        port=args.port,
        web_workers=args.web_workers,
        web_threads=args.web_threads,
        job_threads=2,
        instance=OUT / "instance",
        logs=OUT,
    )
    status_file = OUT / f"fault-{name}-status.json"
    status_file.unlink(missing_ok=True)
    servers.fresh_database(setup)
    running = servers.start(setup, f"fault-{name}")
    env = dict(running.env)
    env.update({"LOAD_PLAN": str(args.plan), "LOAD_STATUS": str(status_file)})
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(HERE / "scenarios" / "exam_week.py"),
        "--headless",
        "--only-summary",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.users),
        "--run-time",
        f"{seconds}s",
        "--host",
        setup.url,
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    events: dict[str, float] = {}
    try:
        with open(OUT / f"fault-{name}-locust.log", "wb") as log:
            started = time.monotonic()
            locust = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)

            def inject() -> None:
                time.sleep(plan["cut_at"])
                events["cut"] = time.monotonic() - started
                proxy.cut()
                time.sleep(plan["cut_for"])
                proxy.restore()
                events["restored"] = time.monotonic() - started

            injector = threading.Thread(target=inject, daemon=True)
            injector.start()
            locust.wait(timeout=seconds + 120)
            injector.join()
        time.sleep(15)  # the worker's sweep (every 10 s here) sends what waited
    finally:
        servers.stop(running)
    measured = json.loads(status_file.read_text()) if status_file.exists() else {}
    facts = check_database(setup, args, measured.get("bookings", {}))
    servers.drop_database(replace(setup, server=args.server))
    pg_proxy.close()
    redis_proxy.close()
    return {
        "fault": name,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "users": args.users,
        "seconds": seconds,
        "cut_at": round(events.get("cut", 0), 1),
        "restored_at": round(events.get("restored", 0), 1),
        "status": measured.get("status", {}),
        "timeline": measured.get("timeline", {}),
        "database": facts,
    }


def check_database(setup: servers.Setup, args: argparse.Namespace, bookings: dict) -> dict:
    """Directly (not through the proxy): bookings against answers; jobs left behind."""
    url = make_url(args.server).set(database=setup.database, drivername="postgresql")
    created = set(bookings.get("created", []))
    refused = set(bookings.get("refused", []))
    with psycopg.connect(url.render_as_string(False)) as conn:
        stored = {
            row[0]
            for row in conn.execute(
                "SELECT patron_email FROM appointments WHERE patron_email = ANY(%s)",
                (sorted(created | refused),),
            )
        }
        jobs = dict(conn.execute("SELECT state, count(*) FROM jobs GROUP BY state").fetchall())
        emails = dict(
            conn.execute("SELECT state, count(*) FROM outbound_emails GROUP BY state").fetchall()
        )
    return {
        "bookings_201": len(created),
        "bookings_refused": len(refused),
        "missing_201": len(created - stored),
        "stored_but_refused": len(refused & stored),
        "jobs": {str(k): v for k, v in jobs.items()},
        "emails": {str(k): v for k, v in emails.items()},
    }


def _recovery(result: dict[str, Any]) -> float | None:
    """Seconds from the restore to the first second after which no answer was an error."""
    restored = result["restored_at"]
    bad_seconds = [
        int(second)
        for second, counts in result["timeline"].items()
        if any(int(status) >= 500 or int(status) == 0 for status in counts)
    ]
    later = [s for s in bad_seconds if s >= restored - 1]
    if not later:
        return 0.0
    return max(0.0, max(later) + 1 - restored)


def render(results: dict[str, dict[str, Any]]) -> str:
    out = [
        "# Faults under load",
        "",
        "Recorded by `python bench/load/faults.py all` (see bench/load/faults.md): the",
        "exam-week scenario against gunicorn + `scheduler worker`, with PostgreSQL or Redis",
        "cut through a TCP proxy in the middle of it. Written again after every run.",
        "",
        "| fault | users | cut at → restored (s) | answers | 503 | 500 / other 5xx "
        "| connection errors | back to all good after restore "
        "| 201s missing from the database | refused but stored |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        totals: dict[int, int] = {}
        for counts in r["status"].values():
            for status, n in counts.items():
                totals[int(status)] = totals.get(int(status), 0) + n
        answers = sum(totals.values())
        other_5xx = sum(n for s, n in totals.items() if s >= 500 and s != 503)
        recovery = _recovery(r)
        db = r["database"]
        out.append(
            f"| {name} | {r['users']} | {r['cut_at']} → {r['restored_at']} | {answers} | "
            f"{totals.get(503, 0)} | {other_5xx} | {totals.get(0, 0)} | "
            f"{'–' if recovery is None else f'{recovery:.0f} s'} | {db['missing_201']} of "
            f"{db['bookings_201']} | {db['stored_but_refused']} of {db['bookings_refused']} |"
        )
    out += ["", "## Answers per second around the cut", ""]
    for name, r in results.items():
        out += [f"### {name}", "", "| second | 2xx/3xx | 409/422 | 503 | other errors |"]
        out += ["| ---: | ---: | ---: | ---: | ---: |"]
        for second in sorted(r["timeline"], key=int):
            s = int(second)
            if not (r["cut_at"] - 3 <= s <= r["restored_at"] + 8):
                continue
            counts = {int(k): v for k, v in r["timeline"][second].items()}
            ok = sum(v for k, v in counts.items() if 0 < k < 400)
            client = sum(v for k, v in counts.items() if k in (409, 422))
            unavailable = counts.get(503, 0)
            other = sum(
                v for k, v in counts.items() if k == 0 or (k >= 400 and k not in (409, 422, 503))
            )
            out.append(f"| {s} | {ok} | {client} | {unavailable} | {other} |")
        db = r["database"]
        out += ["", f"Afterwards: jobs {db['jobs']}, e-mails {db['emails']}.", ""]
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("fault", choices=[*FAULTS, "all"])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=int)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--template", default="scheduler_load_seed")
    parser.add_argument("--database", default="scheduler_faults")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--plan", type=Path, default=OUT / "plan.json")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    if not args.plan.exists() or not servers.database_exists(args.server, args.template):
        sys.exit("error: no seeded database: run `python bench/load/seed.py` (or run.py) first")
    OUT.mkdir(parents=True, exist_ok=True)
    names = list(FAULTS) if args.fault == "all" else [args.fault]
    stored = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
    for name in names:
        result = run_fault(name, args)
        print(render({name: result}))
        if not args.no_record:
            stored[name] = result
            RESULTS_JSON.write_text(json.dumps(stored, indent=1) + "\n")
            RESULTS.write_text(render(stored))


if __name__ == "__main__":
    main()
