"""Checks on what a calendar app receives: raw bytes and what icalendar reads back."""

from __future__ import annotations

import http.client
import re
from urllib.parse import urlencode, urlsplit

from icalendar import Calendar


def ics_lines(body: bytes) -> list[bytes]:
    """Physical lines, after checking the framing every client relies on."""
    assert body.endswith(b"\r\n"), "the calendar must end with CRLF"
    lines = body[:-2].split(b"\r\n")
    for line in lines:
        assert b"\n" not in line, f"bare LF in {line!r}"
        assert b"\r" not in line, f"bare CR in {line!r}"
        assert len(line) <= 75, f"{len(line)} octets: {line!r}"
        line.decode("utf-8")  # a fold never splits a multi-byte character
    return lines


def unfolded(body: bytes) -> list[str]:
    """Logical content lines (RFC 5545 unfolding), as text."""
    return body.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")[:-1]


def parse_ics(body: bytes) -> Calendar:
    ics_lines(body)
    cal = Calendar.from_ical(body)
    assert not cal.get_missing_tzids(), "every TZID used needs its VTIMEZONE"
    return cal


def events_by_uid(body: bytes) -> dict[str, object]:
    return {str(ev["UID"]): ev for ev in parse_ics(body).walk("VEVENT")}


UID_RE = re.compile(r"^(shift|appointment|session)-\d+@library\.test$")


def session_cookie(app, person) -> str:
    """A ``Cookie`` header signing ``person`` in, for requests to the live server."""
    from contextlib import nullcontext

    from flask import has_app_context

    from scheduler.extensions import db
    from scheduler.signin import sessions
    from scheduler.signin.policy import SessionPolicy

    # In the test's own app context (its session may hold the SQLite write lock); the
    # commit also publishes what the test arranged, as the test client does.
    with nullcontext() if has_app_context() else app.app_context():
        token = sessions.start(db.session, person, SessionPolicy(), sessions.Device())
        db.session.commit()
    serializer = app.session_interface.get_signing_serializer(app)
    value = serializer.dumps({"_user_id": token, "_fresh": True})
    return f"{app.config.get('SESSION_COOKIE_NAME', 'session')}={value}"


def post_form(url: str, data: dict[str, str], cookie: str) -> int:
    """POST a form over a real connection; the status, without following redirects."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
        connection.request("POST", parts.path, urlencode(data), headers)
        return connection.getresponse().status
    finally:
        connection.close()
