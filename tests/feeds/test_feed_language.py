"""A person's feed is written in that person's language, whatever the site's default."""

from __future__ import annotations

import pytest
import time_machine

from scheduler.models import Role
from tests.factories import TEST_PASSWORD
from tests.feeds.conftest import oslo
from tests.feeds.helpers import events_by_uid, parse_ics

NOW = oslo("2027-03-01", "12:00")


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def desk(create_library, create_service_point):
    main = create_library(name="Main Library", slug="main")
    return create_service_point(
        library=main, name="Information desk", location="Entrance hall", ground_floor=True
    )


def _shift_summary(
    client, person, desk, create_published_shift, feed_token, day: str = "2027-03-02"
) -> tuple[str, str]:
    """The summary of a shift alone at the desk on ``day``, and the feed's name."""
    shift = create_published_shift(person, oslo(day, "10:00"), service_point=desk)
    body = client.get(f"/feeds/{feed_token(person)}/shifts.ics").data
    event = events_by_uid(body)[f"shift-{shift.id}@library.test"]
    return str(event["SUMMARY"]), str(parse_ics(body)["X-WR-CALNAME"])


def test_signing_in_in_english_makes_the_feed_english(
    db, client, clock, desk, create_person, create_published_shift, feed_token
):
    """The site's default is bokmål; someone who reads the pages in English and never
    touched the switcher gets an English feed, not a Norwegian one."""
    person = create_person(Role.FIRST_LINE, name="Pat Smith", email="pat@uni.example", locale=None)
    db.session.commit()
    response = client.post(
        "/sign-in",
        data={"email": "pat@uni.example", "password": TEST_PASSWORD},
        headers={"Accept-Language": "en-GB,en;q=0.9"},
    )
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.locale == "en"
    summary, name = _shift_summary(client, person, desk, create_published_shift, feed_token)
    assert summary == "Information desk, ground floor"
    assert name == "Desk shifts – Pat Smith"


def test_a_chosen_language_is_kept_at_the_next_sign_in(db, client, clock, create_person):
    person = create_person(Role.FIRST_LINE, email="kim@uni.example", locale="sv")
    db.session.commit()
    client.post(
        "/sign-in",
        data={"email": "kim@uni.example", "password": TEST_PASSWORD},
        headers={"Accept-Language": "en"},
    )
    db.session.refresh(person)
    assert person.locale == "sv"


def test_each_person_reads_their_own_language(
    client, clock, desk, create_person, create_published_shift, feed_token
):
    for day, locale, expected_summary, expected_name in [
        ("2027-03-02", "sv", "Information desk, bottenvåningen", "Diskpass – Kim"),
        ("2027-03-03", "nb", "Information desk, 1. etasje", "Skrankevakter – Kari"),
        ("2027-03-04", "en", "Information desk, ground floor", "Desk shifts – Pat"),
    ]:
        name = expected_name.split(" – ")[1]
        person = create_person(Role.FIRST_LINE, name=name, locale=locale)
        summary, calendar = _shift_summary(
            client, person, desk, create_published_shift, feed_token, day
        )
        assert summary == expected_summary
        assert calendar == expected_name
