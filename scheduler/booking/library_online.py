"""A library's online settings: the meeting-room template for online appointments and
the web sites allowed to show its booking widget in a frame.

The allow-list goes into a ``Content-Security-Policy: frame-ancestors`` header as it is,
so only plain https origins pass (a host of letters, digits, dots and hyphens, an
optional ``*.`` for every subdomain and an optional port; plain http only for this
machine, to try the widget out): nothing that could end the directive or add another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from scheduler import access
from scheduler.booking.appointments.meeting_links import parse_template
from scheduler.errors import InputError
from scheduler.models import Library, Person, Role
from scheduler.reasons import _, input_error

MAX_ORIGINS = 20
# https, or plain http to this machine (browsers treat it as secure: for trying it out).
_ORIGIN = re.compile(
    r"(https://(?P<host>(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}|localhost)"
    r"|https?://(localhost|127\.0\.0\.1))(?P<port>:[0-9]{1,5})?"
)


def parse_origin(raw: str) -> str | None:
    """``raw`` as a lower-case https origin without a trailing slash, or None."""
    text = raw.strip().lower().removesuffix("/")
    match = _ORIGIN.fullmatch(text)
    if match is None:
        return None
    port = match.group("port")
    if port is not None and not 0 < int(port[1:]) < 65536:
        return None
    return text


def parse_origins(raw: object, field: str = "embed_origins") -> list[str]:
    """One origin a line (blank lines ignored); the first bad line is named."""
    lines = [line.strip() for line in ("" if raw is None else str(raw)).splitlines()]
    origins: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        origin = parse_origin(line)
        if origin is None:
            raise InputError.field(
                field,
                _(
                    "line %(n)s (%(value)s) is not an https origin such as https://www.example.org",
                    n=number,
                    value=line[:80],
                ),
            )
        if origin not in origins:
            origins.append(origin)
    if len(origins) > MAX_ORIGINS:
        raise InputError.field(field, _("may list at most %(n)s origins", n=MAX_ORIGINS))
    return origins


def embed_origins(library: Library) -> list[str]:
    """The library's stored allow-list (already checked when saved)."""
    return [o for o in (library.embed_origins or "").split() if parse_origin(o)]


@dataclass(frozen=True)
class OnlineSettings:
    meeting_url_template: object
    embed_origins: object


def update(session: Session, *, actor: Person, library: Library, change: OnlineSettings) -> Library:
    """Save both settings, or neither: every field's reason at once."""
    access.require(actor, Role.SECTION_LEADER, library.id)
    errors: dict[str, str] = {}
    template = origins = None
    try:
        template = parse_template(change.meeting_url_template, "meeting_url_template")
    except InputError as exc:
        errors.update(exc.fields)
    try:
        origins = parse_origins(change.embed_origins)
    except InputError as exc:
        errors.update(exc.fields)
    if errors:
        raise input_error(errors)
    library.meeting_url_template = template
    library.embed_origins = "\n".join(origins or []) or None
    session.flush()
    return library
