"""Reading what people type or send: ids, numbers, dates, instants, modes; one wording.

Every page and API endpoint reads request values through here, so ``library``, ``from``
or ``mode`` are understood (and refused) the same way everywhere. The bounds are part of
the contract: an id is 1 to 12 ASCII digits (so "²" or 9223372036854775808 is bad input,
never a server error), and dates and instants lie from five years back to five years
ahead of today unless the field says otherwise (``earliest``/``latest``). A bad value
raises :class:`~scheduler.errors.InputError` naming the field; its reason is a
:class:`~scheduler.reasons.Reason`, in English for the API and translated by pages.

:class:`Fields` reads several values and reports every bad one at once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from scheduler.errors import InputError
from scheduler.models import Mode
from scheduler.reasons import _, input_error

T = TypeVar("T")

_ID = re.compile(r"[0-9]{1,12}")
# What no database column can hold: PostgreSQL refuses NUL in text, and a lone UTF-16
# surrogate (which JSON's "\\ud800" escape can carry) cannot be encoded as UTF-8.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE = _("contains a character that is not allowed (a NUL or a lone surrogate)")
_WHOLE = re.compile(r"-?[0-9]{1,9}")
# The dates we accept unless a field says otherwise: wide enough for any plan, narrow
# enough that date arithmetic (a week on, a day before) can never leave the calendar.
YEARS_BACK = 5
YEARS_AHEAD = 5


def _years_from(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def date_window(today: date | None = None) -> tuple[date, date]:
    """The first and last date a date field accepts by default."""
    today = today or date.today()
    return _years_from(today, -YEARS_BACK), _years_from(today, YEARS_AHEAD)


def _text(raw: object) -> str:
    return "" if raw is None else str(raw).strip()


def _missing(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _in_range(value: date, field: str, earliest: date | None, latest: date | None) -> None:
    first, last = date_window()
    first, last = earliest or first, latest or last
    if not first <= value <= last:
        raise InputError.field(
            field,
            _(
                "must be between %(first)s and %(last)s",
                first=first.isoformat(),
                last=last.isoformat(),
            ),
        )


def check_text(raw: object, field: str) -> None:
    """Refuse text that cannot be stored (a NUL, a lone surrogate) before it reaches a
    query, where PostgreSQL would fail; other values pass unchanged."""
    if isinstance(raw, str) and _UNSTORABLE.search(raw):
        raise input_error({field: UNSTORABLE})


def parse_id(raw: object, field: str, *, required: bool = True) -> int | None:
    """A row id: 1 to 12 ASCII digits (as text or a number); None when absent and optional."""
    if _missing(raw):
        if required:
            raise InputError.field(field, _("is required"))
        return None
    text = _text(raw)
    if isinstance(raw, bool) or not isinstance(raw, str | int) or not _ID.fullmatch(text):
        raise InputError.field(field, _("is not a valid id"))
    return int(text)


def parse_ids(raw: Iterable[object] | None, field: str) -> list[int]:
    """A list of ids (checkbox values, a JSON array); every one must be an id."""
    if raw is None:
        return []
    if isinstance(raw, str | bytes | Mapping) or not isinstance(raw, Iterable):
        raise InputError.field(field, _("must be a list of ids"))
    ids = []
    for item in raw:
        try:
            value = parse_id(item, field, required=False)
        except InputError:
            value = None
        if value is None:
            raise InputError.field(field, _("must be a list of ids"))
        ids.append(value)
    return ids


def parse_whole(
    raw: object,
    field: str,
    *,
    low: int | None = None,
    high: int | None = None,
    required: bool = False,
) -> int | None:
    """A whole number, between ``low`` and ``high`` when given; None when absent and optional.

    Without bounds the use case checks the range (and says which); at most nine digits.
    """
    if _missing(raw):
        if required:
            raise InputError.field(field, _("is required"))
        return None
    text = _text(raw)
    value = int(text) if not isinstance(raw, bool) and _WHOLE.fullmatch(text) else None
    if value is None or (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            reason = _("must be a whole number from %(low)s to %(high)s", low=low, high=high)
        else:
            reason = _("must be a whole number")
        raise InputError.field(field, reason)
    return value


def parse_number(
    raw: object,
    field: str,
    *,
    low: float | None = None,
    high: float | None = None,
    required: bool = False,
) -> float | None:
    """A number (decimals allowed), between ``low`` and ``high`` when given; None when
    absent and optional. Not-a-number and infinity are refused."""
    if _missing(raw):
        if required:
            raise InputError.field(field, _("is required"))
        return None
    try:
        value = float(_text(raw)) if not isinstance(raw, bool) else math.nan
    except ValueError:
        value = math.nan
    if low is not None and high is not None:
        if not low <= value <= high:  # NaN fails every comparison
            lowest, highest = format(low, "g"), format(high, "g")
            raise InputError.field(
                field, _("must be a number from %(low)s to %(high)s", low=lowest, high=highest)
            )
    elif not math.isfinite(value) or (low is not None and value < low):
        raise InputError.field(field, _("must be a number"))
    return value


def parse_date(
    raw: object,
    field: str,
    *,
    required: bool = False,
    earliest: date | None = None,
    latest: date | None = None,
) -> date | None:
    """A ``YYYY-MM-DD`` date within :func:`date_window` (or ``earliest``..``latest``);
    None when absent (unless required)."""
    if _missing(raw):
        if required:
            raise InputError.field(field, _("is required"))
        return None
    try:
        value = date.fromisoformat(_text(raw))
    except ValueError:
        raise InputError.field(field, _("is not a date like 2027-01-05")) from None
    _in_range(value, field, earliest, latest)
    return value


def parse_instant(
    raw: object, field: str, *, earliest: date | None = None, latest: date | None = None
) -> datetime:
    """An ISO 8601 date and time with a UTC offset (``2027-01-05T10:00:00+01:00``)."""
    if _missing(raw):
        raise InputError.field(field, _("is required"))
    try:
        value = datetime.fromisoformat(_text(raw))
    except ValueError:
        raise InputError.field(
            field, _("is not a date and time like 2027-01-05T10:00:00+01:00")
        ) from None
    if value.tzinfo is None:
        raise InputError.field(field, _("needs a UTC offset, like +01:00"))
    _in_range(value.date(), field, earliest, latest)
    return value


def parse_time(raw: object, field: str, *, required: bool = False) -> time | None:
    """A wall-clock time ``HH:MM`` (seconds are dropped); None when absent and optional."""
    if _missing(raw):
        if required:
            raise InputError.field(field, _("is required"))
        return None
    try:
        value = time.fromisoformat(_text(raw))
    except ValueError:
        raise InputError.field(field, _("is not a time like 14:30")) from None
    if value.tzinfo is not None:
        raise InputError.field(field, _("is not a time like 14:30"))
    return value.replace(second=0, microsecond=0)


def parse_local_datetime(
    raw: object,
    field: str,
    *,
    required: bool = False,
    earliest: date | None = None,
    latest: date | None = None,
) -> datetime | None:
    """A date and time on the library's wall clock (``2027-01-05T14:30``, no offset)."""
    if _missing(raw):
        if required:
            raise InputError.field(field, _("is required"))
        return None
    try:
        value = datetime.fromisoformat(_text(raw))
    except ValueError:
        value = None
    if value is None or value.tzinfo is not None:
        raise InputError.field(field, _("is not a date and time like 2027-01-05T14:30"))
    _in_range(value.date(), field, earliest, latest)
    return value


def parse_mode(raw: object, field: str = "mode") -> Mode | None:
    """One of in_person, online, phone; None when absent."""
    if _missing(raw):
        return None
    try:
        return Mode(_text(raw))
    except ValueError:
        raise InputError.field(field, _("must be one of in_person, online, phone")) from None


def parse_date_range(
    raw_from: object,
    raw_to: object,
    *,
    default_start: date,
    default_days: int,
    max_days: int,
) -> tuple[date, date]:
    """``from`` and ``to`` (inclusive): ``from`` defaults to ``default_start``, ``to`` to
    ``default_days`` later; ``to`` may not be before ``from`` nor more than ``max_days``
    after it. Both bad values are reported together."""
    fields = Fields({"from": raw_from, "to": raw_to})
    start = fields.read("from", parse_date) or default_start
    end = fields.read("to", parse_date)
    if end is None and "to" not in fields.errors:
        end = start + timedelta(days=default_days)
    if end is not None and "to" not in fields.errors:
        if end < start:
            fields.errors["to"] = _("must not be before the start date")
        elif (end - start).days > max_days:
            fields.errors["to"] = _("at most %(days)s days after the start date", days=max_days)
    fields.check()
    assert end is not None
    return start, end


class Fields:
    """Reads several values of one request, collecting every bad one.

    ``read(name, parse, **options)`` returns the parsed value, or None after noting the
    field's reason (``attempt`` does the same for a parser of several fields);
    ``check()`` then raises one InputError naming all of them.
    """

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values
        self.errors: dict[str, str] = {}

    def read(self, name: str, parse: Callable[..., T], **options: Any) -> T | None:
        """``parse(value, name, **options)``, or None when the value is bad."""
        return self.attempt(lambda: parse(self.values.get(name), name, **options))

    def attempt(self, parse: Callable[[], T]) -> T | None:
        """Run a parser that reads several fields at once (a date range, say)."""
        try:
            return parse()
        except InputError as exc:
            self.errors.update(exc.fields)
            return None

    def check(self) -> None:
        if self.errors:
            raise input_error(self.errors)
