"""Parsing request values into typed ones, with errors that name the field.

Shared by the JSON API and the pages, so "from", "start" or "mode" are understood (and
refused) the same way everywhere.
"""

from __future__ import annotations

from datetime import date, datetime

from scheduler.booking.i18n import translator
from scheduler.errors import InputError
from scheduler.models import Mode


def parse_id(raw: object, field: str, *, lang: str | None = None, required: bool = True):
    """An integer id from a string or number; None when absent and not required."""
    _ = translator(lang)
    if raw is None or raw == "":
        if required:
            raise InputError.field(field, _("is required"))
        return None
    if isinstance(raw, bool):
        raise InputError.field(field, _("is not a valid id"))
    text = str(raw).strip()
    if not text.isdigit() or len(text) > 12:
        raise InputError.field(field, _("is not a valid id"))
    return int(text)


def parse_instant(raw: object, field: str, *, lang: str | None = None) -> datetime:
    """An ISO 8601 date and time with a UTC offset (``2027-01-05T10:00:00+01:00``)."""
    _ = translator(lang)
    if raw is None or raw == "":
        raise InputError.field(field, _("is required"))
    try:
        value = datetime.fromisoformat(str(raw).strip())
    except ValueError:
        raise InputError.field(
            field, _("is not a date and time like 2027-01-05T10:00:00+01:00")
        ) from None
    if value.tzinfo is None:
        raise InputError.field(field, _("needs a UTC offset, like +01:00"))
    return value


def parse_date(raw: object, field: str, *, lang: str | None = None) -> date | None:
    """A ``YYYY-MM-DD`` date, or None when absent."""
    _ = translator(lang)
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise InputError.field(field, _("is not a date like 2027-01-05")) from None


def parse_mode(raw: object, field: str = "mode", *, lang: str | None = None) -> Mode | None:
    """One of in_person, online, phone; None when absent."""
    _ = translator(lang)
    if raw is None or raw == "":
        return None
    try:
        return Mode(str(raw).strip())
    except ValueError:
        raise InputError.field(field, _("must be one of in_person, online, phone")) from None
