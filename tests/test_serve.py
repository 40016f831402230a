"""`scheduler serve` as people run it: real processes on a real port, on SQLite.

The README's demo command must work every time, not only on an empty database, and
the server must start (with its job thread) while another process has the database open.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One ``scheduler serve`` process and what it printed."""

    def __init__(
        self,
        instance: Path,
        *args: str,
        public_url: bool = True,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.port = _free_port()
        self.log = instance.parent / f"serve-{self.port}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEDULER_")}
        env.update(
            {
                "SCHEDULER_INSTANCE": str(instance),
                "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
            }
        )
        if public_url:
            env["SCHEDULER_PUBLIC_URL"] = f"http://127.0.0.1:{self.port}"
        env.update(extra_env or {})
        command = [sys.executable, "-c", "from scheduler.cli import main; main()", "serve"]
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [*command, "--port", str(self.port), *args],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"serve exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        pytest.fail(f"serve did not answer within {START_TIMEOUT} s:\n{self.output()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator:
    started: list[Server] = []

    def _serve(*args: str, public_url: bool = True, **env: str) -> Server:
        server = Server(tmp_path / "instance", *args, public_url=public_url, extra_env=env)
        started.append(server)
        return server

    yield _serve
    for server in started:
        server.stop()


def _json(url: str, body: dict | None = None) -> tuple[int, object]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"} if data else {}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def test_serve_demo_serves_on_a_new_and_on_an_existing_database(serve) -> None:
    first = serve("--demo")
    first.wait_until_serving()
    assert "Demo loaded" in first.output()
    first.stop()

    again = serve("--demo")
    again.wait_until_serving()
    status, libraries = _json(again.url("/api/v1/libraries"))
    assert status == 200
    assert len(libraries) == 5  # the demo, loaded once
    assert "already has data" in again.output()
    assert "leader@demo.example" in again.output()  # the saved sign-ins, shown again


def test_serve_runs_jobs_while_another_process_holds_the_database(serve, tmp_path) -> None:
    loader = serve("--demo")
    loader.wait_until_serving()
    loader.stop()

    # Another process opens the database and keeps a read transaction going.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "db.execute('BEGIN')\n"
            "db.execute('SELECT count(*) FROM libraries').fetchone()\n"
            "print('holding', flush=True)\n"
            "time.sleep(120)\n",
            str(tmp_path / "instance" / "scheduler.sqlite3"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        server = serve()
        server.wait_until_serving()
        # A sign-up queues a confirmation e-mail; the server's job thread sends it.
        status, sessions = _json(server.url("/api/v1/dropins"))
        assert status == 200
        open_one = next(s for s in sessions if s["registration_open"])
        status, body = _json(
            server.url(f"/api/v1/dropins/{open_one['id']}/registrations"),
            {"name": "Ola Student", "email": "ola@student.example"},
        )
        assert status == 201, body
        outbox = tmp_path / "instance" / "outbox"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not list(outbox.glob("*.eml")):
            time.sleep(0.2)
        sent = [p.read_text(errors="replace") for p in outbox.glob("*.eml")]
        assert any("ola@student.example" in text for text in sent), server.output()
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


def test_sigterm_stops_the_server_cleanly_and_leaves_no_upkeep_lease(serve, tmp_path) -> None:
    """systemd and Docker stop with SIGTERM: the server exits 0 like after Ctrl+C, and its
    upkeep thread finishes its task or gives the lease up, so the next process to start
    does not wait ten minutes for a lease held by a process that is gone."""
    server = serve("--demo", SCHEDULER_UPKEEP_POLL_SECONDS="0.2")
    server.wait_until_serving()
    database = tmp_path / "instance" / "scheduler.sqlite3"
    deadline = time.monotonic() + 30
    tasks = 0
    while time.monotonic() < deadline and not tasks:  # the upkeep thread has started
        with sqlite3.connect(database) as conn:
            tasks = conn.execute("SELECT count(*) FROM upkeep_runs").fetchone()[0]
        time.sleep(0.1)
    assert tasks, server.output()
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=20) == 0, server.output()
    with sqlite3.connect(database) as conn:
        held = conn.execute(
            "SELECT name FROM upkeep_tasks WHERE lease_holder IS NOT NULL"
        ).fetchall()
    assert held == [], server.output()


def test_serve_starts_while_another_process_holds_the_write_lock(serve, tmp_path) -> None:
    """A long write transaction elsewhere (a migration, a bulk import, a stuck script)
    must not stop the server: it starts, answers, and its job and upkeep threads catch
    up once the lock is released, instead of dying with "database is locked"."""
    loader = serve("--demo")
    loader.wait_until_serving()
    loader.stop()

    database = tmp_path / "instance" / "scheduler.sqlite3"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "db.execute('BEGIN IMMEDIATE')\n"
            "db.execute('UPDATE libraries SET name = name')\n"
            "print('holding', flush=True)\n"
            "time.sleep(120)\n",
            str(database),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        # Each write gives up after 2 s here, so the threads fail several rounds meanwhile.
        server = serve(
            SCHEDULER_SQLITE_BUSY_TIMEOUT="2",
            SCHEDULER_UPKEEP_POLL_SECONDS="1",
            SCHEDULER_UPKEEP_SWEEP="every 2s",
        )
        server.wait_until_serving()
        status, libraries = _json(server.url("/api/v1/libraries"))  # reads go on
        assert status == 200
        assert len(libraries) == 5
        time.sleep(5)  # a few rounds of the upkeep thread against the lock
        assert server.proc.poll() is None, server.output()
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()

    # Released: the upkeep thread records its heartbeat and runs.
    deadline = time.monotonic() + 30
    runs = 0
    while time.monotonic() < deadline and not runs:
        with sqlite3.connect(database) as conn:
            runs = conn.execute(
                "SELECT count(*) FROM upkeep_runs WHERE task = 'sweep' AND outcome = 'ok'"
            ).fetchone()[0]
        time.sleep(0.5)
    assert runs >= 1, server.output()
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM worker_heartbeats").fetchone()[0] >= 1
    assert server.proc.poll() is None, server.output()


def test_links_follow_the_served_address_when_no_public_url_is_set(serve) -> None:
    """Links in e-mails and feeds used localhost:8000 whatever --port said."""
    server = serve("--host", "127.0.0.1", public_url=False)
    server.wait_until_serving()
    address = f"http://127.0.0.1:{server.port}"
    status, spec = _json(server.url("/api/v1/openapi.json"))
    assert status == 200
    assert spec["servers"] == [{"url": address}]
    assert f"Serving on {address}/" in server.output()
