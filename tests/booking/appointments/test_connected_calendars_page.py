# ruff: noqa: F811  (fixtures imported from tests.calendar_sources)
"""The availability page's "Connected calendars": connect after a test read, field
errors in English and bokmål that change nothing, sync now as a job, replace, remove,
and the warning when a calendar keeps failing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from scheduler.jobs.runner import run_pending
from scheduler.models import BusyInterval, CalendarSource, Role
from tests.booking.appointments.test_connected_slots import NOW, meetings
from tests.calendar_sources.conftest import Route, feed_server  # noqa: F401
from tests.calendar_sources.feeds import google_feed

EN = {"Accept-Language": "en"}
NB = {"Accept-Language": "nb"}
PAGE = "/staff/booking/availability"


@pytest.fixture
def app_config(app_config: dict) -> dict:
    return app_config | {
        "CALENDARS_ALLOW_PRIVATE": True,
        "CALENDARS_SECRET_KEYS": Fernet.generate_key().decode(),
        "CALENDARS_READ_SECONDS": 1,
        "CALENDARS_TOTAL_SECONDS": 3,
    }


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def kari(db, create_librarian):
    person = create_librarian(name="Kari", buffer_minutes=15)
    db.session.commit()
    return person


def text(response) -> str:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text(" ", strip=True)


def connect(client, url: str, headers=EN, **fields):
    data = {"action": "add_calendar", "c-kind": "ics", "c-label": "Outlook", "c-url": url}
    data.update({f"c-{k}": v for k, v in fields.items()})
    return client.post(PAGE, data=data, headers=headers)


def sources(db) -> int:
    return db.session.scalar(select(func.count(CalendarSource.id)))


def test_connecting_reads_the_calendar_and_says_what_it_found(
    db, client, login, kari, feed_server
) -> None:
    login(kari)
    assert "No calendar connected yet." in text(client.get(PAGE, headers=EN))
    feed_server.routes["/secret/a1b2c3/kari.ics"] = Route(body=meetings())
    answer = connect(client, feed_server.url("/secret/a1b2c3/kari.ics"))
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("#calendars")
    page = text(client.get(PAGE, headers=EN))
    # Up to 17 May: the Tuesdays from 30 March (not 23 March) and the tentative Thursday.
    assert (
        "“Outlook” is connected: 8 busy events in the next 8 weeks; next: Thu 25 Mar 09:00–10:00."
        in page
    )
    assert "/secret/a1b2c3/kari.ics" not in page  # the address is shown masked
    assert f"http://127.0.0.1:{feed_server.port}/…kari.ics" in page
    assert "Read 22 Mar 08:00: 8 busy events in the next 8 weeks" in page
    # Stored up to the horizon (56 days and a margin): Tuesdays to 18 May, and Thursday.
    assert db.session.scalar(select(func.count(BusyInterval.id))) == 9
    # The preview of free times already leaves out Thursday 09:00 and 10:00.
    assert "Thu 25 Mar, 09:00" not in page
    assert "Thu 25 Mar, 11:00" in page


@pytest.mark.parametrize(
    ("route", "url", "field", "english", "bokmal"),
    [
        (
            None,
            "ftp://example.org/cal.ics",
            "url",
            "must start with https://",
            "må begynne med https://",
        ),
        (None, "not an address", "url", "is not a web address", "er ikke en nettadresse"),
        (Route(status=404), "/cal.ics", "url", "404 Not Found", "404 Not Found: adressen er feil"),
        (
            Route(
                body=b"<!DOCTYPE html><html>Outlook</html>", headers={"Content-Type": "text/html"}
            ),
            "/cal.ics",
            "url",
            "the address gave a web page",
            "adressen ga en nettside",
        ),
        (
            Route(body=b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:x\r\n"),
            "/cal.ics",
            "url",
            "could not be read",
            "kunne ikke leses",
        ),
        (
            Route(body=google_feed(), delay=2),
            "/cal.ics",
            "url",
            "did not answer within",
            "svarte ikke innen",
        ),
    ],
)
def test_a_bad_calendar_gets_its_message_at_the_field_and_changes_nothing(
    db, client, login, kari, feed_server, route, url, field, english, bokmal
) -> None:
    login(kari)
    if route is not None:
        feed_server.routes["/cal.ics"] = route
        url = feed_server.url(url)
    for headers, words in ((EN, english), (NB, bokmal)):
        answer = connect(client, url, headers=headers)
        assert answer.status_code == 422
        soup = BeautifulSoup(answer.get_data(as_text=True), "html.parser")
        error = soup.find(id=f"c-{field}-error")
        assert error is not None, soup.get_text(" ", strip=True)[:2000]
        assert words in error.get_text()
        assert soup.find(id=f"c-{field}")["aria-invalid"] == "true"
    assert sources(db) == 0


def test_a_missing_name_and_caldav_credentials_are_named(db, client, login, kari) -> None:
    login(kari)
    nameless = connect(client, "https://cloud.example.org/dav/", label="")
    assert nameless.status_code == 422
    soup = BeautifulSoup(nameless.get_data(as_text=True), "html.parser")
    assert soup.find(id="c-label-error") is not None
    answer = connect(client, "https://cloud.example.org/dav/", kind="caldav")
    assert answer.status_code == 422
    soup = BeautifulSoup(answer.get_data(as_text=True), "html.parser")
    assert "is required for a CalDAV calendar" in soup.find(id="c-username-error").get_text()
    assert "app password" in soup.find(id="c-password-error").get_text()
    assert sources(db) == 0


def test_sync_now_runs_as_a_job_and_the_page_follows_it(
    app, db, client, login, kari, feed_server
) -> None:
    login(kari)
    feed_server.routes["/cal.ics"] = Route(body=meetings())
    connect(client, feed_server.url("/cal.ics"))
    source = db.session.scalar(select(CalendarSource))
    answer = client.post(PAGE, data={"action": "sync_calendar", "source": source.id}, headers=EN)
    assert answer.status_code == 302
    page = client.get(PAGE, headers=EN).get_data(as_text=True)
    assert "Reading the calendar now" in page
    assert "js/connected_calendars.js" in page
    status = client.get(f"/staff/booking/calendars/{source.id}/status")
    assert status.get_json() == {"syncing": True}
    run_pending(app)
    assert client.get(f"/staff/booking/calendars/{source.id}/status").get_json() == {
        "syncing": False
    }
    assert "Read " in text(client.get(PAGE, headers=EN))


def test_replacing_and_removing(db, client, login, kari, feed_server) -> None:
    login(kari)
    feed_server.routes["/calendars/abcdef-old.ics"] = Route(body=meetings())
    feed_server.routes["/calendars/abcdef-new.ics"] = Route(body=google_feed())
    connect(client, feed_server.url("/calendars/abcdef-old.ics"))
    source_id = db.session.scalar(select(CalendarSource.id))
    empty = client.post(
        PAGE, data={"action": "replace_calendar", "r-source": source_id}, headers=EN
    )
    assert empty.status_code == 422
    replaced = client.post(
        PAGE,
        data={
            "action": "replace_calendar",
            "r-source": source_id,
            "r-url": feed_server.url("/calendars/abcdef-new.ics"),
        },
        headers=EN,
    )
    assert replaced.status_code == 302
    db.session.expire_all()
    assert db.session.get(CalendarSource, source_id).url_hint.endswith("…-new.ics")
    removed = client.post(PAGE, data={"action": "remove_calendar", "source": source_id}, headers=EN)
    assert removed.status_code == 302
    assert sources(db) == 0
    assert db.session.scalar(select(func.count(BusyInterval.id))) == 0


def test_nobody_touches_another_persons_calendars(
    db, client, login, kari, feed_server, create_librarian
) -> None:
    login(kari)
    feed_server.routes["/cal.ics"] = Route(body=meetings())
    connect(client, feed_server.url("/cal.ics"))
    source_id = db.session.scalar(select(CalendarSource.id))
    ola = create_librarian(name="Ola")
    login(ola)
    for action in ("sync_calendar", "remove_calendar"):
        answer = client.post(PAGE, data={"action": action, "source": source_id}, headers=EN)
        assert answer.status_code == 404
    assert client.get(f"/staff/booking/calendars/{source_id}/status").status_code == 404
    assert sources(db) == 1


def test_a_calendar_failing_for_hours_is_flagged_on_the_page(
    db, client, login, kari, feed_server
) -> None:
    login(kari)
    feed_server.routes["/cal.ics"] = Route(body=meetings())
    connect(client, feed_server.url("/cal.ics"))
    source = db.session.scalar(select(CalendarSource))
    source.failing_since = NOW - timedelta(hours=3)
    source.error_code = "not_found"
    db.session.commit()
    soup = BeautifulSoup(client.get(PAGE, headers=NB).get_data(as_text=True), "html.parser")
    alert = soup.find(class_="notice warning")
    assert alert is not None
    assert alert["role"] == "alert"
    assert "Vi får ikke lest «Outlook»." in alert.get_text(" ", strip=True)
    assert "404 Not Found" in alert.get_text()


def test_pages_api_and_desk_agree_on_the_busy_times(
    app, db, client, login, kari, topic, feed_server, create_person
) -> None:
    """Tuesday 6 April, summer time: 10:00-11:00 busy (and the break) leaves 09:00 only."""
    login(kari)
    feed_server.routes["/cal.ics"] = Route(body=meetings())
    assert connect(client, feed_server.url("/cal.ics")).status_code == 302
    api = client.get(f"/api/v1/slots?librarian={kari.id}&from=2027-04-06&to=2027-04-06")
    assert [s["start"] for s in api.get_json()] == ["2027-04-06T09:00:00+02:00"]
    topic_page = text(client.get(f"/book/topic/{topic.slug}?week=2027-W14", headers=EN))
    assert "09:00" in topic_page
    assert "10:00" not in topic_page.split("Tue")[1].split("Wed")[0]
    desk_person = create_person(Role.FIRST_LINE)
    login(desk_person)
    desk = text(client.get(f"/staff/booking/desk?topic={topic.id}&week=2027-W14", headers=EN))
    tuesday = desk.split("Tue")[1].split("Wed")[0]
    assert "09:00" in tuesday
    assert "10:00" not in tuesday
    assert "11:00" not in tuesday


def test_a_bad_source_id_is_not_found(db, client, login, kari) -> None:
    login(kari)
    for raw in ("99999999999999999999", "x", "", "-1"):
        answer = client.post(PAGE, data={"action": "sync_calendar", "source": raw}, headers=EN)
        assert answer.status_code == 404
    assert client.get("/staff/booking/calendars/99999999999999999999/status").status_code == 404
