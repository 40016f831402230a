"""Reading request values: one parser, bounded, with one wording for pages and the API."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import pytest
import time_machine
from werkzeug.routing.converters import NumberConverter

from scheduler.errors import InputError
from scheduler.inputs import (
    UNSTORABLE,
    Fields,
    check_text,
    date_window,
    parse_date,
    parse_date_range,
    parse_id,
    parse_ids,
    parse_instant,
    parse_local_datetime,
    parse_mode,
    parse_number,
    parse_time,
    parse_whole,
)
from scheduler.models import Mode, Role

BAD_IDS = ["²", "٣", "-1", "1.0", "12 3", "0x10", "9223372036854775808", "1234567890123", True]


@pytest.mark.parametrize("raw", BAD_IDS)
def test_an_id_is_one_to_twelve_ascii_digits(raw) -> None:
    with pytest.raises(InputError) as err:
        parse_id(raw, "library")
    assert err.value.fields == {"library": "is not a valid id"}


def test_ids_that_are_fine() -> None:
    assert parse_id("42", "topic") == 42
    assert parse_id(" 7 ", "topic") == 7
    assert parse_id(123456789012, "topic") == 123456789012
    assert parse_id("", "topic", required=False) is None
    with pytest.raises(InputError, match="topic: is required"):
        parse_id(None, "topic")
    assert parse_ids(["1", 2], "sessions") == [1, 2]
    for bad in ("1,2", [1, "²"], {"a": 1}, [None]):
        with pytest.raises(InputError, match="sessions: must be a list of ids"):
            parse_ids(bad, "sessions")


@time_machine.travel(datetime(2026, 12, 6, 12, 0, tzinfo=UTC), tick=False)
def test_dates_and_instants_stay_within_five_years_of_today() -> None:
    assert parse_date("2027-01-05", "from") == date(2027, 1, 5)
    assert parse_date("2021-12-06", "from") == date(2021, 12, 6)
    assert parse_date("2031-12-06", "from") == date(2031, 12, 6)
    assert parse_date("", "from") is None
    window = "must be between 2021-12-06 and 2031-12-06"
    for raw, reason in [
        ("5.1.2027", "is not a date like 2027-01-05"),
        ("2021-12-05", window),
        ("2031-12-07", window),
        ("0001-01-01", window),
        ("9999-12-31", window),
    ]:
        with pytest.raises(InputError) as err:
            parse_date(raw, "from")
        assert err.value.fields == {"from": reason}
    # A field may say otherwise.
    assert parse_date("1990-05-01", "born", earliest=date(1900, 1, 1)) == date(1990, 5, 1)
    assert parse_instant("2027-01-05T10:00+01:00", "start").utcoffset() is not None
    for raw, reason in [
        ("2027-01-05T10:00", "needs a UTC offset, like +01:00"),
        ("tomorrow", "is not a date and time like 2027-01-05T10:00:00+01:00"),
        ("9999-12-31T23:00+00:00", window),
        ("0001-01-01T00:00+00:00", window),
    ]:
        with pytest.raises(InputError) as err:
            parse_instant(raw, "start")
        assert err.value.fields == {"start": reason}
    with pytest.raises(InputError, match="when: must be between"):
        parse_local_datetime("9999-01-01T10:00", "when")


def test_leap_day_window() -> None:
    assert date_window(date(2028, 2, 29)) == (date(2023, 2, 28), date(2033, 2, 28))


@pytest.mark.parametrize("raw", ["a\x00b", "\ud800", "x\udfff"])
def test_text_no_database_can_store_is_refused(raw: str) -> None:
    with pytest.raises(InputError) as err:
        check_text(raw, "name")
    assert err.value.fields == {"name": UNSTORABLE}
    check_text("Ærlig 😀 ²", "name")  # any other text passes


def test_times_local_date_times_numbers_and_modes() -> None:
    assert parse_time("09:30", "start_time") == time(9, 30)
    with pytest.raises(InputError, match="is not a time like 14:30"):
        parse_time("25:00", "start_time")
    assert parse_local_datetime("2027-01-05T14:30", "deadline") == datetime(2027, 1, 5, 14, 30)
    with pytest.raises(InputError, match="is not a date and time like 2027-01-05T14:30"):
        parse_local_datetime("2027-01-05T14:30+01:00", "deadline")
    assert parse_whole("12", "capacity") == 12
    with pytest.raises(InputError, match=r"capacity: must be a whole number$"):
        parse_whole("ten", "capacity")
    with pytest.raises(InputError, match="from 1 to 26"):
        parse_whole("27", "weeks", low=1, high=26)
    assert parse_number("2.5", "time_limit") == 2.5
    for bad in ("nan", "inf", "soon"):
        with pytest.raises(InputError, match="time_limit: must be a number"):
            parse_number(bad, "time_limit")
    assert parse_mode("online") == Mode.ONLINE
    with pytest.raises(InputError, match="must be one of in_person, online, phone"):
        parse_mode("pigeon")


def test_fields_report_every_bad_value_at_once() -> None:
    fields = Fields({"topic": "x", "library": "3", "from": "2027-02-01", "to": "2027-01-01"})
    assert fields.read("topic", parse_id, required=False) is None
    assert fields.read("library", parse_id) == 3
    assert (
        fields.attempt(
            lambda: parse_date_range(
                "2027-02-01",
                "2027-01-01",
                default_start=date(2027, 1, 1),
                default_days=7,
                max_days=30,
            )
        )
        is None
    )
    assert fields.errors == {
        "topic": "is not a valid id",
        "to": "must not be before the start date",
    }
    with pytest.raises(InputError) as err:
        fields.check()
    assert set(err.value.fields) == {"topic", "to"}


# Every page and endpoint, fed values no parser accepts, answers with a 4xx, never a 500.

QUERY = ("topic", "library", "librarian", "person", "from", "to", "week", "start", "mode")


def _fill(rule, value: str) -> str:
    url = rule.rule
    for arg in rule.arguments:
        filler = value if isinstance(rule._converters[arg], NumberConverter) else "x"
        url = re.sub(rf"<(?:[^:<>]+:)?{arg}>", filler, url)
    return url


@pytest.mark.parametrize("value", ["1", "%C2%B2", "99999999999999999999"])
def test_no_page_or_endpoint_fails_on_bad_ids_and_dates(
    app, client, create_person, login, value
) -> None:
    login(create_person(Role.ADMIN))
    query = "&".join(f"{name}={value}" for name in QUERY)
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        response = client.get(f"{_fill(rule, value)}?{query}")
        assert response.status_code < 500, f"{rule.rule}: {response.status_code}"
        checked += 1
    assert checked > 40
