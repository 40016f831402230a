"""Real servers on loopback for connected-calendar tests: a small HTTP server whose
answers each test sets per path, and a Radicale CalDAV server started from PyPI's
package in a subprocess."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from scheduler.calendars.sources.fetch import FetchLimits


@dataclass
class Route:
    """What the server answers on one path."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/calendar"})
    delay: float = 0.0  # seconds before answering
    chunk_delay: float = 0.0  # seconds between 64 KB chunks (a slow server)
    stream_bytes: int = 0  # send this many bytes of padding, chunked, no length
    etag: str | None = None  # answer 304 to a matching If-None-Match


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up on purpose (size cap, timeout) is not an error."""


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.seen.append(Seen(self.path, dict(self.headers.items())))
                route = server.routes.get(self.path)
                if route is None:
                    self._send(404, {"Content-Type": "text/plain"}, b"Not found")
                    return
                if route.delay:
                    time.sleep(route.delay)
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    self._send(304, {"ETag": route.etag}, b"")
                    return
                headers = dict(route.headers)
                if route.etag:
                    headers["ETag"] = route.etag
                if route.stream_bytes:
                    self._stream(route, headers)
                    return
                self._send(route.status, headers, route.body)

            def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _stream(self, route: Route, headers: dict[str, str]) -> None:
                self.send_response(route.status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b"BEGIN:VCALENDAR\r\n" + b"X" * (65536 - 17)
                sent = 0
                try:
                    while sent < route.stream_bytes:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        sent += len(chunk)
                        if route.chunk_delay:
                            time.sleep(route.chunk_delay)
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.close()


@pytest.fixture
def loopback_limits() -> FetchLimits:
    """Limits for tests: loopback allowed (the setting), short timeouts, 1 MB cap."""
    return FetchLimits(
        max_bytes=1024 * 1024,
        connect_seconds=2.0,
        read_seconds=1.0,
        total_seconds=3.0,
        max_redirects=3,
        allow_private=True,
    )


@dataclass
class Radicale:
    url: str
    username: str
    password: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    """A Radicale CalDAV server with one user, for the whole test session."""
    root: Path = tmp_path_factory.mktemp("radicale")
    (root / "users").write_text("kari:app-password-1\n")
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "radicale",
            f"--storage-filesystem-folder={root / 'collections'}",
            "--auth-type=htpasswd",
            f"--auth-htpasswd-filename={root / 'users'}",
            "--auth-htpasswd-encryption=plain",
            "--auth-delay=0",
            f"--server-hosts=127.0.0.1:{port}",
            "--logging-level=error",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("Radicale did not start")
                time.sleep(0.1)
        yield Radicale(f"http://127.0.0.1:{port}/", "kari", "app-password-1")
    finally:
        process.terminate()
        process.wait(timeout=10)
