"""The fetcher against a real HTTP server on loopback: limits, redirects, conditional
requests, and the address check (server-side request forgery)."""

from __future__ import annotations

import socket
import time
from dataclasses import replace

import pytest

from scheduler.calendars.sources.addresses import is_public, resolve
from scheduler.calendars.sources.fetch import Fetcher, FetchLimits, normalise_url
from scheduler.calendars.sources.problems import SourceProblem
from tests.calendar_sources import feeds
from tests.calendar_sources.conftest import Route


def problem(call) -> SourceProblem:
    with pytest.raises(SourceProblem) as caught:
        call()
    return caught.value


def test_a_calendar_is_fetched_with_its_validators(feed_server, loopback_limits) -> None:
    feed_server.routes["/cal.ics"] = Route(body=feeds.google_feed(), etag='"v1"')
    with Fetcher(loopback_limits) as fetcher:
        answer = fetcher.get(feed_server.url("/cal.ics"))
        assert answer.status == 200
        assert answer.body == feeds.google_feed()
        assert answer.headers["etag"] == '"v1"'
        again = fetcher.get(feed_server.url("/cal.ics"), headers={"If-None-Match": '"v1"'})
    assert again.status == 304
    assert feed_server.seen[-1].headers["If-None-Match"] == '"v1"'
    # The real name goes out as Host although the connection is to the checked address.
    assert feed_server.seen[0].headers["Host"] == f"127.0.0.1:{feed_server.port}"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ftp://example.org/cal.ics", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("javascript:alert(1)", "url"),
        ("calendar.google.com/cal.ics", "url"),
        ("https://", "url"),
        ("https://example.org:99999/x", "url"),
        ("", "url"),
    ],
)
def test_only_web_addresses_are_accepted(text: str, code: str) -> None:
    assert problem(lambda: normalise_url(text)).code == code


def test_webcal_is_read_as_https() -> None:
    assert normalise_url(" webcal://p01-caldav.icloud.com/published/2/abc ") == (
        "https://p01-caldav.icloud.com/published/2/abc"
    )
    assert normalise_url("HTTPS://Example.org") == "https://Example.org/"


def test_loopback_and_private_addresses_are_refused(feed_server, loopback_limits) -> None:
    feed_server.routes["/cal.ics"] = Route(body=feeds.google_feed())
    strict = replace(loopback_limits, allow_private=False)
    with Fetcher(strict) as fetcher:
        refused = problem(lambda: fetcher.get(feed_server.url("/cal.ics")))
        assert refused.code == "private"
        assert "127.0.0.1" in refused.message
        # A name is checked by what it resolves to, not by how it looks.
        by_name = problem(lambda: fetcher.get(f"http://localhost:{feed_server.port}/cal.ics"))
        assert by_name.code == "private"
    assert feed_server.seen == []  # nothing was sent


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "2002:7f00:1::",
        "224.0.0.1",
    ],
)
def test_non_public_addresses(address: str) -> None:
    import ipaddress

    assert not is_public(ipaddress.ip_address(address))
    assert problem(lambda: resolve(address, 80, allow_private=False)).code == "private"


def test_public_addresses_pass_and_a_name_with_any_private_answer_is_refused(
    monkeypatch,
) -> None:
    import ipaddress

    assert is_public(ipaddress.ip_address("93.184.216.34"))
    assert is_public(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946"))

    def mixed(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", mixed)
    assert problem(lambda: resolve("cal.example.org", 443, allow_private=False)).code == "private"
    target = resolve("cal.example.org", 443, allow_private=True)
    assert (target.host, target.address) == ("cal.example.org", "93.184.216.34")


def test_the_connection_goes_to_the_checked_address(monkeypatch, feed_server, loopback_limits):
    """The name is resolved once, by the check; a second answer (rebinding) is never
    asked for, because the connection is made to the address that was checked."""
    feed_server.routes["/cal.ics"] = Route(body=feeds.google_feed())
    answers = iter(["127.0.0.1", "203.0.113.9"])
    calls = []
    real = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host == "calendar.test":
            calls.append(host)
            return real(next(answers), port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with Fetcher(loopback_limits) as fetcher:
        answer = fetcher.get(f"http://calendar.test:{feed_server.port}/cal.ics")
    assert answer.status == 200
    assert calls == ["calendar.test"]
    assert feed_server.seen[0].headers["Host"] == f"calendar.test:{feed_server.port}"


def test_an_unknown_name_is_a_dns_problem(monkeypatch, loopback_limits) -> None:
    def nothing(*_args, **_kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", nothing)
    with Fetcher(loopback_limits) as fetcher:
        found = problem(lambda: fetcher.get("https://no-such-host.example/cal.ics"))
    assert found.code == "dns"
    assert "no-such-host.example" in found.message


def test_redirects_are_followed_within_the_limit(feed_server, loopback_limits) -> None:
    feed_server.routes["/old"] = Route(status=301, headers={"Location": "/new"})
    feed_server.routes["/new"] = Route(body=feeds.nextcloud_feed())
    with Fetcher(loopback_limits) as fetcher:
        answer = fetcher.get(feed_server.url("/old"))
    assert answer.status == 200
    assert answer.url == feed_server.url("/new")


def test_a_redirect_loop_stops(feed_server, loopback_limits) -> None:
    feed_server.routes["/a"] = Route(status=302, headers={"Location": "/b"})
    feed_server.routes["/b"] = Route(status=302, headers={"Location": "/a"})
    with Fetcher(loopback_limits) as fetcher:
        found = problem(lambda: fetcher.get(feed_server.url("/a")))
    assert found.code == "redirects"
    assert len(feed_server.seen) == loopback_limits.max_redirects + 1


def test_a_redirect_to_a_private_address_is_refused(
    monkeypatch, feed_server, loopback_limits
) -> None:
    """Each hop is checked: a public server cannot bounce us into the network."""
    from scheduler.calendars.sources import addresses

    # Let the test server on 127.0.0.1 pass as a public one, and nothing else.
    real = addresses.is_public
    monkeypatch.setattr(addresses, "is_public", lambda ip: str(ip) == "127.0.0.1" or real(ip))
    feed_server.routes["/cal.ics"] = Route(
        status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    with Fetcher(replace(loopback_limits, allow_private=False)) as fetcher:
        found = problem(lambda: fetcher.get(feed_server.url("/cal.ics")))
        assert found.code == "private"
        assert "169.254.169.254" in found.message
        assert len(feed_server.seen) == 1
        answer = fetcher.request("GET", feed_server.url("/cal.ics"))
    assert answer.status == 302  # request() itself never follows


def test_a_huge_file_stops_at_the_cap(feed_server, loopback_limits) -> None:
    """50 MB, chunked without a length: reading stops just past the 1 MB cap."""
    feed_server.routes["/huge.ics"] = Route(stream_bytes=50 * 1024 * 1024)
    started = time.monotonic()
    with Fetcher(loopback_limits) as fetcher:
        found = problem(lambda: fetcher.get(feed_server.url("/huge.ics")))
    assert found.code == "too_large"
    assert "larger than 1 MB" in found.message
    assert time.monotonic() - started < 3


def test_a_declared_length_over_the_cap_is_refused_before_reading(
    feed_server, loopback_limits
) -> None:
    feed_server.routes["/big.ics"] = Route(body=b"BEGIN:VCALENDAR\r\n" + b"x" * 2_000_000)
    with Fetcher(loopback_limits) as fetcher:
        assert problem(lambda: fetcher.get(feed_server.url("/big.ics"))).code == "too_large"


def test_a_server_that_does_not_answer_times_out(feed_server, loopback_limits) -> None:
    feed_server.routes["/slow.ics"] = Route(body=feeds.google_feed(), delay=3)
    started = time.monotonic()
    with Fetcher(loopback_limits) as fetcher:
        found = problem(lambda: fetcher.get(feed_server.url("/slow.ics")))
    assert found.code == "timeout"
    assert time.monotonic() - started < 2.5


def test_a_trickling_server_hits_the_total_deadline(feed_server, loopback_limits) -> None:
    """Each chunk comes within the read timeout, but the whole exchange takes too long."""
    feed_server.routes["/trickle.ics"] = Route(stream_bytes=700 * 1024, chunk_delay=0.4)
    limits = replace(loopback_limits, total_seconds=1.5)
    started = time.monotonic()
    with Fetcher(limits) as fetcher:
        found = problem(lambda: fetcher.get(feed_server.url("/trickle.ics")))
    assert found.code == "timeout"
    assert time.monotonic() - started < 3


def test_nothing_listening_is_unreachable(loopback_limits) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Fetcher(loopback_limits) as fetcher:
        found = problem(lambda: fetcher.get(f"http://127.0.0.1:{port}/cal.ics"))
    assert found.code == "unreachable"


def test_limits_have_safe_defaults() -> None:
    limits = FetchLimits()
    assert limits.allow_private is False
    assert limits.max_redirects <= 5
    assert limits.total_seconds <= 60
