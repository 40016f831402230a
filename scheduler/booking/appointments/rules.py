"""A librarian's own booking rules: settings, weekly windows and one-off exceptions.

Edits are checked here (the same for any page or API that offers them) and refused
with the field and the reason. Changing rules never touches appointments already made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import access
from scheduler.errors import Forbidden, InputError, NotFound
from scheduler.models import (
    AvailabilityException,
    AvailabilityRule,
    BookingSettings,
    ExceptionKind,
    Library,
    Mode,
    Person,
)
from scheduler.models.availability import join_modes
from scheduler.reasons import _, input_error

# (field, lowest, highest) for the numeric settings, in minutes or days as named.
LIMITS = {
    "slot_minutes": (10, 480),
    "buffer_minutes": (0, 240),
    "min_notice_minutes": (0, 30 * 24 * 60),
    "horizon_days": (1, 365),
    "max_per_day": (1, 50),
}


def can_edit(actor: Person, person: Person) -> bool:
    return actor.id == person.id or access.is_admin(actor)


def _require_edit(actor: Person, person: Person) -> None:
    if not can_edit(actor, person):
        raise Forbidden(_("You can only change your own availability."))


def settings_for(session: Session, person: Person) -> BookingSettings:
    """The person's settings row, created with the defaults the first time."""
    row = session.get(BookingSettings, person.id)
    if row is None:
        row = BookingSettings(
            person_id=person.id,
            slot_minutes=45,
            buffer_minutes=0,
            min_notice_minutes=24 * 60,
            horizon_days=8 * 7,
        )
        session.add(row)
        session.flush()
    return row


@dataclass(frozen=True)
class SettingsChange:
    slot_minutes: int
    buffer_minutes: int
    min_notice_minutes: int
    horizon_days: int
    max_per_day: int | None
    bookable: bool


def update_settings(
    session: Session,
    *,
    actor: Person,
    person: Person,
    change: SettingsChange,
) -> BookingSettings:
    _require_edit(actor, person)
    errors = {}
    for name, (low, high) in LIMITS.items():
        value = getattr(change, name)
        if value is None and name == "max_per_day":
            continue
        if value is None or not low <= value <= high:
            errors[name] = _("must be between %(low)s and %(high)s", low=low, high=high)
    if errors:
        raise input_error(errors)
    row = settings_for(session, person)
    row.slot_minutes = change.slot_minutes
    row.buffer_minutes = change.buffer_minutes
    row.min_notice_minutes = change.min_notice_minutes
    row.horizon_days = change.horizon_days
    row.max_per_day = change.max_per_day
    person.bookable = change.bookable
    session.flush()
    return row


def _check_library(session: Session, library_id: int | None) -> Library:
    library = session.get(Library, library_id) if library_id is not None else None
    if library is None:
        raise InputError.field("library", _("is not a known library"))
    return library


def _check_times(start: time | None, end: time | None) -> None:
    if start is None:
        raise InputError.field("start", _("is required"))
    if end is None:
        raise InputError.field("end", _("is required"))
    if end <= start:
        raise InputError.field("end", _("must be after the start"))


def _check_modes(modes: list[Mode]) -> str:
    if not modes:
        raise InputError.field("modes", _("choose at least one"))
    return join_modes(modes)


def add_window(
    session: Session,
    *,
    actor: Person,
    person: Person,
    library_id: int | None,
    weekday: int | None,
    start: time | None,
    end: time | None,
    modes: list[Mode],
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> AvailabilityRule:
    """A weekly window; it may not overlap another of the person's windows (one person,
    one place at a time)."""
    _require_edit(actor, person)
    library = _check_library(session, library_id)
    if weekday is None or not 0 <= weekday <= 6:
        raise InputError.field("weekday", _("must be a day of the week"))
    _check_times(start, end)
    assert start is not None
    assert end is not None
    joined = _check_modes(modes)
    if valid_from and valid_until and valid_until < valid_from:
        raise InputError.field("valid_until", _("must not be before the first date"))
    for other in session.scalars(
        select(AvailabilityRule).where(
            AvailabilityRule.person_id == person.id, AvailabilityRule.weekday == weekday
        )
    ):
        same_time = other.start_time < end and start < other.end_time
        same_dates = _dates_meet(valid_from, valid_until, other.valid_from, other.valid_until)
        if same_time and same_dates:
            raise InputError.field(
                "start",
                _(
                    "overlaps your window %(start)s–%(end)s on the same day",
                    start=other.start_time.strftime("%H:%M"),
                    end=other.end_time.strftime("%H:%M"),
                ),
            )
    rule = AvailabilityRule(
        person_id=person.id,
        library_id=library.id,
        weekday=weekday,
        start_time=start,
        end_time=end,
        modes=joined,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    session.add(rule)
    session.flush()
    return rule


def _dates_meet(
    a_from: date | None, a_until: date | None, b_from: date | None, b_until: date | None
) -> bool:
    """Whether two validity periods (open-ended where None) share a date."""
    return (a_until is None or b_from is None or b_from <= a_until) and (
        a_from is None or b_until is None or a_from <= b_until
    )


def delete_window(session: Session, *, actor: Person, person: Person, window_id: int) -> None:
    _require_edit(actor, person)
    rule = session.get(AvailabilityRule, window_id)
    if rule is None or rule.person_id != person.id:
        raise NotFound(_("No such window."))
    session.delete(rule)
    session.flush()


def add_exception(
    session: Session,
    *,
    actor: Person,
    person: Person,
    day: date | None,
    kind: ExceptionKind,
    library_id: int | None = None,
    start: time | None = None,
    end: time | None = None,
    modes: list[Mode] | None = None,
    note: str | None = None,
    today: date | None = None,
) -> AvailabilityException:
    """An extra window on one date, or a blocked date (whole day or some hours)."""
    _require_edit(actor, person)
    if day is None:
        raise InputError.field("date", _("is required"))
    if today is not None and day < today:
        raise InputError.field("date", _("is in the past"))
    note = (note or "").strip() or None
    if note and len(note) > 300:
        raise InputError.field("note", _("is longer than %(n)s characters", n=300))
    library = None
    joined = join_modes(modes or [Mode.IN_PERSON])
    if kind == ExceptionKind.EXTRA:
        library = _check_library(session, library_id)
        _check_times(start, end)
        joined = _check_modes(modes or [])
    else:
        if (start is None) != (end is None):
            field = "end" if end is None else "start"
            raise InputError.field(field, _("give both times, or neither for the whole day"))
        if start is not None:
            _check_times(start, end)
        if library_id is not None:
            library = _check_library(session, library_id)
    exception = AvailabilityException(
        person_id=person.id,
        date=day,
        kind=kind,
        library_id=library.id if library else None,
        start_time=start,
        end_time=end,
        modes=joined,
        note=note,
    )
    session.add(exception)
    session.flush()
    return exception


def delete_exception(session: Session, *, actor: Person, person: Person, exception_id: int) -> None:
    _require_edit(actor, person)
    exception = session.get(AvailabilityException, exception_id)
    if exception is None or exception.person_id != person.id:
        raise NotFound(_("No such exception."))
    session.delete(exception)
    session.flush()


def windows_of(session: Session, person: Person) -> list[AvailabilityRule]:
    return list(
        session.scalars(
            select(AvailabilityRule)
            .where(AvailabilityRule.person_id == person.id)
            .order_by(AvailabilityRule.weekday, AvailabilityRule.start_time)
        )
    )


def exceptions_of(session: Session, person: Person, since: date) -> list[AvailabilityException]:
    return list(
        session.scalars(
            select(AvailabilityException)
            .where(
                AvailabilityException.person_id == person.id,
                AvailabilityException.date >= since,
            )
            .order_by(AvailabilityException.date, AvailabilityException.start_time)
        )
    )
