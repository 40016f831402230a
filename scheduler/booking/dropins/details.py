"""What staff fill in about a session, and whether it holds up.

:class:`SessionDetails` is the form's content as plain values (times are the library's
wall clock). :func:`check_details` checks what does not depend on the date;
:func:`occurrence_errors` checks one dated occurrence: its deadline, the places already
taken, and whether a host is busy then (a booked appointment or another session).
Errors are collected per field, so a page can show them all at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.models import (
    Appointment,
    AppointmentStatus,
    DropInSession,
    Library,
    Person,
    Registration,
    RegistrationStatus,
    Role,
    SessionStatus,
    Topic,
)
from scheduler.models.dropin import session_hosts
from scheduler.reasons import _
from scheduler.timeutil import local_to_utc

# Who may create and edit sessions, and who may host them.
HOST_ROLES = (Role.LIBRARIAN, Role.SECTION_LEADER)

MAX_CAPACITY = 10_000
MAX_DEADLINE_HOURS = 24 * 90
LIMITS = {"title": 200, "location": 200, "online_url": 500, "question": 500, "description": 5000}


@dataclass
class SessionDetails:
    """What staff fill in about a session; times are the library's wall clock.

    The registration deadline is either a local date and time (``deadline_local``, naive)
    or a number of hours before each session starts (``deadline_hours``); with neither,
    registration stays open until the start.
    """

    title: str = ""
    library_id: int | None = None
    start_time: time | None = None
    end_time: time | None = None
    topic_id: int | None = None
    description: str | None = None
    location: str | None = None
    online_url: str | None = None
    host_ids: tuple[int, ...] = ()
    registration_required: bool = False
    capacity: int | None = None
    waitlist_enabled: bool = True
    deadline_local: datetime | None = None
    deadline_hours: int | None = None
    question: str | None = None
    lunch: bool = False
    # Every registration waits for a link sent to the address (kept on the series).
    confirm_by_email: bool = False


@dataclass(frozen=True)
class Checked:
    library: Library
    topic: Topic | None
    hosts: list[Person]


def check_details(session: Session, d: SessionDetails, errors: dict[str, str]) -> Checked | None:
    """Field checks that do not depend on the date; returns None if times or library are
    unusable (the date-dependent checks then cannot run)."""
    title = (d.title or "").strip()
    if not title:
        errors["title"] = _("is required")
    for name, most in LIMITS.items():
        value = getattr(d, name) or ""
        if len(value.strip()) > most:
            errors[name] = _("is longer than %(most)s characters", most=most)
    library = session.get(Library, d.library_id) if d.library_id is not None else None
    if library is None:
        errors["library"] = _("is required") if d.library_id is None else _("does not exist")
    topic = None
    if d.topic_id is not None:
        topic = session.get(Topic, d.topic_id)
        if topic is None:
            errors["topic"] = _("does not exist")
    if d.start_time is None:
        errors["start_time"] = _("is required")
    if d.end_time is None:
        errors["end_time"] = _("is required")
    elif d.start_time is not None and d.end_time <= d.start_time:
        errors["end_time"] = _("must be after the start time")
    if d.online_url and "online_url" not in errors:
        parts = urlsplit(d.online_url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            errors["online_url"] = _("must be a web address starting with https:// or http://")
    _check_registration(d, errors)
    hosts = _check_hosts(session, d.host_ids, errors)
    if library is None or d.start_time is None or "end_time" in errors:
        return None
    return Checked(library, topic, hosts)


def _check_registration(d: SessionDetails, errors: dict[str, str]) -> None:
    if d.capacity is not None and not 1 <= d.capacity <= MAX_CAPACITY:
        errors["capacity"] = _("must be between 1 and %(most)s", most=MAX_CAPACITY)
    if d.deadline_hours is not None and not 0 <= d.deadline_hours <= MAX_DEADLINE_HOURS:
        errors["deadline_hours"] = _("must be between 0 and %(most)s", most=MAX_DEADLINE_HOURS)
    if d.deadline_hours is not None and d.deadline_local is not None:
        errors["deadline_hours"] = _(
            "give either a closing date and time or hours before the start, not both"
        )
    if not d.registration_required:
        needs = _("needs registration: tick “Registration required”")
        for name, value in (
            ("capacity", d.capacity),
            ("question", (d.question or "").strip()),
            ("lunch", d.lunch),
            ("confirm_by_email", d.confirm_by_email),
            ("registration_deadline", d.deadline_local),
            ("deadline_hours", d.deadline_hours),
        ):
            if value not in (None, "", False):
                errors.setdefault(name, needs)


def _check_hosts(session: Session, host_ids: Iterable[int], errors: dict[str, str]) -> list[Person]:
    ids = list(dict.fromkeys(host_ids))
    if not ids:
        errors["hosts"] = _("choose at least one host")
        return []
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}
    hosts = []
    for person_id in ids:
        person = people.get(person_id)
        if person is None:
            errors["hosts"] = _("person %(id)s does not exist", id=person_id)
        elif not person.active:
            errors["hosts"] = _("%(name)s cannot host: the account is inactive", name=person.name)
        elif not person.holds_anywhere(*HOST_ROLES):
            errors["hosts"] = _("%(name)s is not a librarian", name=person.name)
        else:
            hosts.append(person)
    return hosts


def deadline_for(d: SessionDetails, starts: datetime, tz: str) -> datetime | None:
    if d.deadline_hours is not None:
        return starts - timedelta(hours=d.deadline_hours)
    if d.deadline_local is not None:
        local = d.deadline_local.replace(tzinfo=None)
        return local_to_utc(local.date(), local.time(), tz)
    return None


def occurrence_errors(
    session: Session,
    dropin: DropInSession | None,
    checked: Checked,
    d: SessionDetails,
    starts: datetime,
    ends: datetime,
    deadline: datetime | None,
    errors: dict[str, str],
) -> None:
    """Checks for one occurrence: the deadline, places already taken, hosts' calendars."""
    if deadline is not None and deadline > starts:
        errors.setdefault("registration_deadline", _("must not be after the start"))
    if dropin is not None:
        registered, waitlisted = _taken(session, dropin.id)
        if d.registration_required and d.capacity is not None and d.capacity < registered:
            errors.setdefault(
                "capacity",
                _("is lower than the %(count)s people already registered", count=registered),
            )
        if not d.registration_required and registered + waitlisted:
            errors.setdefault(
                "registration_required",
                _(
                    "%(count)s people have signed up; cancel the session instead",
                    count=registered + waitlisted,
                ),
            )
        if not d.waitlist_enabled and waitlisted:
            errors.setdefault(
                "waitlist_enabled",
                _("%(count)s people are on the waitlist", count=waitlisted),
            )
    clash = _host_clash(session, checked.hosts, starts, ends, dropin.id if dropin else None)
    if clash:
        errors.setdefault("hosts", clash)


def _taken(session: Session, session_id: int) -> tuple[int, int]:
    rows = dict(
        session.execute(
            select(Registration.status, func.count())
            .where(Registration.session_id == session_id)
            .group_by(Registration.status)
        ).all()
    )
    return rows.get(RegistrationStatus.REGISTERED, 0), rows.get(RegistrationStatus.WAITLISTED, 0)


def _host_clash(
    session: Session, hosts: list[Person], starts: datetime, ends: datetime, own_id: int | None
) -> str | None:
    """A host's booked appointment or other session at the same time, as a reason."""
    if not hosts:
        return None
    ids = [h.id for h in hosts]
    names = {h.id: h.name for h in hosts}
    appointment = session.scalars(
        select(Appointment)
        .where(
            Appointment.librarian_id.in_(ids),
            Appointment.status != AppointmentStatus.CANCELLED,
            Appointment.starts_at < ends,
            Appointment.ends_at > starts,
        )
        .order_by(Appointment.starts_at)
        .limit(1)
    ).first()
    if appointment is not None:
        return _(
            "%(name)s has an appointment at that time (%(when)s)",
            name=names[appointment.librarian_id],
            when=_short(appointment.starts_at, appointment.library),
        )
    stmt = (
        select(DropInSession, session_hosts.c.person_id)
        .join(session_hosts, session_hosts.c.session_id == DropInSession.id)
        .where(
            session_hosts.c.person_id.in_(ids),
            DropInSession.status == SessionStatus.ANNOUNCED,
            DropInSession.starts_at < ends,
            DropInSession.ends_at > starts,
        )
        .order_by(DropInSession.starts_at)
        .limit(1)
    )
    if own_id is not None:
        stmt = stmt.where(DropInSession.id != own_id)
    row = session.execute(stmt).first()
    if row is not None:
        other, person_id = row
        return _(
            "%(name)s hosts “%(title)s” at that time (%(when)s)",
            name=names[person_id],
            title=other.title,
            when=_short(other.starts_at, other.library),
        )
    return None


def _short(instant: datetime, library: Library | None) -> str:
    tz = ZoneInfo(library.timezone if library else "UTC")
    return instant.astimezone(tz).strftime("%Y-%m-%d %H:%M")
