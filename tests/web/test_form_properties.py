"""Hypothesis against the public and staff forms: whatever is typed (any text, lone
surrogates, NUL, huge numbers, years 1 and 9999), the answer is never a server error,
and a refused form changes nothing, on SQLite and on PostgreSQL.

The number of examples comes from the Hypothesis profile (tests/conftest.py).
"""

from __future__ import annotations

from datetime import date, time, timedelta
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from scheduler.models import AvailabilityRule, Base, BookingSettings, DropInSession, Role
from scheduler.timeutil import local_to_utc

HOSTILE = [
    "\x00",
    "Ada\x00Lovelace",
    "\ud800",
    "x\udfff",
    "²",
    "٣",
    "-1",
    "99999999999999999999",
    "9223372036854775808",
    "1e309",
    "NaN",
    "0001-01-01",
    "9999-12-31",
    "9999-12-31T23:59",
    "25:99",
    "x" * 5000,
    "<script>alert(1)</script>",
]

VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.characters(codec=None), max_size=40),  # surrogates included
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.times().map(lambda t: t.strftime("%H:%M")),
)


def changes(fields: list[str]) -> st.SearchStrategy[dict[str, str]]:
    """Some of ``fields`` replaced by a hostile or random value."""
    return st.dictionaries(st.sampled_from(fields), VALUES, min_size=1, max_size=len(fields))


def _row_counts(db) -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
        if "audit" not in table.name
    }


def _post(client, url: str, fields: dict[str, str]):
    return client.post(
        url,
        data=urlencode(fields, errors="surrogatepass"),
        content_type="application/x-www-form-urlencoded",
    )


def check_form(db, client, url: str, valid: dict[str, str], typed: dict[str, str]) -> None:
    before = _row_counts(db)
    response = _post(client, url, {**valid, **typed})
    assert response.status_code < 500, (url, typed)
    if response.status_code >= 400:
        assert _row_counts(db) == before, (url, typed, response.status_code)


@pytest.fixture
def world(db, create_library, create_topic, create_person):
    library = create_library()
    topic = create_topic()
    librarian = create_person(Role.LIBRARIAN, bookable=True, topics=[topic])
    db.session.add(BookingSettings(person_id=librarian.id, min_notice_minutes=0))
    tomorrow = date.today() + timedelta(days=1)
    db.session.add(
        AvailabilityRule(
            person_id=librarian.id,
            library_id=library.id,
            weekday=tomorrow.weekday(),
            start_time=time(8),
            end_time=time(16),
            modes="in_person",
        )
    )
    starts = local_to_utc(date.today() + timedelta(days=7), time(12), library.timezone)
    dropin = DropInSession(
        library=library,
        title="Zotero",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        registration_required=True,
        capacity=3,
        question="What should we cover?",
        lunch=True,
        hosts=[librarian],
    )
    db.session.add(dropin)
    db.session.flush()
    return {
        "library": library,
        "topic": topic,
        "librarian": librarian,
        "dropin": dropin,
        "slot": local_to_utc(tomorrow, time(8), library.timezone),  # the first slot
    }


REGISTRATION = ["name", "email", "answer", "lunch", "sessions"]


def test_registration_form(db, client, world):
    url = f"/dropins/{world['dropin'].id}"

    @given(typed=changes(REGISTRATION))
    def run(typed):
        check_form(db, client, url, {"name": "Ada", "email": "ada@uni.example"}, typed)

    run()


BOOKING = ["name", "email", "mode", "message"]


def test_booking_form(db, client, world):
    query = urlencode(
        {
            "librarian": world["librarian"].id,
            "topic": world["topic"].id,
            "start": world["slot"].isoformat(),
        }
    )

    @given(typed=changes(BOOKING))
    def run(typed):
        valid = {"name": "Ada", "email": "ada@uni.example", "mode": "in_person"}
        check_form(db, client, f"/book/new?{query}", valid, typed)

    run()


SESSION = ["title", "topic", "library", "date", "start_time", "end_time", "capacity"]
SESSION += ["location", "description", "repeat", "weeks", "dates", "hosts", "question"]


def test_staff_dropin_form(db, client, login, create_person, world):
    login(create_person(Role.ADMIN, Role.SECTION_LEADER, Role.LIBRARIAN))
    valid = {
        "title": "Citing",
        "library": str(world["library"].id),
        "date": (date.today() + timedelta(days=3)).isoformat(),
        "start_time": "12:00",
        "end_time": "13:00",
        "hosts": str(world["librarian"].id),
        "repeat": "once",
    }

    @given(typed=changes(SESSION))
    def run(typed):
        check_form(db, client, "/staff/dropins/new", valid, typed)

    run()


PERIOD = ["library_id", "start", "weeks"]


def test_staff_roster_period_form(db, client, login, create_person, world):
    login(create_person(Role.ADMIN, Role.SECTION_LEADER))
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    valid = {"library_id": str(world["library"].id), "start": monday.isoformat(), "weeks": "2"}

    @given(typed=changes(PERIOD))
    def run(typed):
        check_form(db, client, "/staff/roster/periods", valid, typed)

    run()


SETTINGS = ["action", "slot_minutes", "buffer_minutes", "notice_hours", "horizon_days"]
SETTINGS += ["max_per_day", "bookable", "w-weekday", "w-start", "w-end", "w-library"]


def test_staff_availability_form(db, client, login, world):
    login(world["librarian"])

    @given(typed=changes(SETTINGS))
    def run(typed):
        valid = {"action": "settings", "slot_minutes": "30", "horizon_days": "30"}
        check_form(db, client, "/staff/booking/availability", valid, typed)

    run()
