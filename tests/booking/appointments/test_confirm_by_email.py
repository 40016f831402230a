"""E-mail confirmation before a booking is final: when the topic group asks for it, and
for any address beyond the daily number of bookings and registrations."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select

from scheduler.booking.appointments import book as svc
from scheduler.models import Appointment, AppointmentStatus, OutboundEmail
from tests.booking.appointments.helpers import NOW, TUESDAY, at, emails_to, site_at


def _verify_token(mail: OutboundEmail) -> str:
    line = next(x for x in mail.body_text.splitlines() if "/book/verify/" in x)
    return line.rsplit("/", 1)[1].strip()


def test_off_by_default_a_student_books_at_once(db, site, librarian, request_for):
    booked = svc.book(db.session, request_for(librarian, at(TUESDAY, 9)), site=site)
    assert booked.appointment.status == AppointmentStatus.BOOKED
    assert booked.manage_token is not None


def test_a_topic_group_set_to_confirm_makes_every_booking_wait_for_the_link(
    db, site, librarian, topic, request_for, create_topic_group
):
    topic.group = create_topic_group(confirm_by_email=True)
    booked = svc.book(
        db.session, request_for(librarian, at(TUESDAY, 9), email="ola@uni.example"), site=site
    )
    assert booked.needs_verification
    assert booked.manage_token is None
    assert booked.appointment.status == AppointmentStatus.PENDING
    assert booked.appointment.hold_expires_at == NOW + timedelta(minutes=site.hold_minutes)
    (mail,) = emails_to(db, "ola@uni.example")
    assert mail.subject == "Confirm your booking with the library"
    confirmed = svc.verify_email(
        db.session, _verify_token(mail), site=site_at(NOW + timedelta(minutes=5))
    )
    assert confirmed.appointment.status == AppointmentStatus.BOOKED
    assert confirmed.manage_token in emails_to(db, "ola@uni.example")[-1].body_text


def test_beyond_the_daily_number_each_booking_waits(db, librarian, request_for):
    site = replace(site_at(NOW), daily_unconfirmed=2)
    times = [at(TUESDAY, 9), at(TUESDAY, 9, 45), at(TUESDAY, 10, 30), at(TUESDAY, 11, 15)]
    outcomes = [
        svc.book(db.session, request_for(librarian, t, email="busy@uni.example"), site=site)
        for t in times
    ]
    assert [o.needs_verification for o in outcomes] == [False, False, True, True]
    # Another address is not affected, nor is the same one a day later.
    other = svc.book(
        db.session,
        request_for(librarian, at(TUESDAY + timedelta(days=1), 9), email="calm@uni.example"),
        site=site,
    )
    assert not other.needs_verification
    tomorrow = replace(site, now=NOW + timedelta(days=1, minutes=1))
    later = svc.book(
        db.session,
        request_for(librarian, at(TUESDAY + timedelta(days=2), 9), email="busy@uni.example"),
        site=tomorrow,
    )
    assert not later.needs_verification


def test_an_unconfirmed_booking_beyond_the_number_frees_its_time_when_the_hold_ends(
    db, librarian, request_for
):
    site = replace(site_at(NOW), daily_unconfirmed=0)
    held = svc.book(
        db.session, request_for(librarian, at(TUESDAY, 9), email="a@uni.example"), site=site
    )
    assert held.needs_verification
    after = replace(site, now=NOW + timedelta(minutes=site.hold_minutes + 1))
    taken = svc.book(
        db.session, request_for(librarian, at(TUESDAY, 9), email="b@uni.example"), site=after
    )
    assert held.appointment.status == AppointmentStatus.CANCELLED
    assert held.appointment.cancelled_by == "expired"
    assert taken.appointment.starts_at == held.appointment.starts_at


def test_the_api_answers_202_pending_without_a_token(
    app, db, client, frozen, librarian, topic, create_topic_group
):
    app.config["DAILY_BOOKINGS_WITHOUT_CONFIRMATION"] = 1
    body = {
        "librarian": str(librarian.id),
        "topic": str(topic.id),
        "mode": "in_person",
        "name": "Ola",
        "email": "ola@uni.example",
    }
    first = client.post("/api/v1/appointments", json={**body, "start": at(TUESDAY, 9).isoformat()})
    assert first.status_code == 201
    second = client.post(
        "/api/v1/appointments", json={**body, "start": at(TUESDAY, 9, 45).isoformat()}
    )
    assert second.status_code == 202
    assert set(second.json) == {"status", "hold_until"}
    assert second.json["status"] == "pending"
    hold = datetime.fromisoformat(second.json["hold_until"])
    assert NOW + timedelta(minutes=30) <= hold < NOW + timedelta(minutes=31)
    statuses = list(db.session.scalars(select(Appointment.status).order_by(Appointment.id)))
    assert statuses == [AppointmentStatus.BOOKED, AppointmentStatus.PENDING]
    mail = emails_to(db, "ola@uni.example")[-1]
    page = client.get(f"/book/verify/{_verify_token(mail)}")
    assert page.status_code == 200


def test_the_group_page_says_so(db, client, topic, create_topic_group):
    topic.group = create_topic_group(confirm_by_email=True, slug="law")
    page = client.get("/book/group/law", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "We send a link to confirm your address" in page.get_data(as_text=True)


def test_an_admin_sets_it_on_the_booking_page(db, client, login, create_person):
    from scheduler.models import Role, TopicGroup

    login(create_person(Role.ADMIN))
    data = {"name": "Law", "slug": "law", "position": "0", "confirm_by_email": "y"}
    assert client.post("/admin/topic-groups/new", data=data).status_code == 302
    group = db.session.scalar(select(TopicGroup).where(TopicGroup.slug == "law"))
    assert group.confirm_by_email
    data["confirm_by_email"] = ""
    assert client.post(f"/admin/topic-groups/{group.id}", data=data).status_code == 302
    db.session.refresh(group)
    assert not group.confirm_by_email
