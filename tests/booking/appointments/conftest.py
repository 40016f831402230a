"""Booking fixtures: librarians with windows and settings, a context at a fixed "now"."""

from __future__ import annotations

import itertools
from datetime import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import time_machine

from scheduler.booking.appointments.book import BookingRequest
from scheduler.jobs.runner import run_pending
from scheduler.models import AvailabilityRule, BookingSettings, Mode, Role
from scheduler.site import Site
from tests.booking.appointments.helpers import NOW, site_at

_seq = itertools.count(1)


@pytest.fixture
def site() -> Site:
    """The site context at NOW (``site_at`` gives one at another instant)."""
    return site_at(NOW)


@pytest.fixture
def library(create_library):
    return create_library(name="Main Library", address="Universitetsgata 1")


@pytest.fixture
def topic(create_topic):
    return create_topic(name="Nursing", slug="nursing")


@pytest.fixture
def create_librarian(db, create_person, library, topic):
    """A bookable librarian with weekday windows; settings as keyword arguments."""

    def _create(
        *,
        topics=None,
        at_library=None,
        windows=tuple((d, time(9), time(12)) for d in range(5)),
        modes="in_person,online",
        roles=(Role.LIBRARIAN,),
        **settings,
    ):
        n = next(_seq)
        lib = at_library or library
        person = create_person(
            *roles,
            libraries=[lib],
            name=settings.pop("name", f"Librarian {n}"),
            bookable=True,
            topics=topics if topics is not None else [topic],
        )
        settings.setdefault("slot_minutes", 45)
        settings.setdefault("buffer_minutes", 0)
        settings.setdefault("min_notice_minutes", 24 * 60)
        settings.setdefault("horizon_days", 56)
        db.session.add(BookingSettings(person_id=person.id, **settings))
        for weekday, start, end in windows:
            db.session.add(
                AvailabilityRule(
                    person_id=person.id,
                    library_id=lib.id,
                    weekday=weekday,
                    start_time=start,
                    end_time=end,
                    modes=modes,
                )
            )
        db.session.flush()
        return person

    return _create


@pytest.fixture
def librarian(create_librarian):
    return create_librarian(name="Kari Nordmann")


@pytest.fixture
def request_for(topic):
    """``request_for(librarian, start, **overrides)``: a valid booking request."""

    def _make(librarian, start, **kw) -> BookingRequest:
        kw.setdefault("topic_id", topic.id)
        kw.setdefault("mode", Mode.IN_PERSON)
        kw.setdefault("name", "Ola Student")
        kw.setdefault("email", f"student{next(_seq)}@uni.example")
        kw.setdefault("message", "Help with searching CINAHL")
        return BookingRequest(librarian_id=librarian.id, start=start, **kw)

    return _make


@pytest.fixture
def frozen():
    """The clock at NOW for pages and the API (which read the real clock); it ticks on."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def outbox(app):
    """``outbox()`` sends queued e-mails (as the job worker would) and returns them parsed,
    oldest first, as written to ``instance/outbox``."""

    def _read() -> list:
        run_pending(app)
        folder = Path(app.instance_path) / "outbox"
        return [
            message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in sorted(folder.glob("*.eml"))
        ]

    return _read
