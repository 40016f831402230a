"""HTTPS to a pinned address keeps the certificate check for the name: the fetcher
connects to the checked IP but sends the name for SNI and verifies the certificate
against it (a test CA and server made here with ``cryptography``)."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from scheduler.calendars.sources.fetch import Fetcher
from scheduler.calendars.sources.problems import SourceProblem
from tests.calendar_sources import feeds


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _pem(obj) -> bytes:
    if isinstance(obj, x509.Certificate):
        return obj.public_bytes(serialization.Encoding.PEM)
    return obj.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """An HTTPS server on 127.0.0.1 with a certificate for calendar.test only."""
    folder = tmp_path_factory.mktemp("tls")
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Test CA"))
        .issuer_name(_name("Test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("calendar.test"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("calendar.test")]), False)
        .sign(ca_key, hashes.SHA256())
    )
    (folder / "ca.pem").write_bytes(_pem(ca))
    (folder / "cert.pem").write_bytes(_pem(cert) + _pem(key))
    seen_sni: list[str | None] = []
    body = feeds.google_feed()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_a) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem")
    context.sni_callback = lambda _sock, name, _ctx: seen_sni.append(name)

    class Server(ThreadingHTTPServer):
        def handle_error(self, *_a) -> None:
            pass

    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1], str(folder / "ca.pem"), seen_sni
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def names(monkeypatch):
    """calendar.test and other.test both resolve to 127.0.0.1."""
    real = socket.getaddrinfo

    def lookup(host, port, *args, **kwargs):
        if host in ("calendar.test", "other.test"):
            host = "127.0.0.1"
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)


def test_the_name_is_verified_on_the_pinned_connection(tls_server, names, loopback_limits) -> None:
    port, ca, seen_sni = tls_server
    with Fetcher(loopback_limits, verify=ssl.create_default_context(cafile=ca)) as fetcher:
        answer = fetcher.get(f"https://calendar.test:{port}/cal.ics")
    assert answer.status == 200
    assert answer.body == feeds.google_feed()
    assert seen_sni[-1] == "calendar.test"


def test_a_certificate_for_another_name_is_refused(tls_server, names, loopback_limits) -> None:
    port, ca, _ = tls_server
    with (
        Fetcher(loopback_limits, verify=ssl.create_default_context(cafile=ca)) as fetcher,
        pytest.raises(SourceProblem) as caught,
    ):
        fetcher.get(f"https://other.test:{port}/cal.ics")
    assert caught.value.code == "tls"


def test_an_unknown_authority_is_refused(tls_server, names, loopback_limits) -> None:
    port, _, _ = tls_server
    with Fetcher(loopback_limits) as fetcher, pytest.raises(SourceProblem) as caught:
        fetcher.get(f"webcal://calendar.test:{port}/cal.ics")
    assert caught.value.code == "tls"
