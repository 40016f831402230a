"""Read the events of a CalDAV collection (Nextcloud, iCloud, Fastmail, Radicale ...).

The protocol is the ``caldav`` library's: it finds the calendar, asks the server for the
events that touch the window (a calendar-query REPORT) and handles authentication
(Basic or Digest, from the server's challenge). Its HTTP goes through our
:class:`~scheduler.calendars.sources.fetch.Fetcher` instead of its own connection pool:
a transport adapter mounted on the library's session sends every request, redirects
included, to a checked public address with our timeouts and size cap.

The address may be the calendar itself (".../calendars/alice/personal/") or the
account's root; for a root, every calendar of the account that holds events is read.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import caldav
import niquests
from caldav.lib import error as caldav_error
from icalendar import Calendar
from niquests.adapters import BaseAdapter
from niquests.structures import CaseInsensitiveDict

from scheduler.calendars.sources.expand import parse_calendars
from scheduler.calendars.sources.fetch import Fetcher
from scheduler.calendars.sources.problems import SourceProblem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CalDAVCredentials:
    url: str
    username: str
    password: str


class GuardedAdapter(BaseAdapter):
    """A niquests transport adapter that sends through our :class:`Fetcher`."""

    def __init__(self, fetcher: Fetcher) -> None:
        super().__init__()
        self.fetcher = fetcher

    def send(self, request: Any, *_args: Any, **_kwargs: Any) -> niquests.Response:
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        answer = self.fetcher.request(
            request.method or "GET", request.url, headers=headers, content=body or None
        )
        response = niquests.Response()
        response.status_code = answer.status
        response.reason = answer.reason
        response.headers = CaseInsensitiveDict(dict(answer.headers.items()))
        response.url = request.url
        response.request = request
        response.encoding = _charset(answer.headers.get("content-type", ""))
        response._content = answer.body
        response._content_consumed = True
        response.connection = self  # Digest authentication re-sends through it
        return response

    def close(self) -> None:
        """The fetcher belongs to the caller, who closes it."""


def read_caldav(
    credentials: CalDAVCredentials,
    *,
    fetcher: Fetcher,
    window_start: datetime,
    window_end: datetime,
) -> list[Calendar]:
    """The calendar objects (each a VCALENDAR) with events touching the window."""
    try:
        client = caldav.DAVClient(
            url=credentials.url,
            username=credentials.username,
            password=credentials.password,
            enable_rfc6764=False,
            timeout=int(fetcher.limits.read_seconds),
        )
    except (ValueError, caldav_error.DAVError) as exc:
        raise SourceProblem("caldav", detail=str(exc)) from None
    adapter = GuardedAdapter(fetcher)
    client.session.mount("https://", adapter)
    client.session.mount("http://", adapter)
    client.session.max_redirects = fetcher.limits.max_redirects
    client.session.trust_env = False
    # Cookies would need the raw urllib3 response, which our adapter does not have;
    # CalDAV authenticates every request anyway.
    client.session.allow_incoming_cookies = False
    try:
        with client:
            return _read(client, credentials.url, window_start, window_end)
    except SourceProblem:
        raise
    except caldav_error.AuthorizationError:
        raise SourceProblem("login") from None
    except caldav_error.NotFoundError:
        raise SourceProblem("no_calendar") from None
    except niquests.exceptions.TooManyRedirects:
        raise SourceProblem("redirects", limit=fetcher.limits.max_redirects) from None
    except (caldav_error.DAVError, niquests.exceptions.RequestException) as exc:
        raise SourceProblem("caldav", detail=_first_line(exc)) from None


def _read(
    client: caldav.DAVClient, url: str, window_start: datetime, window_end: datetime
) -> list[Calendar]:
    calendars = _calendars_at(client, url)
    out: list[Calendar] = []
    for calendar in calendars:
        for obj in calendar.search(start=window_start, end=window_end, event=True, expand=False):
            data = obj.data
            if isinstance(data, str):
                data = data.encode("utf-8")
            if data:
                out.extend(parse_calendars(data))
    return out


def _calendars_at(client: caldav.DAVClient, url: str) -> list[caldav.Calendar]:
    """The calendar at ``url``, or every event calendar of the account it belongs to."""
    here = client.calendar(url=url)
    kinds = _resource_types(here)
    if any(kind.endswith("}calendar") for kind in kinds):
        return [here]
    found = [
        c
        for c in client.principal().calendars()
        if "VEVENT" in (c.get_supported_components() or ["VEVENT"])
    ]
    if not found:
        raise SourceProblem("no_calendar")
    return found


def _resource_types(calendar: caldav.Calendar) -> list[str]:
    from caldav.elements import dav

    props: Mapping[str, Any] = calendar.get_properties([dav.ResourceType()])
    value = props.get(dav.ResourceType.tag)
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(child.tag) for child in value] if hasattr(value, "__iter__") else [str(value)]


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip('"')
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
