"""Online appointments get a video meeting link when booked: the librarian's own room or
a room per appointment from the library's template. The link reaches the patron (e-mail,
invitation, manage page, reminder) and the librarian; other ways of meeting get none."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from scheduler.booking.appointments import book as svc
from scheduler.booking.appointments import meeting_links
from scheduler.booking.appointments.reminders import send_reminders
from scheduler.errors import InputError
from scheduler.models import BookingSettings, Mode
from tests.booking.appointments.helpers import (
    TODAY,
    TUESDAY,
    at,
    calendar_of,
    emails_to,
    only_event,
    site_at,
)

ROOM = "https://uni.zoom.us/j/123456789?pwd=abc"
EN = {"Accept-Language": "en"}


@pytest.fixture
def online_librarian(db, create_librarian):
    person = create_librarian(name="Kari Nordmann")
    db.session.get(BookingSettings, person.id).meeting_url = ROOM
    db.session.flush()
    return person


def _book(db, site, request_for, librarian, start, mode=Mode.ONLINE, email="ola@uni.example"):
    return svc.book(db.session, request_for(librarian, start, mode=mode, email=email), site=site)


def test_an_online_booking_gets_the_librarians_room_everywhere(
    db, site, online_librarian, request_for
) -> None:
    booked = _book(db, site, request_for, online_librarian, at(TUESDAY, 9))
    assert booked.appointment.meeting_url == ROOM

    (mail,) = emails_to(db, "ola@uni.example")
    assert f"Join the meeting: {ROOM}" in mail.body_text
    event = only_event(calendar_of(mail))
    assert str(event["LOCATION"]) == ROOM
    assert str(event["URL"]) == ROOM
    conference = event["CONFERENCE"]
    assert str(conference) == ROOM
    assert conference.params["VALUE"] == "URI"
    assert "VIDEO" in conference.params["FEATURE"]
    # The manage page is still reachable from the invitation.
    assert f"https://library.test/book/manage/{booked.manage_token}" in str(event["DESCRIPTION"])

    (notice,) = emails_to(db, online_librarian.email)
    assert ROOM in notice.body_text


def test_the_link_in_a_norwegian_e_mail(db, site, online_librarian, request_for) -> None:
    svc.book(
        db.session,
        request_for(online_librarian, at(TUESDAY, 9), mode=Mode.ONLINE, email="kari@uni.example",
                    locale="nb"),
        site=site,
    )  # fmt: skip
    (mail,) = emails_to(db, "kari@uni.example")
    assert f"Bli med i møtet: {ROOM}" in mail.body_text


def test_a_library_template_makes_a_room_per_appointment(
    db, site, library, online_librarian, request_for
) -> None:
    library.meeting_url_template = "https://meet.jit.si/library-{token}"
    first = _book(db, site, request_for, online_librarian, at(TUESDAY, 9), email="a@uni.example")
    second = _book(
        db, site, request_for, online_librarian, at(TUESDAY, 10, 30), email="b@uni.example"
    )
    pattern = re.compile(r"https://meet\.jit\.si/library-[a-z0-9]{20}")
    links = {first.appointment.meeting_url, second.appointment.meeting_url}
    assert len(links) == 2
    assert all(pattern.fullmatch(link) for link in links)
    assert ROOM not in links  # the library's rooms win over the librarian's own
    (mail,) = emails_to(db, "a@uni.example")
    assert str(only_event(calendar_of(mail))["CONFERENCE"]) == first.appointment.meeting_url


@pytest.mark.parametrize("mode", [Mode.IN_PERSON, Mode.PHONE])
def test_in_person_and_phone_appointments_get_no_link(
    db, site, library, create_librarian, request_for, mode
) -> None:
    librarian = create_librarian(modes="in_person,online,phone")
    db.session.get(BookingSettings, librarian.id).meeting_url = ROOM
    library.meeting_url_template = "https://meet.jit.si/library-{token}"
    booked = _book(db, site, request_for, librarian, at(TUESDAY, 9), mode=mode)
    assert booked.appointment.meeting_url is None
    (mail,) = emails_to(db, "ola@uni.example")
    assert "Join the meeting" not in mail.body_text
    event = only_event(calendar_of(mail))
    assert "CONFERENCE" not in event
    assert "meet.jit.si" not in calendar_of(mail).to_ical().decode()


def test_a_moved_appointment_keeps_its_room(db, site, library, online_librarian, request_for):
    library.meeting_url_template = "https://meet.jit.si/library-{token}"
    booked = _book(db, site, request_for, online_librarian, at(TUESDAY, 9))
    link = booked.appointment.meeting_url
    moved = svc.reschedule(db.session, booked.manage_token, at(TUESDAY, 10, 30), site=site)
    assert moved.meeting_url == link
    rescheduled = emails_to(db, "ola@uni.example")[-1]
    assert link in rescheduled.body_text
    # Moved to an in-person meeting, it has no room any more.
    in_person = svc.reschedule(
        db.session, booked.manage_token, at(TUESDAY, 9), site=site, mode=Mode.IN_PERSON
    )
    assert in_person.meeting_url is None


def test_the_reminder_carries_the_link(db, site, online_librarian, request_for) -> None:
    svc.book(
        db.session,
        request_for(online_librarian, at(TODAY.replace(day=5), 9), mode=Mode.ONLINE,
                    email="tue@uni.example"),
        site=site,
    )  # fmt: skip
    assert send_reminders(db.session, site=site_at(at(TODAY, 18))) == 1
    reminder = emails_to(db, "tue@uni.example")[-1]
    assert reminder.subject.startswith("Reminder")
    assert ROOM in reminder.body_text


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("http://zoom.us/j/1", "must start with https://"),
        ("javascript:alert(1)", "must start with https://"),
        ("https://zoom.us/j/1 extra", "must not contain spaces"),
        ("https://me:secret@zoom.us/j/1", "must not contain a user name or password"),
        ("https://localhost/room", "is not a valid web address"),
        ("https:///room", "is not a valid web address"),
        ("https://zoom.us:99999/j/1", "is not a valid web address"),
        ("https://x.example/" + "a" * 500, "is longer than 500 characters"),
    ],
)
def test_bad_meeting_addresses_are_refused(raw, reason) -> None:
    with pytest.raises(InputError) as caught:
        meeting_links.parse_https_url(raw, "meeting_url")
    assert caught.value.fields == {"meeting_url": reason}


def test_good_meeting_addresses() -> None:
    for raw in (
        ROOM,
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting",
        "https://whereby.com/kari",
    ):
        assert meeting_links.parse_https_url(f"  {raw} ", "meeting_url") == raw
    assert meeting_links.parse_https_url("  ", "meeting_url") is None


@pytest.mark.parametrize(
    "raw",
    ["https://meet.jit.si/library", "https://meet.jit.si/{token}-{token}",
     "https://meet.jit.si/{room}-{token}", "http://meet.jit.si/{token}"],
)  # fmt: skip
def test_bad_templates_are_refused(raw) -> None:
    with pytest.raises(InputError) as caught:
        meeting_links.parse_template(raw, "meeting_url_template")
    assert set(caught.value.fields) == {"meeting_url_template"}


# Pages -----------------------------------------------------------------------------------


def _text(response) -> str:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text(" ", strip=True)


def test_the_librarian_sets_a_room_on_the_availability_page(
    db, client, login, frozen, librarian
) -> None:
    login(librarian)
    saved = client.post(
        "/staff/booking/availability",
        data={"action": "meeting_link", "m-meeting_url": ROOM},
        headers=EN,
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(BookingSettings, librarian.id).meeting_url == ROOM
    page = client.get("/staff/booking/availability", headers=EN).get_data(as_text=True)
    assert f'value="{ROOM.replace("&", "&amp;")}"' in page or ROOM in page


def test_an_invalid_room_is_refused_with_a_field_error(
    db, client, login, frozen, online_librarian
) -> None:
    login(online_librarian)
    refused = client.post(
        "/staff/booking/availability",
        data={"action": "meeting_link", "m-meeting_url": "http://insecure.example/room"},
        headers=EN,
    )
    assert refused.status_code == 422
    soup = BeautifulSoup(refused.get_data(as_text=True), "html.parser")
    field = soup.find(id="m-meeting_url")
    assert field is not None
    assert field.get("aria-invalid") == "true"
    assert "must start with https://" in _text(refused)
    db.session.expire_all()
    assert db.session.get(BookingSettings, online_librarian.id).meeting_url == ROOM


def test_manage_page_and_staff_pages_show_the_link(
    db, client, login, frozen, site, online_librarian, request_for
) -> None:
    booked = _book(db, site, request_for, online_librarian, at(TUESDAY, 9))
    manage = client.get(f"/book/manage/{booked.manage_token}", headers=EN)
    assert manage.status_code == 200
    links = BeautifulSoup(manage.get_data(as_text=True), "html.parser").find_all("a", href=ROOM)
    assert links, "the manage page links to the meeting room"
    login(online_librarian)
    for url in (
        "/staff/booking/appointments",
        f"/staff/booking/appointments/{booked.appointment.id}",
    ):
        page = BeautifulSoup(client.get(url, headers=EN).get_data(as_text=True), "html.parser")
        assert page.find_all("a", href=ROOM), url


def test_the_api_gives_the_link_to_whoever_holds_the_manage_token(
    client, frozen, topic, online_librarian
) -> None:
    body = {
        "librarian": str(online_librarian.id),
        "start": at(TUESDAY, 9).isoformat(),
        "topic": str(topic.id),
        "mode": "online",
        "name": "Ola Student",
        "email": "ola@uni.example",
    }
    response = client.post("/api/v1/appointments", json=body)
    assert response.status_code == 201
    assert response.json["meeting_url"] == ROOM
    shown = client.get(f"/api/v1/appointments/{response.json['manage_token']}")
    assert shown.json["meeting_url"] == ROOM
    in_person = client.post(
        "/api/v1/appointments",
        json=body | {"mode": "in_person", "start": at(TUESDAY, 10, 30).isoformat()},
    )
    assert in_person.json["meeting_url"] is None
