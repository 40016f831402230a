"""Drop-in factories and helpers: sessions, registrants, and reading the outbox."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from scheduler.booking.dropins.registrations import Registrant, register
from scheduler.models import DropInSession, OutboundEmail, Role
from scheduler.site import Site
from scheduler.timeutil import local_to_utc, utcnow

_seq = itertools.count(1)
TZ = "Europe/Oslo"
SITE = Site(public_url="https://library.test", default_tz=TZ, language="en")


@pytest.fixture
def site() -> Site:
    return SITE


@pytest.fixture
def host(create_person):
    return create_person(Role.LIBRARIAN, name="Hanne Host", email="hanne@uni.example")


@pytest.fixture
def create_dropin(db, create_library, host):
    """``create_dropin(**kw)``: an announced session a week ahead, registration required."""

    def _create(**kw) -> DropInSession:
        if "library" not in kw:
            kw["library"] = create_library()
        day = kw.pop("day", date.today() + timedelta(days=7))
        start = kw.pop("start", time(12))
        minutes = kw.pop("minutes", 60)
        starts = local_to_utc(day, start, kw["library"].timezone)
        kw.setdefault("starts_at", starts)
        kw.setdefault("ends_at", kw["starts_at"] + timedelta(minutes=minutes))
        kw.setdefault("title", f"Drop-in {next(_seq)}")
        kw.setdefault("registration_required", True)
        kw.setdefault("hosts", [host])
        dropin = DropInSession(**kw)
        db.session.add(dropin)
        db.session.flush()
        return dropin

    return _create


def person(n: int, **kw) -> Registrant:
    """The n-th made-up registrant."""
    kw.setdefault("name", f"Student {n}")
    kw.setdefault("email", f"student{n}@uni.example")
    kw.setdefault("locale", "en")
    return Registrant(**kw)


@pytest.fixture
def sign_up(db, site):
    """``sign_up(session_or_ids, n)``: register made-up person n, now."""

    def _sign_up(target, n: int = 1, *, now: datetime | None = None, **kw):
        ids = [target.id] if isinstance(target, DropInSession) else list(target)
        return register(db.session, ids, person(n, **kw), site=site, now=now or utcnow())

    return _sign_up


def outbox(db, to: str | None = None) -> list[OutboundEmail]:
    stmt = select(OutboundEmail).order_by(OutboundEmail.id)
    if to is not None:
        stmt = stmt.where(OutboundEmail.to_address == to)
    return list(db.session.scalars(stmt))


def calendars(email: OutboundEmail) -> list[Calendar]:
    """The iCalendar attachments of a stored e-mail, parsed back."""
    return [
        Calendar.from_ical(a["content"])
        for a in email.attachments or []
        if a["content_type"].startswith("text/calendar")
    ]


def only_event(cal: Calendar):
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    return events[0]
