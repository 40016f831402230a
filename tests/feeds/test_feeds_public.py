"""The shared activity calendar: every announced session, filterable, open to all."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from scheduler.models import SessionStatus
from tests.feeds.conftest import oslo
from tests.feeds.helpers import events_by_uid, parse_ics

NOW = oslo("2027-03-01", "12:00")
FEED = "/feeds/public/dropins.ics"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sessions(clock, create_library, create_topic, create_session, create_person):
    main = create_library(name="Main Library", slug="main")
    health = create_library(name="Health Library", slug="health")
    zotero = create_topic(name="Zotero", slug="zotero")
    searching = create_topic(name="Systematic searching", slug="searching")
    host = create_person(name="Hanne Host")
    start = oslo("2027-03-03", "12:00")
    return {
        "zotero-main": create_session(
            start, library=main, topic=zotero, title="Zotero drop-in", hosts=[host]
        ),
        "search-health": create_session(
            start + timedelta(days=1),
            library=health,
            topic=searching,
            title="Searching clinic",
            registration_required=True,
            registration_deadline=start + timedelta(days=1, hours=-2),
        ),
        "zotero-health": create_session(
            start + timedelta(days=2), library=health, topic=zotero, title="Zotero at Health"
        ),
        "cancelled": create_session(
            start + timedelta(days=3),
            library=main,
            title="Cancelled talk",
            status=SessionStatus.CANCELLED,
            cancelled_at=NOW - timedelta(days=1),
        ),
    }


def uids(response) -> set[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return set(events_by_uid(response.data))


def uid(item) -> str:
    return f"session-{item.id}@library.test"


def test_all_announced_sessions_and_recent_cancellations(client, sessions):
    response = client.get(FEED + "?lang=en")
    assert uids(response) == {uid(s) for s in sessions.values()}
    events = events_by_uid(response.data)
    zotero = events[uid(sessions["zotero-main"])]
    assert str(zotero["SUMMARY"]) == "Zotero drop-in"
    assert str(zotero["TRANSP"]) == "TRANSPARENT"  # subscribers do not look busy
    assert "Hosts: Hanne Host" in str(zotero["DESCRIPTION"])
    assert (
        str(zotero["URL"]) == f"https://library.test/calendar/sessions/{sessions['zotero-main'].id}"
    )
    clinic = events[uid(sessions["search-health"])]
    assert "Registration required, by 4 Mar 2027 10:00" in str(clinic["DESCRIPTION"])
    cancelled = events[uid(sessions["cancelled"])]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["SUMMARY"]) == "Cancelled: Cancelled talk"
    assert response.cache_control.public
    assert "X-Robots-Tag" not in response.headers
    assert str(parse_ics(response.data)["X-WR-CALNAME"]) == "Library activities"


def test_filters_by_library_and_topic_slug_or_id(client, sessions):
    health = sessions["search-health"].library
    zotero = sessions["zotero-main"].topic
    assert uids(client.get(FEED + "?library=health")) == {
        uid(sessions["search-health"]),
        uid(sessions["zotero-health"]),
    }
    assert uids(client.get(f"{FEED}?library={health.id}&topic=zotero")) == {
        uid(sessions["zotero-health"])
    }
    assert uids(client.get(f"{FEED}?topic={zotero.id}")) == {
        uid(sessions["zotero-main"]),
        uid(sessions["zotero-health"]),
    }
    both = client.get(FEED + "?library=main,health&topic=zotero&topic=searching&lang=en")
    assert uids(both) == {
        uid(sessions["zotero-main"]),
        uid(sessions["search-health"]),
        uid(sessions["zotero-health"]),
    }
    assert str(parse_ics(both.data)["X-WR-CALNAME"]).startswith("Library activities – Main Library")


@pytest.mark.parametrize(
    ("query", "field", "value"),
    [
        ("library=nowhere", "library", "'nowhere'"),
        ("library=main&library=999", "library", "'999'"),
        ("topic=knitting", "topic", "'knitting'"),
        ("lang=de", "lang", "nb, en"),
    ],
)
def test_bad_filters_are_400_with_a_clear_message(client, sessions, query, field, value):
    response = client.get(f"{FEED}?{query}")
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    message = response.get_data(as_text=True)
    assert message.startswith(f"{field}: ")
    assert value in message


def test_unknown_library_message_lists_the_known_ones(client, sessions):
    message = client.get(FEED + "?library=nowhere").get_data(as_text=True)
    assert "known: health, main" in message


def test_public_feed_conditional_get(client, sessions):
    first = client.get(FEED)
    assert client.get(FEED, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_sessions_are_in_norwegian_by_default(client, sessions):
    events = events_by_uid(client.get(FEED).data)
    assert str(events[uid(sessions["cancelled"])]["SUMMARY"]) == "Avlyst: Cancelled talk"
    clinic = str(events[uid(sessions["search-health"])]["DESCRIPTION"])
    assert "Påmelding kreves, innen 4. mars 2027 10:00" in clinic


def test_public_subscribe_page_builds_the_link(client, sessions):
    en = {"Accept-Language": "en"}
    page = client.get("/calendar/subscribe?library=health&topic=", headers=en)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="https://library.test/feeds/public/dropins.ics?library=health"' in html
    assert 'href="webcal://library.test/feeds/public/dropins.ics?library=health"' in html
    assert "<script>" not in html  # the CSP allows no inline script
    bad = client.get("/calendar/subscribe?library=nowhere", headers={"Accept-Language": "en"})
    assert bad.status_code == 422
    assert "Not a valid choice" in bad.get_data(as_text=True)


def test_join_links_of_registration_sessions_stay_out_of_the_public_feed(
    client, db, create_library
) -> None:
    from datetime import timedelta

    from scheduler.models import DropInSession
    from scheduler.timeutil import utcnow

    library = create_library()
    start = utcnow() + timedelta(days=3)
    db.session.add_all(
        [
            DropInSession(
                title="Closed course",
                library=library,
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                registration_required=True,
                capacity=10,
                online_url="https://video.example/secret-room",
            ),
            DropInSession(
                title="Open webinar",
                library=library,
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                online_url="https://video.example/open-room",
            ),
        ]
    )
    body = client.get("/feeds/public/dropins.ics").get_data(as_text=True).replace("\r\n ", "")
    assert "open-room" in body
    assert "secret-room" not in body
