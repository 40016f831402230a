"""Letters to a patron never quote what the requester typed (message, answers), and the
name they greet is one short line without links: anyone can type any address."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from scheduler.booking.appointments import book as svc
from scheduler.booking.appointments.reminders import send_reminders
from scheduler.booking.dropins.registrations import Registrant, register
from scheduler.models import (
    AvailabilityRule,
    BookingSettings,
    DropInSession,
    GroupQuestion,
    Mode,
    OutboundEmail,
    Role,
)
from scheduler.site import Site
from scheduler.timeutil import local_to_utc, utcnow

SPAM = "Cheap pills at https://spam.example/buy — reply now"
LONG_NAME = "Victim\nClick www.spam.example " + "y" * 150


def _letters(db, to: str) -> list[OutboundEmail]:
    rows = db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == to))
    return list(rows)


def _everything(letter: OutboundEmail) -> str:
    parts = [letter.subject, letter.body_text]
    parts += [a["content"] for a in letter.attachments or []]
    return "\n".join(parts)


def _assert_clean(letter: OutboundEmail) -> None:
    text = _everything(letter)
    assert "spam.example" not in text
    assert "Cheap pills" not in text
    greeting = letter.body_text.splitlines()[0]
    assert greeting.startswith("Hello Victim ")
    assert len(greeting) <= len("Hello ,") + 100
    assert "y" * 101 not in text


@pytest.fixture
def booked(db, create_person, create_library, create_topic, create_topic_group):
    library = create_library()
    group = create_topic_group()
    question = GroupQuestion(
        group=group, position=1, label="What is your thesis about?", required=False
    )
    db.session.add(question)
    topic = create_topic(group=group)
    librarian = create_person(Role.LIBRARIAN, bookable=True, topics=[topic])
    db.session.add(BookingSettings(person_id=librarian.id, min_notice_minutes=0, slot_minutes=60))
    for weekday in range(7):
        db.session.add(
            AvailabilityRule(
                person_id=librarian.id,
                library_id=library.id,
                weekday=weekday,
                start_time=time(9),
                end_time=time(17),
                modes="in_person",
            )
        )
    db.session.flush()
    tomorrow = date.today() + timedelta(days=1)
    site = Site(public_url="https://library.test", secret_key="k", language="en")
    result = svc.book(
        db.session,
        svc.BookingRequest(
            librarian_id=librarian.id,
            topic_id=topic.id,
            start=local_to_utc(tomorrow, time(10), library.timezone),
            mode=Mode.IN_PERSON,
            name=LONG_NAME,
            email="victim@uni.example",
            message=SPAM,
            answers={str(question.id): SPAM},
        ),
        site=site,
    )
    return result, site


def test_appointment_confirmation_and_reminder_quote_nothing(db, booked):
    result, site = booked
    assert result.appointment.message == SPAM  # kept for the librarian
    send_reminders(db.session, site=replace(site, now=utcnow()))
    letters = _letters(db, "victim@uni.example")
    subjects = [letter.subject for letter in letters]
    assert any(s.startswith("Booked") for s in subjects)
    assert any(s.startswith("Reminder") for s in subjects), subjects
    for letter in letters:
        _assert_clean(letter)


def test_dropin_confirmation_quotes_no_answer(db, create_library, create_person):
    library = create_library()
    starts = local_to_utc(date.today() + timedelta(days=7), time(12), library.timezone)
    dropin = DropInSession(
        library=library,
        title="Zotero drop-in",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        registration_required=True,
        question="What do you want to learn?",
        hosts=[create_person(Role.LIBRARIAN)],
    )
    db.session.add(dropin)
    db.session.flush()
    site = Site(public_url="https://library.test", secret_key="k", language="en")
    who = Registrant(name=LONG_NAME, email="victim@uni.example", answer=SPAM, locale="en")
    done = register(db.session, [dropin.id], who, site=site, now=utcnow())
    assert done.registrations[0].answer == SPAM  # kept for the hosts
    (letter,) = _letters(db, "victim@uni.example")
    _assert_clean(letter)
