"""The database ceiling on this machine: pgbench simple-update and select-only.

    python bench/load/pgbench_ceiling.py                 # scale 10, 16 clients, 30 s each
    python bench/load/pgbench_ceiling.py --clients 8 --seconds 60

Builds a throw-away database (``scheduler_pgbench``, dropped afterwards), runs the two
built-in scripts with as many clients as the web set-up has threads by default (4
gunicorn workers × 4 threads), and stores the transactions per second in
``bench/results/load.json``; ``bench/results/load.md`` is written again, with our
bookings/s (scenario ``bookings``) and slots/s (scenario ``slots``) as a fraction of them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))

import report
from run import RESULTS_JSON, RESULTS_MD

_TPS = re.compile(r"tps = ([0-9.]+) \((?:without initial connection time|excluding)")


def pgbench(url, database: str, *extra: str) -> str:
    command = [
        "pgbench",
        "-h",
        url.host or "127.0.0.1",
        "-p",
        str(url.port or 5432),
        "-U",
        url.username or "postgres",
        *extra,
        database,
    ]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        sys.exit(f"error: pgbench {' '.join(extra)}: {done.stderr.strip()}")
    return done.stdout


def psql(url, sql: str) -> None:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    subprocess.run(
        [
            "psql",
            "-h",
            url.host or "127.0.0.1",
            "-p",
            str(url.port or 5432),
            "-U",
            url.username or "postgres",
            "-d",
            "postgres",
            "-q",
            "-c",
            sql,
        ],
        check=True,
        env=env,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="scheduler_pgbench")
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--no-record", action="store_true", help="print only")
    args = parser.parse_args()
    url = make_url(args.server)

    psql(url, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    psql(url, f'CREATE DATABASE "{args.database}"')
    try:
        pgbench(url, args.database, "-i", "-q", "-s", str(args.scale))
        found = {"when": datetime.now(UTC).isoformat(timespec="seconds")}
        for mode in ("simple-update", "select-only"):
            out = pgbench(
                url,
                args.database,
                "-b",
                mode,
                "-c",
                str(args.clients),
                "-j",
                str(args.threads),
                "-T",
                str(args.seconds),
            )
            match = _TPS.search(out)
            if not match:
                sys.exit(f"error: pgbench {mode}: no tps in its output:\n{out}")
            found[mode] = float(match[1])
            print(f"{mode}: {found[mode]:,.0f} transactions/s", flush=True)
    finally:
        psql(url, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')

    found.update(
        {
            "scale": args.scale,
            "clients": args.clients,
            "seconds": args.seconds,
            "load_average_after": os.getloadavg(),
        }
    )
    if args.no_record:
        return
    data = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
    data["pgbench"] = found
    data.setdefault("machine", report.machine())
    RESULTS_JSON.write_text(json.dumps(data, indent=1, default=str) + "\n")
    RESULTS_MD.write_text(report.render(data))
    print(f"written: {RESULTS_MD}")


if __name__ == "__main__":
    main()
