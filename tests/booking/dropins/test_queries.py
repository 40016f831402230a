"""The listing: filters by topic, library and local date; head counts and places left."""

from __future__ import annotations

from datetime import date, time, timedelta

from scheduler.booking.dropins.queries import list_sessions, registrants
from scheduler.models import SessionStatus
from scheduler.timeutil import utcnow


def test_filters_by_topic_library_and_date(db, create_dropin, create_library, create_topic):
    today = date.today()
    law, health = create_library(name="Law"), create_library(name="Health")
    zotero, searching = create_topic(name="Zotero"), create_topic(name="Searching")
    a = create_dropin(library=law, topic=zotero, day=today + timedelta(days=2))
    b = create_dropin(library=health, topic=zotero, day=today + timedelta(days=3))
    c = create_dropin(library=health, topic=searching, day=today + timedelta(days=9))
    window = {"start": today, "end": today + timedelta(days=30)}

    def ids(**kw):
        return [item.dropin.id for item in list_sessions(db.session, **(window | kw))]

    assert ids() == [a.id, b.id, c.id]
    assert ids(topic_id=zotero.id) == [a.id, b.id]
    assert ids(library_id=health.id) == [b.id, c.id]
    assert ids(library_id=health.id, topic_id=zotero.id) == [b.id]
    assert ids(start=today + timedelta(days=3), end=today + timedelta(days=3)) == [b.id]


def test_dates_are_the_librarys_local_dates(db, create_dropin, create_library):
    """00:30 in Oslo is the day before in UTC; it belongs to the Oslo date."""
    day = date.today() + timedelta(days=5)
    oslo = create_library(timezone="Europe/Oslo")
    late = create_dropin(library=oslo, day=day, start=time(0, 30))
    assert late.starts_at.date() == day - timedelta(days=1)  # in UTC
    found = list_sessions(db.session, start=day, end=day)
    assert [i.dropin.id for i in found] == [late.id]
    before = day - timedelta(days=1)
    assert list_sessions(db.session, start=before, end=before) == []


def test_counts_and_remaining_places(db, create_dropin, sign_up):
    dropin = create_dropin(capacity=2, lunch=True)
    sign_up(dropin, 1, lunch=True)
    sign_up(dropin, 2, lunch=False)
    sign_up(dropin, 3, lunch=True)  # waitlisted: not in the lunch count
    (item,) = list_sessions(db.session, start=date.today(), end=date.today() + timedelta(days=30))
    assert (item.counts.registered, item.counts.waitlisted, item.counts.lunch) == (2, 1, 1)
    assert item.remaining == 0
    assert item.full
    assert item.registration_open(utcnow())  # full, but the waitlist is open
    dropin.waitlist_enabled = False
    assert not item.registration_open(utcnow())
    names = [r.email for r in registrants(db.session, dropin.id)]
    assert names == ["student1@uni.example", "student2@uni.example", "student3@uni.example"]


def test_cancelled_sessions_only_on_request(db, create_dropin):
    dropin = create_dropin(status=SessionStatus.CANCELLED)
    window = {"start": date.today(), "end": date.today() + timedelta(days=30)}
    assert list_sessions(db.session, **window) == []
    assert [i.dropin.id for i in list_sessions(db.session, include_cancelled=True, **window)] == [
        dropin.id
    ]


def test_no_registration_means_no_places_to_count(db, create_dropin):
    create_dropin(registration_required=False, capacity=None)
    (item,) = list_sessions(db.session, start=date.today(), end=date.today() + timedelta(days=30))
    assert item.remaining is None
    assert not item.registration_open(utcnow())
