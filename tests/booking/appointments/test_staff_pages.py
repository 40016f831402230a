"""Librarians' pages (appointments, cancelling, availability) and the desk hand-over."""

from __future__ import annotations

from datetime import time, timedelta
from html import unescape

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from scheduler.booking.appointments import book as svc
from scheduler.models import (
    Appointment,
    AppointmentStatus,
    AvailabilityException,
    AvailabilityRule,
    BookingSettings,
    ExceptionKind,
    OutboundEmail,
    Role,
)
from tests.booking.appointments.helpers import TUESDAY, at

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _clock(frozen):
    return frozen


@pytest.fixture
def booked(db, site, librarian, request_for):
    return svc.book(
        db.session,
        request_for(librarian, at(TUESDAY, 9), name="Ola Student", email="ola@uni.example"),
        site=site,
    ).appointment


def text(response) -> str:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text(" ", strip=True)


def test_librarian_sees_own_appointments_with_patron_details(
    client, login, librarian, booked
) -> None:
    login(librarian)
    listing = text(client.get("/staff/booking/appointments", headers=EN))
    assert "Ola Student" in listing
    detail = text(client.get(f"/staff/booking/appointments/{booked.id}", headers=EN))
    assert "ola@uni.example" in detail
    assert "Help with searching CINAHL" in detail


def test_patron_details_stay_with_the_librarian_concerned(
    client, login, booked, create_person
) -> None:
    colleague = create_person(Role.LIBRARIAN)
    login(colleague)
    assert "Ola Student" not in text(client.get("/staff/booking/appointments"))
    assert client.get(f"/staff/booking/appointments/{booked.id}").status_code == 404
    assert client.get(f"/staff/booking/appointments/{booked.id}/cancel").status_code == 404
    # ?person= is for administrators only; others just see their own.
    own = client.get(f"/staff/booking/appointments?person={booked.librarian_id}")
    assert "Ola Student" not in text(own)


def test_admin_opens_any_librarians_appointments(client, login, booked, create_person) -> None:
    login(create_person(Role.ADMIN))
    page = client.get(f"/staff/booking/appointments?person={booked.librarian_id}", headers=EN)
    assert "Ola Student" in text(page)
    assert client.get(f"/staff/booking/appointments/{booked.id}").status_code == 200


def test_librarian_cancels_with_a_message_to_the_patron(
    db, client, login, librarian, booked
) -> None:
    login(librarian)
    url = f"/staff/booking/appointments/{booked.id}/cancel"
    assert client.get(url).status_code == 200
    too_long = client.post(url, data={"message": "x" * 2001}, headers=EN)
    assert too_long.status_code == 422
    response = client.post(url, data={"message": "Sorry, I am ill. Please book Per."})
    assert response.status_code == 302
    appointment = db.session.get(Appointment, booked.id)
    assert appointment.status == AppointmentStatus.CANCELLED
    mail = db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.to_address == "ola@uni.example")
    ).all()[-1]
    assert "Sorry, I am ill. Please book Per." in mail.body_text


def _post(client, **data):
    return client.post("/staff/booking/availability", data=data, headers=EN)


def test_availability_editor_windows(db, client, login, librarian, library) -> None:
    login(librarian)
    assert client.get("/staff/booking/availability").status_code == 200
    added = _post(
        client,
        action="add_window",
        **{
            "w-weekday": "5",
            "w-start": "10:00",
            "w-end": "12:00",
            "w-library": str(library.id),
            "w-modes": ["online", "phone"],
        },
    )
    assert added.status_code == 302
    rule = db.session.scalar(
        select(AvailabilityRule).where(
            AvailabilityRule.person_id == librarian.id, AvailabilityRule.weekday == 5
        )
    )
    assert (rule.start_time, rule.end_time, rule.modes) == (time(10), time(12), "online,phone")
    overlapping = _post(
        client,
        action="add_window",
        **{"w-weekday": "5", "w-start": "11:00", "w-end": "13:00", "w-library": str(library.id),
           "w-modes": ["online"]},
    )  # fmt: skip
    assert overlapping.status_code == 422
    assert "overlaps your window 10:00–12:00" in overlapping.get_data(as_text=True)
    backwards = _post(
        client,
        action="add_window",
        **{"w-weekday": "6", "w-start": "13:00", "w-end": "12:00", "w-library": str(library.id),
           "w-modes": ["online"]},
    )  # fmt: skip
    assert backwards.status_code == 422
    assert "must be after the start" in backwards.get_data(as_text=True)
    rule_id = rule.id
    removed = _post(client, action="delete_window", id=str(rule_id))
    assert removed.status_code == 302
    assert db.session.get(AvailabilityRule, rule_id) is None


def test_availability_editor_settings_and_exceptions(db, client, login, librarian) -> None:
    login(librarian)
    saved = _post(
        client,
        action="settings",
        **{
            "s-bookable": "y",
            "s-slot_minutes": "30",
            "s-buffer_minutes": "10",
            "s-notice_hours": "4",
            "s-horizon_days": "21",
            "s-max_per_day": "3",
        },
    )
    assert saved.status_code == 302
    settings = db.session.get(BookingSettings, librarian.id)
    assert (settings.slot_minutes, settings.buffer_minutes, settings.min_notice_minutes) == (
        30,
        10,
        240,
    )
    assert (settings.horizon_days, settings.max_per_day) == (21, 3)
    bad = _post(
        client,
        action="settings",
        **{"s-slot_minutes": "5", "s-buffer_minutes": "0", "s-notice_hours": "1",
           "s-horizon_days": "1"},
    )  # fmt: skip
    assert bad.status_code == 422
    assert db.session.get(BookingSettings, librarian.id).slot_minutes == 30
    blocked = _post(
        client, action="add_exception", **{"e-date": (TUESDAY + timedelta(7)).isoformat(),
                                           "e-kind": "blocked", "e-library": ""}
    )  # fmt: skip
    assert blocked.status_code == 302
    exc = db.session.scalar(select(AvailabilityException))
    assert (exc.kind, exc.start_time) == (ExceptionKind.BLOCKED, None)
    past = _post(
        client,
        action="add_exception",
        **{"e-date": "2026-12-01", "e-kind": "blocked", "e-library": ""},
    )
    assert past.status_code == 422
    assert "is in the past" in past.get_data(as_text=True)


def test_availability_preview_shows_the_next_free_times(client, login, librarian) -> None:
    login(librarian)
    page = text(client.get("/staff/booking/availability", headers=EN))
    assert "Tuesday" not in page or "09:00" in page
    assert "09:00" in page


def test_desk_books_for_a_patron(db, client, login, create_person, topic, librarian) -> None:
    desk = create_person(Role.FIRST_LINE, name="Desk Person")
    login(desk)
    page = client.get(f"/staff/booking/desk?topic={topic.id}", headers=EN)
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    link = unescape(soup.select_one("a.time")["href"])
    assert link.startswith("/staff/booking/desk/book?")
    form = client.get(link, headers=EN)
    assert "Patron's name" in text(form)
    response = client.post(
        link,
        data={"name": "Walk In", "email": "walkin@uni.example", "mode": "in_person"},
        headers=EN,
    )
    assert response.status_code == 302
    appointment = db.session.scalar(select(Appointment))
    assert appointment.booked_by_id == desk.id
    assert appointment.status == AppointmentStatus.BOOKED
    confirmation = client.get(response.headers["Location"], headers=EN)
    assert "Booked Walk In with" in confirmation.get_data(as_text=True)
    # The desk does not get a view of patron details afterwards.
    assert client.get(f"/staff/booking/appointments/{appointment.id}").status_code == 403
