"""Factories and checks for the calendar feed tests.

Rows are created directly with the models, as the booking, drop-in and roster code
will create them. Checks on the bytes live in ``helpers.py``.
"""

from __future__ import annotations

import itertools
import secrets
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler import accounts
from scheduler.calendars import tokens
from scheduler.models import (
    Appointment,
    AppointmentStatus,
    DropInSession,
    Mode,
    PublishedShift,
    PublishedShiftStatus,
    SessionStatus,
)

OSLO = ZoneInfo("Europe/Oslo")
_seq = itertools.count(1)


def oslo(day: str, clock: str) -> datetime:
    """An instant from Oslo wall time, e.g. ``oslo("2027-03-28", "08:00")``."""
    naive = datetime.combine(datetime.fromisoformat(day).date(), time.fromisoformat(clock))
    return naive.replace(tzinfo=OSLO).astimezone(UTC)


@pytest.fixture
def create_person(create_person):
    """People who read English unless a test says otherwise: feeds are written in the
    owner's language, and the site's default is bokmål."""

    def _create(*roles, **kw):
        kw.setdefault("locale", "en")
        return create_person(*roles, **kw)

    return _create


@pytest.fixture
def create_published_shift(db, create_service_point):
    def _create(person, starts_at: datetime, *, hours: float = 2, **kw) -> PublishedShift:
        if "service_point" not in kw and "service_point_id" not in kw:
            kw["service_point"] = create_service_point()
        kw.setdefault("ends_at", starts_at + timedelta(hours=hours))
        kw.setdefault("status", PublishedShiftStatus.CONFIRMED)
        shift = PublishedShift(person=person, starts_at=starts_at, **kw)
        db.session.add(shift)
        db.session.flush()
        return shift

    return _create


@pytest.fixture
def create_appointment(db, create_library, create_topic):
    def _create(librarian, starts_at: datetime, *, minutes: int = 45, **kw) -> Appointment:
        if "library" not in kw and "library_id" not in kw:
            kw["library"] = create_library()
        if "topic" not in kw and "topic_id" not in kw:
            kw["topic"] = create_topic(name=f"Topic {next(_seq)}")
        kw.setdefault("ends_at", starts_at + timedelta(minutes=minutes))
        kw.setdefault("mode", Mode.IN_PERSON)
        kw.setdefault("status", AppointmentStatus.BOOKED)
        kw.setdefault("patron_name", "Pat Patron")
        kw.setdefault("patron_email", "pat@student.example")
        kw.setdefault("manage_token_hash", accounts.token_digest(secrets.token_urlsafe(16)))
        appointment = Appointment(librarian=librarian, starts_at=starts_at, **kw)
        db.session.add(appointment)
        db.session.flush()
        return appointment

    return _create


@pytest.fixture
def create_session(db, create_library):
    def _create(starts_at: datetime, *, minutes: int = 60, **kw) -> DropInSession:
        if "library" not in kw and "library_id" not in kw:
            kw["library"] = create_library()
        kw.setdefault("title", f"Drop-in {next(_seq)}")
        kw.setdefault("ends_at", starts_at + timedelta(minutes=minutes))
        kw.setdefault("status", SessionStatus.ANNOUNCED)
        item = DropInSession(starts_at=starts_at, **kw)
        db.session.add(item)
        db.session.flush()
        return item

    return _create


@pytest.fixture
def feed_token(app, db):
    """``feed_token(person)``: a fresh active token for ``person``, as the page makes it."""

    def _issue(person) -> str:
        _row, token = tokens.issue_token(db.session, person, key=app.config["SECRET_KEY"])
        return token

    return _issue
