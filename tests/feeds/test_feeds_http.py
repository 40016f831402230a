"""Feeds over HTTP: caching headers, conditional requests, and tokens that do not work."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from werkzeug.http import http_date

from scheduler.calendars import tokens
from scheduler.models import FeedToken, PublishedShift, Role
from tests.feeds.conftest import oslo
from tests.feeds.helpers import events_by_uid

NOW = oslo("2027-03-01", "12:00")


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def kari_feed(clock, create_person, create_published_shift, feed_token):
    kari = create_person(Role.FIRST_LINE, name="Kari Nordmann")
    create_published_shift(kari, oslo("2027-03-02", "08:00"))
    return f"/feeds/{feed_token(kari)}/shifts.ics"


def test_feed_headers(client, kari_feed):
    response = client.get(kari_feed)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["ETag"].startswith('"')
    assert response.last_modified is not None
    # Personal data: never stored by a browser or proxy cache (revalidated by ETag).
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"


def test_if_none_match_gives_304_without_a_body(client, kari_feed):
    first = client.get(kari_feed)
    again = client.get(kari_feed, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    stale = client.get(kari_feed, headers={"If-None-Match": '"not-the-current-one"'})
    assert stale.status_code == 200
    assert stale.data == first.data


def test_if_modified_since(client, kari_feed):
    first = client.get(kari_feed)
    same = client.get(kari_feed, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert same.status_code == 304
    older = http_date(first.last_modified - timedelta(seconds=1))
    assert client.get(kari_feed, headers={"If-Modified-Since": older}).status_code == 200


def test_etag_wins_over_if_modified_since(client, db, clock, kari_feed):
    """A client sending both gets the body when the ETag no longer matches (RFC 9110)."""
    first = client.get(kari_feed)
    clock.shift(timedelta(minutes=5))
    shift = db.session.scalars(db.select(PublishedShift)).one()
    shift.ends_at += timedelta(minutes=30)
    shift.sequence += 1
    changed = client.get(
        kari_feed,
        headers={
            "If-None-Match": first.headers["ETag"],
            "If-Modified-Since": http_date(first.last_modified + timedelta(days=1)),
        },
    )
    assert changed.status_code == 200
    assert changed.headers["ETag"] != first.headers["ETag"]


def test_head_answers_like_get_without_a_body(client, kari_feed):
    get = client.get(kari_feed)
    head = client.head(kari_feed)
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]


def _bare_404(response) -> None:
    assert response.status_code == 404
    assert response.data == b"Not found\n"
    assert response.headers["Content-Type"].startswith("text/plain")


def test_unknown_revoked_and_malformed_tokens_all_look_the_same(
    client, db, clock, create_person, feed_token
):
    kari = create_person(Role.FIRST_LINE)
    token = feed_token(kari)
    assert client.get(f"/feeds/{token}/all.ics").status_code == 200
    tokens.revoke_tokens(db.session, db.session.get(type(kari), kari.id))
    revoked = client.get(f"/feeds/{token}/all.ics")
    unknown = client.get(f"/feeds/{'A' * len(token)}/all.ics")
    malformed = client.get("/feeds/not a token!/all.ics")
    for response in (revoked, unknown, malformed):
        _bare_404(response)
    assert revoked.data == unknown.data == malformed.data


def test_a_person_who_can_no_longer_sign_in_has_no_feed(
    client, db, clock, create_person, feed_token
):
    kari = create_person(Role.FIRST_LINE)
    token = feed_token(kari)
    db.session.get(type(kari), kari.id).active = False
    _bare_404(client.get(f"/feeds/{token}/shifts.ics"))


def test_unknown_feed_kind_is_404(client, clock, create_person, feed_token):
    token = feed_token(create_person(Role.FIRST_LINE))
    assert client.get(f"/feeds/{token}/everything.ics").status_code == 404


def test_fetching_is_recorded_at_most_hourly(client, db, clock, create_person, feed_token):
    kari = create_person(Role.FIRST_LINE)
    token = feed_token(kari)

    def last_used():
        db.session.expire_all()
        return db.session.scalars(db.select(FeedToken)).one().last_used_at

    assert last_used() is None
    client.get(f"/feeds/{token}/shifts.ics")
    assert last_used() == NOW
    clock.shift(timedelta(minutes=30))
    client.get(f"/feeds/{token}/shifts.ics")
    assert last_used() == NOW
    clock.shift(timedelta(minutes=31))
    client.get(f"/feeds/{token}/shifts.ics")
    assert last_used() == NOW + timedelta(minutes=61)


def test_events_link_back_through_stable_urls(client, login, clock, create_person, kari_feed):
    body = client.get(kari_feed).data
    (ev,) = events_by_uid(body).values()
    path = str(ev["URL"]).removeprefix("https://library.test")
    assert path.startswith("/staff/calendar/shifts/")
    anonymous = client.get(path)
    assert anonymous.status_code == 302
    assert "/sign-in" in anonymous.headers["Location"]
    login(create_person(Role.FIRST_LINE))
    # A shift lands on its place in "my shifts" (the review pages' shift link).
    shift_id = path.removeprefix("/staff/calendar/shifts/")
    assert client.get(path).headers["Location"].endswith(f"/staff/my-shifts/{shift_id}")


def test_many_first_requests_for_one_feed_build_it_once(
    app, db, live_server, create_session, monkeypatch
):
    """Eight subscribers asking at once for a feed no process has built: one builds it,
    the others are served what it built (not eight builds of the same megabyte)."""
    import threading
    import time
    import urllib.request

    from scheduler.calendars import feeds as feed_module

    create_session(oslo("2027-01-12", "15:00"))
    db.session.commit()
    builds = []
    real = feed_module.public_feed
    gate = threading.Event()

    def slow_build(*args, **kwargs):
        builds.append(1)
        gate.wait(2)  # hold the first build until every request is in
        return real(*args, **kwargs)

    monkeypatch.setattr(feed_module, "public_feed", slow_build)
    bodies: list[bytes] = []

    def fetch() -> None:
        with urllib.request.urlopen(f"{live_server}/feeds/public/dropins.ics", timeout=30) as r:
            bodies.append(r.read())

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.5)  # every request reaches the view (without the lock each would build)
    gate.set()
    for t in threads:
        t.join(timeout=60)
    assert len(bodies) == 8
    assert len(set(bodies)) == 1
    assert b"BEGIN:VEVENT" in bodies[0]
    assert len(builds) == 1
