"""Recognise our own events coming back through a librarian's calendar.

When a librarian accepts our invitation, their calendar holds the appointment with our
UID (``appointment-<id>@<host>``, see :func:`scheduler.calendars.event_uid`). The
appointment already blocks its time (and stops blocking when it is cancelled), so the
copy in the calendar must not count a second time. The same holds for shifts and
sessions, which the slot service reads from our own tables.

Exchange may publish such an event under its binary GlobalObjectId in hex instead of
the UID it was sent with ([MS-OXCICAL] 2.1.3.1.1.20.26); for meetings that came from
outside Exchange, that blob carries the original UID after a ``vCal-Uid`` marker.
"""

from __future__ import annotations

import binascii
import re

# The fixed class id that starts every Exchange GlobalObjectId.
_EXCHANGE_PREFIX = "040000008200E00074C5B7101A82E008"
_VCAL_MARKER = b"vCal-Uid\x01\x00\x00\x00"
# Header: class id (16 bytes), instance date (4), creation time (8), padding (8), size (4).
_HEADER = 40
OUR_KINDS = ("appointment", "shift", "session")


def plain_uid(uid: str) -> str:
    """The UID an event was created with, unwrapping Exchange's GlobalObjectId form."""
    text = uid.strip()
    if len(text) <= _HEADER * 2 or not text.upper().startswith(_EXCHANGE_PREFIX):
        return text
    try:
        blob = binascii.unhexlify(text)
    except (binascii.Error, ValueError):
        return text
    size = int.from_bytes(blob[_HEADER - 4 : _HEADER], "little")
    data = blob[_HEADER : _HEADER + size]
    if not data.startswith(_VCAL_MARKER):
        return text
    inner = data[len(_VCAL_MARKER) :].split(b"\x00", 1)[0]
    try:
        return inner.decode("utf-8")
    except UnicodeDecodeError:
        return text


class OwnUids:
    """Tells whether a UID is one of ours (made for ``host``)."""

    def __init__(self, host: str | None) -> None:
        self.host = (host or "").lower()
        kinds = "|".join(OUR_KINDS)
        self._pattern = (
            re.compile(rf"^(?:{kinds})-\d+@{re.escape(self.host)}$", re.IGNORECASE)
            if self.host
            else None
        )

    def __contains__(self, uid: object) -> bool:
        if self._pattern is None or not isinstance(uid, str):
            return False
        return bool(self._pattern.match(plain_uid(uid)))
