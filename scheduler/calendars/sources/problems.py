"""Why a connected calendar could not be read, in words the librarian can act on.

Reading a calendar happens in a background job, without a request or a language. A
:class:`SourceProblem` therefore carries a code and its parameters: the English text is
what logs and the JSON API show, and pages translate the template again (both
languages) from the code and parameters stored on the source.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scheduler.reasons import Reason


def _l(template: str) -> str:
    """Mark a template for translation (extracted and checked like ``_``)."""
    return template


# code -> template; parameters are filled in with ``%``.
TEMPLATES: dict[str, str] = {
    "scheme": _l("the address must start with https://, http:// or webcal:// (not %(scheme)s)"),
    "url": _l("is not a web address"),
    "private": _l(
        "points to a local or private network address (%(address)s), which is not allowed"
    ),
    "dns": _l("the server %(host)s could not be found"),
    "unreachable": _l("could not connect to %(host)s"),
    "tls": _l("the secure connection to %(host)s failed"),
    "timeout": _l("%(host)s did not answer within %(seconds)s seconds"),
    "not_found": _l(
        "the server answered 404 Not Found: the address is wrong, or the link was reset"
    ),
    "http": _l("the server answered %(status)s %(reason)s"),
    "login": _l("the server did not accept the user name and app password"),
    "redirects": _l("the address redirects more than %(limit)s times"),
    "too_large": _l("the calendar is larger than %(limit_mb)s MB"),
    "not_calendar": _l(
        "the address gave a web page, not a calendar file: copy the calendar's ICS "
        "(iCal) link, not the address of the page"
    ),
    "malformed": _l("the calendar file could not be read (%(detail)s)"),
    "too_many": _l("the calendar has more than %(limit)s busy times in the period read"),
    "repeats_too_often": _l("an event repeats too often to be read (%(detail)s)"),
    "caldav": _l("the CalDAV server answered with an error (%(detail)s)"),
    "no_calendar": _l("no calendar was found at this CalDAV address"),
    # Field reasons when adding or changing a source.
    "label_required": _l("is required"),
    "label_too_long": _l("is longer than %(limit)s characters"),
    "username_required": _l("is required for a CalDAV calendar"),
    "password_required": _l("is required for a CalDAV calendar (an app password)"),
    "kind": _l("must be an iCalendar address or a CalDAV calendar"),
    "forbidden": _l("You may only change your own connected calendars."),
    "too_many_sources": _l("you can connect at most %(limit)s calendars"),
    "secret_lost": _l(
        "the saved address can no longer be read (the encryption key has changed): enter it again"
    ),
}


class SourceProblem(Exception):
    """A calendar could not be read; nothing about the source's busy times changed."""

    def __init__(self, code: str, **params: Any) -> None:
        if code not in TEMPLATES:
            raise ValueError(f"unknown source problem {code!r}")
        self.code = code
        self.params = {k: _short(v) for k, v in params.items()}
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The English text (logs, JSON)."""
        return TEMPLATES[self.code] % self.params

    @property
    def reason(self) -> Reason:
        """The message as a translatable field reason (for InputError)."""
        return Reason(TEMPLATES[self.code], **self.params)

    def translated(self, gettext: Callable[[str], str]) -> str:
        return describe(self.code, self.params, gettext)


def describe(code: str, params: dict[str, Any] | None, gettext: Callable[[str], str]) -> str:
    """The text of a stored problem in the reader's language (unknown codes: as is)."""
    template = TEMPLATES.get(code)
    if template is None:
        return code
    try:
        return gettext(template) % (params or {})
    except (KeyError, TypeError, ValueError):
        return gettext(template)


def _short(value: Any) -> Any:
    """Parameters end up on a page and in the database: keep them short, plain values."""
    if isinstance(value, int | float):
        return value
    text = str(value)
    return text if len(text) <= 200 else text[:199] + "…"
