"""Constants and helpers for booking tests (fixtures live in conftest.py).

Times are fixed: NOW is Monday 4 January 2027, 08:00 in Oslo, and librarians made by
``create_librarian`` take appointments on weekdays 09:00-12:00 (45 minutes, 24 h notice),
so the first free slot is Tuesday 09:00.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import select

from scheduler.models import OutboundEmail
from scheduler.site import Site
from scheduler.timeutil import local_to_utc

OSLO = ZoneInfo("Europe/Oslo")
TODAY = date(2027, 1, 4)  # a Monday
NOW = local_to_utc(TODAY, time(8), OSLO)
TUESDAY = TODAY + timedelta(days=1)
SECRET = "test-secret-key"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return local_to_utc(day, time(hour, minute), OSLO)


def site_at(now: datetime, **kw) -> Site:
    kw.setdefault("public_url", "https://library.test")
    kw.setdefault("secret_key", SECRET)
    kw.setdefault("language", "en")  # e-mails to people whose language is unknown
    return Site(now=now, **kw)


def emails_to(db, address: str) -> list[OutboundEmail]:
    return list(
        db.session.scalars(
            select(OutboundEmail)
            .where(OutboundEmail.to_address == address)
            .order_by(OutboundEmail.id)
        )
    )


def calendar_of(email: OutboundEmail) -> Calendar:
    """The iCalendar attachment of a stored e-mail, parsed back."""
    (attachment,) = [a for a in email.attachments or [] if a["filename"].endswith(".ics")]
    assert attachment["content_type"].startswith("text/calendar")
    return Calendar.from_ical(attachment["content"])


def only_event(cal: Calendar):
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return events[0]
