"""Drop-in sessions and events: create, edit, cancel and copy them, alone or as a series.

Staff describe a session once (:class:`SessionDetails`, with times as the library's
wall clock) and say when it happens (:class:`~scheduler.booking.dropins.recurrence.Recurrence`).
Each date becomes one :class:`DropInSession` whose instants are computed in the library's
zone on that date, so a weekly series keeps its local time across DST changes. A series
is edited as a whole (every upcoming occurrence takes the new details and times, each on
its own date) or one occurrence at a time (which may also move to another date).

Every change bumps the session's iCalendar SEQUENCE; changes registrants care about
(title, time, place) and cancellations are e-mailed to them. Nothing is committed
here: the request commits once, and e-mail leaves after that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.booking.dropins.details import (
    Checked,
    SessionDetails,
    check_details,
    deadline_for,
    occurrence_errors,
)
from scheduler.booking.dropins.notices import send_changes, send_session_cancelled
from scheduler.booking.dropins.permissions import may_manage, require_create_in, require_manage
from scheduler.booking.dropins.recurrence import Recurrence, occurrence_dates
from scheduler.booking.dropins.waitlist import fill_from_waitlist, lock_sessions
from scheduler.errors import InputError, NotFound
from scheduler.models import (
    ClosedDate,
    DropInSession,
    Person,
    Registration,
    RegistrationStatus,
    SessionSeries,
    SessionStatus,
)
from scheduler.reasons import _, conflict, input_error
from scheduler.site import Site
from scheduler.timeutil import local_to_utc


@dataclass(frozen=True)
class Created:
    sessions: list[DropInSession]
    series: SessionSeries | None
    # Closed days a weekly series left out, with the reason.
    skipped: list[tuple[date, str]] = field(default_factory=list)


# Access ----------------------------------------------------------------------------


def may_see_registrants(person: Person, dropin: DropInSession) -> bool:
    """Names, addresses and answers: those who manage the session (see permissions)."""
    return may_manage(person, dropin)


# Creating --------------------------------------------------------------------------


def create_sessions(
    session: Session,
    actor: Person,
    details: SessionDetails,
    recurrence: Recurrence,
    *,
    now: datetime,
) -> Created:
    """One session, or a series with one session per date; all or nothing."""
    errors: dict[str, str] = {}
    checked = check_details(session, details, errors)
    occurrences = None
    if checked is not None:
        tz = checked.library.timezone
        try:
            occurrences = occurrence_dates(
                recurrence,
                today=now.astimezone(ZoneInfo(tz)).date(),
                closed=closed_days(session, checked.library.id),
            )
        except InputError as exc:
            errors.update(exc.fields)
    if checked is None or occurrences is None:
        raise input_error(errors)
    require_create_in(actor, checked.library.id)
    planned = []
    for day in occurrences.dates:
        starts, ends = occurrence_instants(day, details, tz)
        deadline = deadline_for(details, starts, tz)
        if starts < now:
            errors.setdefault("start_time", _("is in the past"))
        if deadline is not None and deadline < now:
            errors.setdefault("registration_deadline", _("is in the past"))
        occurrence_errors(session, None, checked, details, starts, ends, deadline, errors)
        planned.append((starts, ends, deadline))
    if errors:
        raise input_error(errors)

    series = None
    if len(planned) > 1 or details.confirm_by_email:
        # The setting to confirm by e-mail lives on the series, so one session gets one.
        series = SessionSeries(
            title=details.title.strip(),
            created_by_id=actor.id,
            confirm_by_email=details.confirm_by_email and details.registration_required,
        )
        session.add(series)
    sessions = []
    for starts, ends, deadline in planned:
        dropin = DropInSession(series=series, created_by_id=actor.id)
        _apply(dropin, details, checked, starts, ends, deadline)
        session.add(dropin)
        sessions.append(dropin)
    session.flush()
    return Created(sessions, series, occurrences.skipped)


def copy_session(
    session: Session, actor: Person, source_id: int, recurrence: Recurrence, *, now: datetime
) -> Created:
    """The same session again on other dates (a new session or series of its own)."""
    source = session.get(DropInSession, source_id)
    if source is None:
        raise NotFound(_("No such session."), {"session": _("does not exist")})
    require_manage(actor, [source])
    return create_sessions(
        session, actor, details_of(source, relative_deadline=True), recurrence, now=now
    )


# Editing ---------------------------------------------------------------------------


def update_session(
    session: Session,
    actor: Person,
    session_id: int,
    details: SessionDetails,
    *,
    on_date: date | None,
    site: Site,
    now: datetime,
) -> DropInSession:
    """Change one session (one occurrence of a series), possibly moving it to ``on_date``."""
    dropin = _locked(session, session_id)
    require_manage(actor, [dropin])
    _ensure_changeable(dropin, now)
    errors: dict[str, str] = {}
    checked = check_details(session, details, errors)
    if on_date is None:
        errors["date"] = _("is required")
    if checked is None or on_date is None:
        raise input_error(errors)
    if checked.library.id != dropin.library_id:
        require_create_in(actor, checked.library.id)
    tz = checked.library.timezone
    starts, ends = occurrence_instants(on_date, details, tz)
    if on_date != local_day(dropin):
        if starts < now:
            errors["date"] = _("is in the past")
        closed = closed_days(session, checked.library.id)
        if on_date in closed:
            errors["date"] = _(
                "the library is closed that day (%(reason)s)", reason=closed[on_date]
            )
    deadline = deadline_for(details, starts, tz)
    occurrence_errors(session, dropin, checked, details, starts, ends, deadline, errors)
    if errors:
        raise input_error(errors)
    _change(session, [(dropin, starts, ends, deadline)], details, checked, site, now)
    audit.record(
        session,
        audit.Action.DROPIN_EDITED,
        actor=actor,
        subject=f"dropin_session:{dropin.id}",
        details={"date": on_date.isoformat()},
        library_id=dropin.library_id,
        at=now,
    )
    return dropin


def update_series(
    session: Session,
    actor: Person,
    series_id: int,
    details: SessionDetails,
    *,
    site: Site,
    now: datetime,
) -> list[DropInSession]:
    """Change every upcoming, announced session of a series; each keeps its own date.

    Past and cancelled occurrences stay as they were. Any problem with any occurrence
    changes nothing and names the date it concerns.
    """
    series = session.get(SessionSeries, series_id)
    if series is None:
        raise NotFound(_("No such series."), {"series": _("does not exist")})
    sessions = lock_sessions(session, upcoming_ids(session, series_id, now))
    require_manage(actor, sessions)
    if not sessions:
        raise conflict("series", _("This series has no upcoming sessions left to change."))
    errors: dict[str, str] = {}
    checked = check_details(session, details, errors)
    if checked is None:
        raise input_error(errors)
    if any(checked.library.id != d.library_id for d in sessions):
        require_create_in(actor, checked.library.id)
    tz = checked.library.timezone
    planned = []
    for dropin in sorted(sessions, key=lambda s: s.starts_at):
        day = local_day(dropin)
        starts, ends = occurrence_instants(day, details, tz)
        deadline = deadline_for(details, starts, tz)
        mine: dict[str, str] = {}
        occurrence_errors(session, dropin, checked, details, starts, ends, deadline, mine)
        for name, reason in mine.items():
            errors.setdefault(name, _("%(reason)s (%(day)s)", reason=reason, day=day.isoformat()))
        planned.append((dropin, starts, ends, deadline))
    if errors:
        raise input_error(errors)
    series.title = details.title.strip()
    _change(session, planned, details, checked, site, now)
    audit.record(
        session,
        audit.Action.DROPIN_EDITED,
        actor=actor,
        subject=f"session_series:{series_id}",
        details={"sessions": [s.id for s, *_rest in planned]},
        library_id=checked.library.id,
        at=now,
    )
    return [s for s, *_rest in planned]


def _change(
    session: Session,
    planned: list[tuple[DropInSession, datetime, datetime, datetime | None]],
    details: SessionDetails,
    checked: Checked,
    site: Site,
    now: datetime,
) -> None:
    """Apply checked changes; bump SEQUENCE where anything changed; tell registrants."""
    told: list[Registration] = []
    for dropin, starts, ends, deadline in planned:
        before = _snapshot(dropin)
        _apply(dropin, details, checked, starts, ends, deadline)
        after = _snapshot(dropin)
        if before == after:
            continue
        dropin.sequence += 1
        if any(before[k] != after[k] for k in _VISIBLE):
            told += active_registrations(session, dropin.id)
    session.flush()
    send_changes(session, site, told, now)
    for dropin, *_rest in planned:
        # More places (or none needed any more) move people up from the waitlist.
        fill_from_waitlist(session, dropin, site, now)


# Cancelling ------------------------------------------------------------------------


def cancel_session(
    session: Session,
    actor: Person,
    session_id: int,
    *,
    message: str | None,
    site: Site,
    now: datetime,
) -> DropInSession:
    """Cancel one session and tell everyone registered or waiting."""
    message = _message(message)
    dropin = _locked(session, session_id)
    require_manage(actor, [dropin])
    _ensure_changeable(dropin, now)
    told = _cancel(session, dropin, now)
    send_session_cancelled(session, site, told, message, now)
    audit.record(
        session,
        audit.Action.DROPIN_CANCELLED,
        actor=actor,
        subject=f"dropin_session:{dropin.id}",
        details={"told": len(told)},
        library_id=dropin.library_id,
        at=now,
    )
    return dropin


def cancel_series(
    session: Session,
    actor: Person,
    series_id: int,
    *,
    message: str | None,
    site: Site,
    now: datetime,
) -> list[DropInSession]:
    """Cancel every upcoming session of a series; each person gets one e-mail."""
    message = _message(message)
    if session.get(SessionSeries, series_id) is None:
        raise NotFound(_("No such series."), {"series": _("does not exist")})
    sessions = lock_sessions(session, upcoming_ids(session, series_id, now))
    require_manage(actor, sessions)
    if not sessions:
        raise conflict("series", _("This series has no upcoming sessions left to cancel."))
    told: list[Registration] = []
    for dropin in sessions:
        told += _cancel(session, dropin, now)
    send_session_cancelled(session, site, told, message, now)
    audit.record(
        session,
        audit.Action.DROPIN_CANCELLED,
        actor=actor,
        subject=f"session_series:{series_id}",
        details={"sessions": [s.id for s in sessions], "told": len(told)},
        library_id=sessions[0].library_id,
        at=now,
    )
    return sessions


def _cancel(session: Session, dropin: DropInSession, now: datetime) -> list[Registration]:
    """Mark cancelled (kept, so feeds show STATUS:CANCELLED); returns who must be told."""
    dropin.status = SessionStatus.CANCELLED
    dropin.cancelled_at = now
    dropin.sequence += 1
    session.flush()
    # Registrations keep their status: hosts still see who had signed up.
    return active_registrations(session, dropin.id)


def _message(message: str | None) -> str | None:
    message = (message or "").strip() or None
    if message and len(message) > 2000:
        raise input_error({"message": _("is longer than %(most)s characters", most=2000)})
    return message


# Reading back ----------------------------------------------------------------------


def details_of(dropin: DropInSession, *, relative_deadline: bool = False) -> SessionDetails:
    """The details of a session as a form shows them, to edit or to copy it.

    The deadline is the library's local date and time; with ``relative_deadline`` (for
    copies) it becomes the number of hours before the start instead, when whole, so
    that a copy on another date gets a deadline that moves with it.
    """
    tz = ZoneInfo(dropin.library.timezone)
    hours, local_deadline = None, None
    if dropin.registration_deadline is not None:
        gap = _whole_hours(dropin.starts_at - dropin.registration_deadline)
        if relative_deadline and gap is not None:
            hours = gap
        else:
            local_deadline = dropin.registration_deadline.astimezone(tz).replace(tzinfo=None)
    return SessionDetails(
        title=dropin.title,
        library_id=dropin.library_id,
        start_time=dropin.starts_at.astimezone(tz).time(),
        end_time=dropin.ends_at.astimezone(tz).time(),
        topic_id=dropin.topic_id,
        description=dropin.description,
        location=dropin.location,
        online_url=dropin.online_url,
        host_ids=tuple(h.id for h in dropin.hosts),
        registration_required=dropin.registration_required,
        capacity=dropin.capacity,
        waitlist_enabled=dropin.waitlist_enabled,
        deadline_local=local_deadline,
        deadline_hours=hours,
        question=dropin.question,
        lunch=dropin.lunch,
        confirm_by_email=bool(dropin.series and dropin.series.confirm_by_email),
    )


def series_details(sessions: list[DropInSession]) -> SessionDetails:
    """Details for editing a whole series: those of its first upcoming session, with the
    deadline as it applies to all of them: the same hours before each session (weekly
    drop-ins), or one shared closing time (a course's sign-up date)."""
    first = details_of(sessions[0], relative_deadline=True)
    deadlines = {s.registration_deadline for s in sessions}
    gaps = {
        _whole_hours(s.starts_at - s.registration_deadline)
        for s in sessions
        if s.registration_deadline is not None
    }
    if len(gaps) > 1 and len(deadlines) == 1 and None not in deadlines:
        return details_of(sessions[0])
    return first


def _whole_hours(gap: timedelta) -> int | None:
    if gap < timedelta(0) or gap % timedelta(hours=1):
        return None
    return int(gap / timedelta(hours=1))


def upcoming_ids(session: Session, series_id: int, now: datetime) -> list[int]:
    return list(
        session.scalars(
            select(DropInSession.id).where(
                DropInSession.series_id == series_id,
                DropInSession.status == SessionStatus.ANNOUNCED,
                DropInSession.starts_at > now,
            )
        )
    )


def active_registrations(session: Session, session_id: int) -> list[Registration]:
    return list(
        session.scalars(
            select(Registration)
            .where(
                Registration.session_id == session_id,
                Registration.status != RegistrationStatus.CANCELLED,
            )
            .order_by(Registration.id)
        )
    )


def closed_days(session: Session, library_id: int) -> dict[date, str]:
    rows = session.execute(
        select(ClosedDate.date, ClosedDate.reason).where(ClosedDate.library_id == library_id)
    )
    return {day: reason or "closed" for day, reason in rows}


def local_day(dropin: DropInSession) -> date:
    return dropin.starts_at.astimezone(ZoneInfo(dropin.library.timezone)).date()


def occurrence_instants(day: date, details: SessionDetails, tz: str) -> tuple[datetime, datetime]:
    """Start and end on ``day`` at the details' wall-clock times in ``tz``, as UTC."""
    assert details.start_time is not None
    assert details.end_time is not None
    return local_to_utc(day, details.start_time, tz), local_to_utc(day, details.end_time, tz)


# Checks ----------------------------------------------------------------------------


def _locked(session: Session, session_id: int) -> DropInSession:
    found = lock_sessions(session, [session_id])
    if not found:
        raise NotFound(_("No such session."), {"session": _("does not exist")})
    return found[0]


def _ensure_changeable(dropin: DropInSession, now: datetime) -> None:
    if dropin.status == SessionStatus.CANCELLED:
        raise conflict("session", _("This session is cancelled."))
    if dropin.ends_at <= now:
        raise conflict("session", _("This session has already taken place."))


# Applying --------------------------------------------------------------------------

# What registrants are told about when it changes.
_VISIBLE = ("title", "starts_at", "ends_at", "location", "online_url", "library_id")


def _snapshot(s: DropInSession) -> dict[str, Any]:
    return {
        "title": s.title,
        "topic_id": s.topic_id,
        "description": s.description,
        "library_id": s.library_id,
        "location": s.location,
        "online_url": s.online_url,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "capacity": s.capacity,
        "registration_required": s.registration_required,
        "registration_deadline": s.registration_deadline,
        "waitlist_enabled": s.waitlist_enabled,
        "question": s.question,
        "lunch": s.lunch,
        "hosts": sorted(h.id for h in s.hosts),
    }


def _clean(value: str | None) -> str | None:
    return (value or "").strip() or None


def _apply(
    s: DropInSession,
    d: SessionDetails,
    checked: Checked,
    starts: datetime,
    ends: datetime,
    deadline: datetime | None,
) -> None:
    s.title = d.title.strip()
    s.topic = checked.topic
    s.topic_id = checked.topic.id if checked.topic else None
    s.description = _clean(d.description)
    s.library = checked.library
    s.library_id = checked.library.id
    s.location = _clean(d.location)
    s.online_url = _clean(d.online_url)
    s.starts_at = starts.astimezone(UTC)
    s.ends_at = ends.astimezone(UTC)
    s.registration_required = d.registration_required
    s.capacity = d.capacity if d.registration_required else None
    s.waitlist_enabled = d.waitlist_enabled
    s.registration_deadline = deadline if d.registration_required else None
    s.question = _clean(d.question) if d.registration_required else None
    s.lunch = d.lunch and d.registration_required
    s.hosts = list(checked.hosts)
    confirm = d.confirm_by_email and d.registration_required
    if s.series is None and confirm:
        s.series = SessionSeries(title=s.title, created_by_id=s.created_by_id)
    if s.series is not None:
        s.series.confirm_by_email = confirm
