"""The production set-up on this machine: gunicorn web workers and ``scheduler worker``.

Both run as child processes against a fresh copy of the seeded PostgreSQL database and
the local Redis (the job queue and the rate limiter's storage), with their own queue
name and key prefix so that nothing mixes with other runs or the test suite.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Setup:
    """How the servers are started (every number is also printed in the results)."""

    server: str  # PostgreSQL server URL without a database
    template: str  # the seeded database, copied for every scenario
    database: str  # the copy the servers use
    redis: str
    port: int
    web_workers: int
    web_threads: int
    job_threads: int
    instance: Path
    logs: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        return make_url(self.server).set(database=self.database).render_as_string(False)


def _admin_dsn(server: str) -> str:
    url = make_url(server).set(database="postgres", drivername="postgresql")
    return url.render_as_string(hide_password=False)


def fresh_database(setup: Setup) -> None:
    """A new copy of the seeded database (CREATE DATABASE ... TEMPLATE: a file copy)."""
    with psycopg.connect(_admin_dsn(setup.server), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{setup.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{setup.database}" TEMPLATE "{setup.template}"')


def database_exists(server: str, name: str) -> bool:
    with psycopg.connect(_admin_dsn(server), autocommit=True) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            is not None
        )


def drop_database(setup: Setup) -> None:
    with psycopg.connect(_admin_dsn(setup.server), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{setup.database}" WITH (FORCE)')


@dataclass
class Running:
    web: subprocess.Popen
    worker: subprocess.Popen
    env: dict[str, str] = field(default_factory=dict)


def environment(setup: Setup, tag: str) -> dict[str, str]:
    """The settings every process of the set-up shares."""
    env = dict(os.environ)
    env.update(
        {
            "SCHEDULER_INSTANCE": str(setup.instance),
            "SCHEDULER_DATABASE_URL": setup.database_url,
            "SCHEDULER_BROKER_URL": setup.redis,
            "SCHEDULER_BROKER_QUEUE": f"load-{tag}-{os.getpid()}",
            "SCHEDULER_RATELIMIT_STORAGE_URI": setup.redis,
            "SCHEDULER_RATELIMIT_KEY_PREFIX": f"load-{tag}-{os.getpid()}",
            # All simulated patrons come from 127.0.0.1: one address, so per-address limits
            # would stop the test in seconds. The limiter still runs (and costs) on Redis.
            "SCHEDULER_RATELIMIT_PUBLIC_WRITE": "1000000 per minute",
            "SCHEDULER_RATELIMIT_SIGN_IN": "100000 per minute",
            # The scenarios sign in with a password only (the leader too): no second step.
            "SCHEDULER_REQUIRE_2FA_ROLES": "",
            "SCHEDULER_PUBLIC_URL": setup.url,
            "SCHEDULER_JOBS_SWEEP_SECONDS": "10",
            "SCHEDULER_LOG_FORMAT": "json",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def start(setup: Setup, tag: str) -> Running:
    """Start gunicorn and one ``scheduler worker``; return once /healthz answers."""
    env = environment(setup, tag)
    setup.logs.mkdir(parents=True, exist_ok=True)
    bin_dir = Path(sys.executable).parent
    # As a deployment does: migrations first (a seed made before a schema change catches up).
    subprocess.run(
        [str(bin_dir / "scheduler"), "init-db"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:scheduler.gunicorn_conf",
            "--workers",
            str(setup.web_workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(setup.web_threads),
            "--bind",
            f"127.0.0.1:{setup.port}",
            "--backlog",
            "2048",
            "--graceful-timeout",
            "10",
            "scheduler.wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(setup.logs / f"{tag}-gunicorn.log", "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [str(bin_dir / "scheduler"), "worker", "--workers", str(setup.job_threads)],
        cwd=ROOT,
        env=env,
        stdout=open(setup.logs / f"{tag}-worker.log", "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    running = Running(web, worker, env)
    try:
        wait_healthy(setup.url + "/healthz", web, timeout=90)
        warm_up(setup)
    except BaseException:
        stop(running)
        raise
    return running


def wait_healthy(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the web server exited with {process.returncode}; see its log")
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer 200 within {timeout:.0f} s")


def warm_up(setup: Setup) -> None:
    """A few requests per web process first, so that no measured request pays for the
    first import of a view, the first template compilation or a new pool connection."""
    paths = ["/", "/book/", "/api/v1/topics", "/calendar", "/sign-in"]
    for _round in range(setup.web_workers * setup.web_threads):
        for path in paths:
            try:
                with urllib.request.urlopen(setup.url + path, timeout=30) as answer:
                    answer.read()
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass


def stop(running: Running) -> None:
    """Gunicorn: SIGTERM (graceful); the job worker: SIGINT (finish running jobs)."""
    for process, sig in ((running.web, signal.SIGTERM), (running.worker, signal.SIGINT)):
        if process.poll() is None:
            process.send_signal(sig)
    for process in (running.web, running.worker):
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
