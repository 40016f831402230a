"""Drop-in benchmark: listing and registration throughput on SQLite and PostgreSQL.

Seeds five libraries with SESSIONS drop-in sessions over eight weeks (each with some
registrations already), then measures through the real WSGI app:

- listing: GET /api/v1/dropins (eight weeks, every session with head counts) and the
  public HTML listing /dropins/, median of repeated requests;
- sign-up latency: POST /api/v1/dropins/<id>/registrations one after another;
- sign-up throughput: a threaded HTTP server and N client threads posting at once,
  spread over many sessions and all on one session (every request waits for the same
  row lock / write lock).

Run: ``python bench/dropins_bench.py [--sessions 500] [--quick]``. PostgreSQL is used
when ``SCHEDULER_TEST_DATABASE_URL`` (default postgres@127.0.0.1:5432/test) answers;
the benchmark works in a private schema and drops it afterwards.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import secrets
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scheduler import create_app
from scheduler.extensions import db
from scheduler.models import (
    Base,
    DropInSession,
    Library,
    Person,
    Registration,
    RegistrationStatus,
    Role,
    Topic,
)
from scheduler.timeutil import local_to_utc

PG_URL = os.environ.get(
    "SCHEDULER_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def seed(app, sessions: int, per_session: int) -> list[int]:
    """Libraries, topics, hosts and ``sessions`` sessions with registrations; returns ids."""
    with app.app_context():
        libs = [
            Library(slug=f"lib{i}", name=f"Library {i}", timezone="Europe/Oslo") for i in range(5)
        ]
        topics = [Topic(slug=f"t{i}", name=f"Topic {i}") for i in range(20)]
        hosts = []
        for i in range(10):
            p = Person(email=f"host{i}@bench.example", name=f"Host {i}")
            p.set_roles([Role.LIBRARIAN])
            hosts.append(p)
        db.session.add_all(libs + topics + hosts)
        db.session.flush()
        start = date.today() + timedelta(days=1)
        rows = []
        for n in range(sessions):
            day = start + timedelta(days=n % 56)
            starts = local_to_utc(day, datetime.min.time().replace(hour=9 + n % 8), "Europe/Oslo")
            rows.append(
                DropInSession(
                    title=f"Session {n}",
                    library=libs[n % 5],
                    topic=topics[n % 20],
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=1),
                    registration_required=True,
                    capacity=per_session * 2,
                    hosts=[hosts[n % 10]],
                )
            )
        db.session.add_all(rows)
        db.session.flush()
        ids = [s.id for s in rows]
        now = datetime.now(UTC)
        db.session.execute(
            insert(Registration),
            [
                {
                    "session_id": sid,
                    "name": f"Seed {sid}-{k}",
                    "email": f"seed{sid}-{k}@bench.example",
                    "status": RegistrationStatus.REGISTERED,
                    "manage_token_hash": secrets.token_hex(32),
                    "created_at": now,
                    "updated_at": now,
                }
                for sid in ids
                for k in range(per_session)
            ],
        )
        db.session.commit()
        return ids


def median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _post(url: str, payload: dict) -> int:
    req = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=300) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def throughput(app, session_ids: list[int], requests: int, threads: int, tag: str) -> float:
    """Sign-ups per second through a threaded HTTP server with ``threads`` clients."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    base = f"http://127.0.0.1:{server.server_port}"
    jobs = [
        (
            f"{base}/api/v1/dropins/{session_ids[n % len(session_ids)]}/registrations",
            {"name": f"Bench {n}", "email": f"{tag}{n}@bench.example"},
        )
        for n in range(requests)
    ]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        codes = list(pool.map(lambda job: _post(*job), jobs))
    elapsed = time.perf_counter() - t0
    server.shutdown()
    serving.join()
    server.server_close()
    bad = [c for c in codes if c != 201]
    if bad:
        raise RuntimeError(f"{len(bad)} sign-ups failed: {sorted(set(bad))}")
    return requests / elapsed


def run(name: str, url: str, args: argparse.Namespace, instance: str) -> dict[str, float]:
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE": instance,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
            "JOBS_THREAD": False,
            "WTF_CSRF_ENABLED": False,
            "PUBLIC_URL": "https://library.bench",
        }
    )
    ids = seed(app, args.sessions, args.per_session)
    client = app.test_client()
    to = (date.today() + timedelta(weeks=8)).isoformat()
    api = f"/api/v1/dropins?to={to}"
    count = len(client.get(api).get_json())
    out = {"sessions listed": count}
    out["GET /api/v1/dropins (ms)"] = median_ms(lambda: client.get(api), args.runs)
    out["GET /dropins/ HTML (ms)"] = median_ms(lambda: client.get(f"/dropins/?to={to}"), args.runs)
    out["GET /dropins/?topic= (ms)"] = median_ms(
        lambda: client.get(f"/dropins/?to={to}&topic=1"), args.runs
    )
    seq = iter(range(10**6))

    def one_sign_up() -> None:
        n = next(seq)
        response = client.post(
            f"/api/v1/dropins/{ids[n % len(ids)]}/registrations",
            json={"name": "Seq", "email": f"seq{n}@bench.example"},
        )
        assert response.status_code == 201, response.get_json()

    out["POST sign-up, one at a time (ms)"] = median_ms(one_sign_up, args.runs * 2)
    for threads in args.threads:
        out[f"sign-ups/s, {threads} clients, many sessions"] = throughput(
            app, ids, args.requests, threads, f"many{threads}-"
        )
        out[f"sign-ups/s, {threads} clients, one session"] = throughput(
            app, ids[:1], args.requests, threads, f"one{threads}-"
        )
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return out


def pg_schema_url() -> tuple[str | None, Callable[[], None]]:
    url = make_url(PG_URL)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    try:
        admin = create_engine(url)
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        print(f"PostgreSQL not reachable ({exc.__class__.__name__}); SQLite only.")
        return None, lambda: None
    schema = f"bench_{os.getpid()}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = url.update_query_dict({"options": f"-csearch_path={schema},public"})

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return scoped.render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--per-session", type=int, default=15)
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--quick", action="store_true", help="small numbers, to try it out")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    if args.quick:
        args.sessions, args.runs, args.requests, args.threads = 60, 5, 40, [4]

    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite"] = run("SQLite", f"sqlite:///{tmp}/bench.sqlite3", args, f"{tmp}/i1")
        pg, drop = pg_schema_url()
        if pg:
            try:
                results["PostgreSQL"] = run("PostgreSQL", pg, args, f"{tmp}/i2")
            finally:
                drop()

    load = os.getloadavg()
    print(
        f"\nMachine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average at the end {load[0]:.1f} / {load[1]:.1f}"
    )
    print(
        f"Data: {args.sessions} sessions in 5 libraries over 8 weeks, "
        f"{args.per_session} registrations each; medians of {args.runs} runs; "
        f"{args.requests} sign-ups per throughput row\n"
    )
    names = list(results)
    header = "| measure | " + " | ".join(names)
    if len(names) == 2:
        header += " | PostgreSQL / SQLite"
    print(header + " |")
    print("|" + " --- |" * (len(names) + 1 + (len(names) == 2)))
    for key in results[names[0]]:
        values = [results[n][key] for n in names]
        cells = [f"{v:.0f}" if key == "sessions listed" else f"{v:.1f}" for v in values]
        ratio = ""
        if len(names) == 2 and values[0] and key != "sessions listed":
            ratio = f" | {values[1] / values[0]:.2f}"
        elif len(names) == 2:
            ratio = " | "
        print(f"| {key} | " + " | ".join(cells) + ratio + " |")


if __name__ == "__main__":
    main()
