"""Feed ETags from fingerprints: a 304 without building the calendar, a new subscriber
served from memory, and an ETag that changes with every write the feed shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from scheduler.calendars import feeds
from scheduler.models import AppointmentStatus, PublishedShiftStatus, Role, SessionStatus
from tests.feeds.conftest import oslo

NOW = oslo("2027-03-01", "12:00")
PUBLIC = "/feeds/public/dropins.ics"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _refuse(*_args, **_kw):
    raise AssertionError("the calendar was built")


@pytest.fixture
def kari(clock, create_person, create_published_shift, feed_token):
    person = create_person(Role.FIRST_LINE, name="Kari Nordmann")
    create_published_shift(person, oslo("2027-03-02", "08:00"))
    return person, f"/feeds/{feed_token(person)}/all.ics"


def test_a_304_builds_nothing(client, kari, create_session, monkeypatch):
    _person, url = kari
    create_session(oslo("2027-03-03", "12:00"))
    first_personal = client.get(url)
    first_public = client.get(PUBLIC)
    assert first_personal.status_code == first_public.status_code == 200

    monkeypatch.setattr(feeds, "person_feed", _refuse)
    monkeypatch.setattr(feeds, "public_feed", _refuse)
    monkeypatch.setattr(feeds.Feed, "render", _refuse)
    again = client.get(url, headers={"If-None-Match": first_personal.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["ETag"] == first_personal.headers["ETag"]
    assert again.cache_control.no_store
    public = client.get(PUBLIC, headers={"If-None-Match": first_public.headers["ETag"]})
    assert public.status_code == 304
    assert public.cache_control.public


def test_a_new_subscriber_is_served_from_memory(client, create_session, clock, monkeypatch):
    create_session(oslo("2027-03-03", "12:00"))
    first = client.get(PUBLIC)
    monkeypatch.setattr(feeds, "public_feed", _refuse)
    second = client.get(PUBLIC)  # no ETag: a calendar subscribing for the first time
    assert second.status_code == 200
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]


def fresh_body(app, client, url: str) -> bytes:
    """The body built now, from nothing kept in memory."""
    app.extensions.pop("feed_body_cache", None)
    return client.get(url).data


def test_every_write_the_personal_feed_shows_changes_its_etag(
    app,
    client,
    db,
    clock,
    kari,
    create_person,
    create_published_shift,
    create_appointment,
    create_service_point,
):
    person, url = kari
    point = create_service_point(name="Main desk")
    shift = create_published_shift(person, oslo("2027-03-04", "10:00"), service_point=point)
    seen = [client.get(url).headers["ETag"]]

    def changed(step: str) -> None:
        db.session.commit()
        answer = client.get(url)
        assert answer.headers["ETag"] not in seen, f"ETag unchanged after: {step}"
        assert answer.data == fresh_body(app, client, url), f"stale body after: {step}"
        seen.append(answer.headers["ETag"])
        clock.shift(timedelta(seconds=1))

    clock.shift(timedelta(seconds=1))
    create_published_shift(person, oslo("2027-03-05", "08:00"))
    changed("a new shift")
    shift.ends_at += timedelta(hours=1)
    changed("a shift made longer")
    colleague = create_person(Role.FIRST_LINE, name="Ola Hansen")
    create_published_shift(colleague, oslo("2027-03-04", "10:00"), service_point=point)
    changed("a colleague on the same desk")
    colleague.name = "Ola Hansen-Berg"
    changed("the colleague renamed")
    point.name = "Information desk"
    changed("the service point renamed")
    point.library.name = "Renamed Library"
    changed("the library renamed")
    appointment = create_appointment(person, oslo("2027-03-08", "09:00"))
    changed("an appointment booked")
    appointment.topic.name = "A renamed topic"
    changed("its topic renamed")
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = NOW
    changed("the appointment cancelled")
    shift.status = PublishedShiftStatus.CANCELLED
    shift.cancelled_at = NOW
    changed("a shift cancelled")
    person.name = "Kari Nordmann-Lie"
    changed("the owner renamed")

    # Time alone: the cancelled items leave the feed after FEEDS_CANCELLED_DAYS.
    clock.shift(timedelta(days=31))
    changed("cancelled items left the feed")

    # A write the feed does not show leaves the ETag alone.
    stranger = create_person(Role.FIRST_LINE, name="Someone Else")
    create_published_shift(stranger, oslo("2027-04-20", "10:00"))
    db.session.commit()
    assert client.get(url).headers["ETag"] == seen[-1]


def test_every_write_the_public_feed_shows_changes_its_etag(
    app, client, db, clock, create_session, create_person, create_topic
):
    topic = create_topic(name="Zotero")
    first = create_session(oslo("2027-03-03", "12:00"), topic=topic)
    seen = [client.get(PUBLIC).headers["ETag"]]

    def changed(step: str) -> None:
        db.session.commit()
        answer = client.get(PUBLIC)
        assert answer.headers["ETag"] not in seen, f"ETag unchanged after: {step}"
        assert answer.data == fresh_body(app, client, PUBLIC), f"stale body after: {step}"
        seen.append(answer.headers["ETag"])
        clock.shift(timedelta(seconds=1))

    clock.shift(timedelta(seconds=1))
    second = create_session(oslo("2027-03-04", "12:00"))
    changed("a session announced")
    first.starts_at += timedelta(hours=1)
    first.ends_at += timedelta(hours=1)
    changed("a session moved")
    anne, bo = create_person(Role.LIBRARIAN, name="Anne"), create_person(Role.LIBRARIAN, name="Bo")
    first.hosts = [anne]
    second.hosts = [bo]
    changed("hosts added")
    first.hosts = [bo]
    second.hosts = [anne]
    changed("the two hosts swapped")
    anne.name = "Anne-Marie"
    changed("a host renamed")
    topic.name = "Zotero and EndNote"
    changed("the topic renamed")
    first.library.name = "Renamed Library"
    changed("the library renamed")
    second.status = SessionStatus.CANCELLED
    second.cancelled_at = NOW
    changed("a session cancelled")
