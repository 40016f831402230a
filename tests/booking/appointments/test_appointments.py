"""Booking, cancelling, moving and handing over appointments through the service layer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from scheduler.booking.appointments import book as svc
from scheduler.errors import Conflict, Forbidden, InputError, NotFound
from scheduler.models import (
    Appointment,
    AppointmentStatus,
    GroupQuestion,
    Mode,
    OutboundEmail,
    Role,
)
from tests.booking.appointments.helpers import (
    NOW,
    TUESDAY,
    at,
    calendar_of,
    emails_to,
    only_event,
    site_at,
)


def count(db, model=Appointment, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_booking_a_free_slot(db, site, librarian, library, request_for) -> None:
    booked = svc.book(db.session, request_for(librarian, at(TUESDAY, 9)), site=site)
    appt = booked.appointment
    assert appt.status == AppointmentStatus.BOOKED
    assert (appt.starts_at, appt.ends_at) == (at(TUESDAY, 9), at(TUESDAY, 9, 45))
    assert appt.blocked_until == appt.ends_at
    assert appt.library_id == library.id
    assert appt.booked_by_id is None
    assert booked.manage_token
    assert svc.find_by_manage_token(db.session, booked.manage_token) is appt
    # The token is derived again for later e-mails, and only its digest is stored.
    assert svc.current_manage_token(appt, site) == booked.manage_token
    assert booked.manage_token not in appt.manage_token_hash


def test_buffer_is_stored_as_the_busy_range(db, site, create_librarian, request_for) -> None:
    librarian = create_librarian(buffer_minutes=15)
    appt = svc.book(db.session, request_for(librarian, at(TUESDAY, 9)), site=site).appointment
    assert appt.blocked_until == at(TUESDAY, 10)


def test_confirmation_email_carries_an_invitation_and_the_manage_link(
    db, site, librarian, request_for
) -> None:
    booked = svc.book(
        db.session, request_for(librarian, at(TUESDAY, 9), email="ola@uni.example"), site=site
    )
    (mail,) = emails_to(db, "ola@uni.example")
    assert booked.manage_token in mail.body_text
    assert "https://library.test/book/manage/" in mail.body_text
    cal = calendar_of(mail)
    assert str(cal["METHOD"]) == "REQUEST"
    event = only_event(cal)
    assert str(event["UID"]) == f"appointment-{booked.appointment.id}@library.test"
    assert event.decoded("DTSTART") == at(TUESDAY, 9)
    assert event.decoded("DTEND") == at(TUESDAY, 9, 45)
    assert "mailto:ola@uni.example" in str(event["ATTENDEE"])
    assert str(event["ORGANIZER"]) == f"mailto:{librarian.email}"
    # The librarian hears about it too.
    (notice,) = emails_to(db, librarian.email)
    assert "Ola Student" in notice.body_text


def test_emails_use_the_patrons_language(db, site, librarian, request_for) -> None:
    svc.book(
        db.session,
        request_for(librarian, at(TUESDAY, 9), email="kari@uni.example", locale="nb"),
        site=site,
    )
    (mail,) = emails_to(db, "kari@uni.example")
    assert "tirsdag 5. januar 2027" in mail.body_text
    assert "Hei Ola Student" in mail.body_text


def test_without_a_known_language_emails_use_the_sites_first(db, librarian, request_for) -> None:
    site = site_at(NOW, language="nb")
    svc.book(db.session, request_for(librarian, at(TUESDAY, 9), email="x@uni.example"), site=site)
    (mail,) = emails_to(db, "x@uni.example")
    assert mail.subject.startswith("Bestilt: Nursing med Kari Nordmann")
    (notice,) = emails_to(db, librarian.email)
    assert notice.subject.startswith("Ny avtale")


def test_the_same_slot_cannot_be_booked_twice(db, site, librarian, request_for) -> None:
    svc.book(db.session, request_for(librarian, at(TUESDAY, 9)), site=site)
    with pytest.raises(Conflict) as err:
        svc.book(db.session, request_for(librarian, at(TUESDAY, 9)), site=site)
    assert err.value.status == 409
    assert "start" in err.value.fields
    assert count(db) == 1


def test_another_librarian_is_free_at_the_same_time(
    db, site, librarian, create_librarian, request_for
) -> None:
    other = create_librarian()
    svc.book(db.session, request_for(librarian, at(TUESDAY, 9)), site=site)
    svc.book(db.session, request_for(other, at(TUESDAY, 9)), site=site)
    assert count(db) == 2


@pytest.mark.parametrize(
    ("start", "reason"),
    [
        (at(TUESDAY, 9, 10), "is not one of this librarian's free times"),
        (at(TUESDAY, 13), "is not one of this librarian's free times"),
        (NOW - timedelta(hours=1), "is in the past"),
        (at(NOW.date(), 10, 30), "is inside the minimum notice of 24 hours"),
        (at(TUESDAY + timedelta(days=70), 9), "is further ahead than bookings open (56 days)"),
    ],
)
def test_a_start_that_is_not_a_free_slot_is_refused(
    db, site, librarian, request_for, start, reason
) -> None:
    with pytest.raises(InputError) as err:
        svc.book(db.session, request_for(librarian, start), site=site)
    assert err.value.fields == {"start": reason}
    assert count(db) == 0
    assert count(db, OutboundEmail) == 0


def test_bad_patron_details_are_all_named(db, site, librarian, request_for) -> None:
    req = request_for(
        librarian, at(TUESDAY, 9), name=" ", email="not-an-address", message="x" * 2001
    )
    with pytest.raises(InputError) as err:
        svc.book(db.session, req, site=site)
    assert set(err.value.fields) == {"name", "email", "message"}
    assert err.value.fields["message"] == "is longer than 2000 characters"
    assert count(db) == 0


def test_unknown_librarian_and_topic(db, site, librarian, request_for, create_topic) -> None:
    with pytest.raises(InputError) as err:
        svc.book(db.session, request_for(librarian, at(TUESDAY, 9), topic_id=99999), site=site)
    assert err.value.fields == {"topic": "is not a known topic"}
    req = request_for(librarian, at(TUESDAY, 9))
    with pytest.raises(InputError) as err:
        svc.book(db.session, req.__class__(**{**req.__dict__, "librarian_id": 99999}), site=site)
    assert err.value.fields == {"librarian": "is not a librarian who can be booked"}
    law = create_topic(name="Law")
    with pytest.raises(InputError) as err:
        svc.book(db.session, request_for(librarian, at(TUESDAY, 9), topic_id=law.id), site=site)
    assert err.value.fields == {"topic": "is not one of this librarian's topics"}


def test_a_mode_the_window_does_not_offer(db, site, create_librarian, request_for) -> None:
    librarian = create_librarian(modes="online")
    with pytest.raises(InputError) as err:
        svc.book(db.session, request_for(librarian, at(TUESDAY, 9), mode=Mode.PHONE), site=site)
    assert err.value.fields == {"mode": "is not offered at this time"}


def test_daily_maximum(db, site, create_librarian, request_for) -> None:
    librarian = create_librarian(max_per_day=1)
    svc.book(db.session, request_for(librarian, at(TUESDAY, 9)), site=site)
    with pytest.raises(Conflict):
        svc.book(db.session, request_for(librarian, at(TUESDAY, 10, 30)), site=site)
    svc.book(db.session, request_for(librarian, at(TUESDAY + timedelta(1), 10, 30)), site=site)
    assert count(db) == 2


def test_custom_questions_are_checked_and_kept(
    db, site, librarian, topic, request_for, create_topic_group
) -> None:
    group = create_topic_group(name="Health")
    topic.group = group
    q1 = GroupQuestion(group=group, position=1, label="Which course?", required=True)
    q2 = GroupQuestion(group=group, position=2, label="Which database?")
    db.session.add_all([q1, q2])
    db.session.flush()
    with pytest.raises(InputError) as err:
        svc.book(
            db.session, request_for(librarian, at(TUESDAY, 9), answers={"999": "x"}), site=site
        )
    assert err.value.fields == {
        "answers.999": "is not a question on this booking page",
        f"answers.{q1.id}": "is required",
    }
    booked = svc.book(
        db.session,
        request_for(librarian, at(TUESDAY, 9), answers={str(q1.id): "SYKP1001"}),
        site=site,
    )
    assert booked.appointment.answers == {
        str(q1.id): {"question": "Which course?", "answer": "SYKP1001"}
    }


# Restricted booking pages: e-mail verified by a link -------------------------------


@pytest.fixture
def restricted(topic, create_topic_group):
    topic.group = create_topic_group(allowed_email_domains="uni.example, student.uni.example")
    return topic


def _verify_token(mail: OutboundEmail) -> str:
    line = next(x for x in mail.body_text.splitlines() if "/book/verify/" in x)
    return line.rsplit("/", 1)[1].strip()


def test_an_address_outside_the_allowed_domains_is_refused(
    db, site, librarian, restricted, request_for
) -> None:
    with pytest.raises(InputError) as err:
        svc.book(
            db.session, request_for(librarian, at(TUESDAY, 9), email="ola@gmail.example"), site=site
        )
    assert err.value.fields == {"email": "must be an address at uni.example or student.uni.example"}
    assert count(db) == 0


def test_restricted_booking_holds_the_time_until_the_address_is_verified(
    db, site, librarian, restricted, request_for
) -> None:
    booked = svc.book(
        db.session,
        request_for(librarian, at(TUESDAY, 9), email="ola@student.uni.example"),
        site=site,
    )
    assert booked.needs_verification
    assert booked.manage_token is None
    appt = booked.appointment
    assert appt.status == AppointmentStatus.PENDING
    assert appt.hold_expires_at == NOW + timedelta(minutes=30)
    (mail,) = emails_to(db, "ola@student.uni.example")
    assert not mail.attachments  # no invitation before the address is confirmed
    assert emails_to(db, librarian.email) == []
    # The held time is not free for anyone else meanwhile.
    with pytest.raises(Conflict):
        svc.book(
            db.session, request_for(librarian, at(TUESDAY, 9), email="x@uni.example"), site=site
        )
    confirmed = svc.verify_email(
        db.session, _verify_token(mail), site=site_at(NOW + timedelta(minutes=10))
    )
    assert confirmed.appointment is appt
    assert appt.status == AppointmentStatus.BOOKED
    assert appt.hold_expires_at is None
    confirmation = emails_to(db, "ola@student.uni.example")[-1]
    assert confirmed.manage_token in confirmation.body_text
    assert str(calendar_of(confirmation)["METHOD"]) == "REQUEST"
    # Following the link again shows the booking again and sends nothing new.
    again = svc.verify_email(db.session, _verify_token(mail), site=site)
    assert again.manage_token == confirmed.manage_token
    assert len(emails_to(db, "ola@student.uni.example")) == 2


def test_an_expired_hold_frees_the_time(db, site, librarian, restricted, request_for) -> None:
    first = svc.book(
        db.session, request_for(librarian, at(TUESDAY, 9), email="a@uni.example"), site=site
    )
    later = site_at(NOW + timedelta(minutes=31))
    second = svc.book(
        db.session, request_for(librarian, at(TUESDAY, 9), email="b@uni.example"), site=later
    )
    assert first.appointment.status == AppointmentStatus.CANCELLED
    assert first.appointment.cancelled_by == "expired"
    assert second.appointment.status == AppointmentStatus.PENDING
    # The first patron's link now finds the time taken.
    with pytest.raises(Conflict):
        svc.verify_email(db.session, _verify_token(emails_to(db, "a@uni.example")[0]), site=later)


def test_a_late_confirmation_still_books_a_time_nobody_took(
    db, site, librarian, restricted, request_for
) -> None:
    svc.book(db.session, request_for(librarian, at(TUESDAY, 9), email="a@uni.example"), site=site)
    token = _verify_token(emails_to(db, "a@uni.example")[0])
    confirmed = svc.verify_email(db.session, token, site=site_at(NOW + timedelta(minutes=45)))
    assert confirmed.appointment.status == AppointmentStatus.BOOKED


def test_a_confirmation_inside_the_notice_is_too_late(
    db, site, librarian, restricted, request_for
) -> None:
    svc.book(db.session, request_for(librarian, at(TUESDAY, 9), email="a@uni.example"), site=site)
    token = _verify_token(emails_to(db, "a@uni.example")[0])
    with pytest.raises(Conflict) as err:
        svc.verify_email(db.session, token, site=site_at(NOW + timedelta(hours=2)))
    assert err.value.fields == {"start": "is inside the minimum notice"}


def test_an_unknown_confirmation_link(db, site) -> None:
    with pytest.raises(NotFound):
        svc.verify_email(db.session, "nonsense", site=site)


# Cancel and reschedule by the patron ------------------------------------------------


def test_patron_cancels_and_gets_a_cancel_with_a_higher_sequence(
    db, site, librarian, request_for
) -> None:
    booked = svc.book(
        db.session, request_for(librarian, at(TUESDAY, 9), email="ola@uni.example"), site=site
    )
    svc.cancel_by_patron(db.session, booked.manage_token, site=site)
    appt = booked.appointment
    assert appt.status == AppointmentStatus.CANCELLED
    assert appt.cancelled_by == "patron"
    invite, cancel = emails_to(db, "ola@uni.example")
    first, last = only_event(calendar_of(invite)), only_event(calendar_of(cancel))
    assert str(calendar_of(cancel)["METHOD"]) == "CANCEL"
    assert last["UID"] == first["UID"]
    assert int(last["SEQUENCE"]) > int(first["SEQUENCE"])
    assert str(last["STATUS"]) == "CANCELLED"
    assert "cancelled" in emails_to(db, librarian.email)[-1].subject.lower()
    # The time is free again, and cancelling twice changes nothing.
    svc.book(db.session, request_for(librarian, at(TUESDAY, 9)), site=site)
    svc.cancel_by_patron(db.session, booked.manage_token, site=site)
    assert len(emails_to(db, "ola@uni.example")) == 2


def test_no_changes_inside_the_minimum_notice(db, site, librarian, request_for) -> None:
    booked = svc.book(db.session, request_for(librarian, at(TUESDAY, 9)), site=site)
    too_late = site_at(at(TUESDAY, 9) - timedelta(hours=23))
    with pytest.raises(Conflict):
        svc.cancel_by_patron(db.session, booked.manage_token, site=too_late)
    with pytest.raises(Conflict):
        svc.reschedule(
            db.session, booked.manage_token, at(TUESDAY + timedelta(2), 9), site=too_late
        )
    assert booked.appointment.status == AppointmentStatus.BOOKED
    assert svc.changeable_until(db.session, booked.appointment) == at(TUESDAY, 9) - timedelta(
        days=1
    )


def test_patron_moves_to_another_free_slot(db, site, librarian, request_for) -> None:
    booked = svc.book(
        db.session, request_for(librarian, at(TUESDAY, 9), email="ola@uni.example"), site=site
    )
    token = booked.manage_token
    moved = svc.reschedule(db.session, token, at(TUESDAY, 10, 30), site=site)
    assert (moved.starts_at, moved.ends_at) == (at(TUESDAY, 10, 30), at(TUESDAY, 11, 15))
    assert moved.sequence == 1
    update = emails_to(db, "ola@uni.example")[-1]
    event = only_event(calendar_of(update))
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == at(TUESDAY, 10, 30)
    assert token in update.body_text
    # The old time is free again; the new one is not.
    svc.book(db.session, request_for(librarian, at(TUESDAY, 9)), site=site)
    with pytest.raises(Conflict):
        svc.book(db.session, request_for(librarian, at(TUESDAY, 10, 30)), site=site)


def test_moving_by_less_than_a_slot_is_allowed(db, site, create_librarian, request_for) -> None:
    # 30-minute slots: 09:00 and 09:30 overlap nothing once the booking itself moves.
    librarian = create_librarian(slot_minutes=30, buffer_minutes=30)
    booked = svc.book(db.session, request_for(librarian, at(TUESDAY, 9)), site=site)
    moved = svc.reschedule(db.session, booked.manage_token, at(TUESDAY, 10), site=site)
    assert moved.starts_at == at(TUESDAY, 10)


def test_moving_to_a_taken_or_invalid_time(db, site, librarian, request_for) -> None:
    booked = svc.book(db.session, request_for(librarian, at(TUESDAY, 9)), site=site)
    svc.book(db.session, request_for(librarian, at(TUESDAY, 9, 45)), site=site)
    with pytest.raises(Conflict):
        svc.reschedule(db.session, booked.manage_token, at(TUESDAY, 9, 45), site=site)
    with pytest.raises(InputError):
        svc.reschedule(db.session, booked.manage_token, at(TUESDAY, 9, 50), site=site)
    with pytest.raises(NotFound):
        svc.reschedule(db.session, "no-such-token", at(TUESDAY, 10, 30), site=site)
    assert booked.appointment.starts_at == at(TUESDAY, 9)
    assert booked.appointment.sequence == 0


# Staff --------------------------------------------------------------------------------


def test_desk_staff_book_for_a_patron_without_verification(
    db, site, librarian, restricted, request_for, create_person
) -> None:
    desk = create_person(Role.FIRST_LINE)
    booked = svc.book(
        db.session,
        request_for(librarian, at(TUESDAY, 9), email="walkin@uni.example"),
        site=site,
        actor=desk,
    )
    assert booked.appointment.status == AppointmentStatus.BOOKED
    assert booked.appointment.booked_by_id == desk.id
    (mail,) = emails_to(db, "walkin@uni.example")
    assert "information desk" in mail.body_text
    # Same rules as patrons: no double booking, no times inside the notice.
    with pytest.raises(Conflict):
        svc.book(db.session, request_for(librarian, at(TUESDAY, 9)), site=site, actor=desk)


def test_only_first_line_staff_book_for_patrons(
    db, site, librarian, request_for, create_person
) -> None:
    with pytest.raises(Forbidden):
        svc.book(
            db.session,
            request_for(librarian, at(TUESDAY, 9)),
            site=site,
            actor=create_person(Role.LIBRARIAN),
        )


def test_librarian_cancels_with_a_message(db, site, librarian, request_for, create_person) -> None:
    booked = svc.book(
        db.session, request_for(librarian, at(TUESDAY, 9), email="ola@uni.example"), site=site
    )
    appt_id = booked.appointment.id
    with pytest.raises(NotFound):
        svc.cancel_by_staff(
            db.session, appt_id, actor=create_person(Role.LIBRARIAN), message="x", site=site
        )
    svc.cancel_by_staff(
        db.session,
        appt_id,
        actor=librarian,
        message="I am ill, sorry. Please book again.",
        site=site,
    )
    appt = booked.appointment
    assert (appt.status, appt.cancelled_by) == (AppointmentStatus.CANCELLED, "librarian")
    mail = emails_to(db, "ola@uni.example")[-1]
    assert "I am ill, sorry." in mail.body_text
    assert str(calendar_of(mail)["METHOD"]) == "CANCEL"
    with pytest.raises(Conflict):
        svc.cancel_by_staff(db.session, appt_id, actor=librarian, message=None, site=site)


def test_admin_may_cancel_any_appointment(db, site, librarian, request_for, create_person) -> None:
    booked = svc.book(db.session, request_for(librarian, at(TUESDAY, 9)), site=site)
    admin = create_person(Role.ADMIN)
    svc.cancel_by_staff(db.session, booked.appointment.id, actor=admin, message=None, site=site)
    assert booked.appointment.cancelled_by == "staff"
    assert "cancelled" in emails_to(db, librarian.email)[-1].subject.lower()
    assert svc.can_see_patron(admin, booked.appointment)
    assert svc.can_see_patron(librarian, booked.appointment)
    assert not svc.can_see_patron(create_person(Role.FIRST_LINE), booked.appointment)
