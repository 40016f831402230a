"""Recurrence: once, weekly for N weeks, a list of dates; and what produces no dates."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler.booking.dropins.recurrence import (
    Recurrence,
    Repeat,
    occurrence_dates,
    parse_dates,
)
from scheduler.errors import InputError

TODAY = date(2027, 3, 1)


def test_once_gives_the_date() -> None:
    occ = occurrence_dates(Recurrence(Repeat.ONCE, date(2027, 3, 5)), today=TODAY, closed={})
    assert occ.dates == [date(2027, 3, 5)]


def test_weekly_for_n_weeks_skips_closed_days_and_says_so() -> None:
    closed = {date(2027, 3, 17): "Staff day"}
    occ = occurrence_dates(
        Recurrence(Repeat.WEEKLY, date(2027, 3, 3), weeks=4), today=TODAY, closed=closed
    )
    assert occ.dates == [date(2027, 3, 3), date(2027, 3, 10), date(2027, 3, 24)]
    assert occ.skipped == [(date(2027, 3, 17), "Staff day")]


def test_list_of_dates_is_sorted_and_deduplicated() -> None:
    listed = parse_dates("2027-03-10, 2027-03-04\n2027-03-10")
    occ = occurrence_dates(Recurrence(Repeat.DATES, dates=listed), today=TODAY, closed={})
    assert occ.dates == [date(2027, 3, 4), date(2027, 3, 10)]


@pytest.mark.parametrize(
    ("recurrence", "closed", "field", "words"),
    [
        (Recurrence(Repeat.WEEKLY, date(2027, 3, 3), weeks=0), {}, "weeks", "between 1 and"),
        (Recurrence(Repeat.WEEKLY, date(2027, 3, 3), weeks=None), {}, "weeks", "required"),
        (Recurrence(Repeat.WEEKLY, date(2027, 3, 3), weeks=53), {}, "weeks", "between 1 and"),
        (
            Recurrence(Repeat.WEEKLY, date(2027, 3, 3), weeks=2),
            {date(2027, 3, 3): "x", date(2027, 3, 10): "y"},
            "weeks",
            "gives no dates",
        ),
        (Recurrence(Repeat.DATES, dates=()), {}, "dates", "gives no dates"),
        (Recurrence(Repeat.DATES, dates=(date(2027, 2, 1),)), {}, "dates", "in the past"),
        (
            Recurrence(Repeat.DATES, dates=(date(2027, 5, 17),)),
            {date(2027, 5, 17): "Constitution Day"},
            "dates",
            "Constitution Day",
        ),
        (Recurrence(Repeat.ONCE, None), {}, "date", "required"),
        (Recurrence(Repeat.ONCE, date(2027, 2, 28)), {}, "date", "in the past"),
        (
            Recurrence(Repeat.ONCE, date(2027, 3, 2)),
            {date(2027, 3, 2): "Easter"},
            "date",
            "closed",
        ),
    ],
)
def test_recurrences_that_give_no_usable_dates_name_the_field(
    recurrence, closed, field, words
) -> None:
    with pytest.raises(InputError) as caught:
        occurrence_dates(recurrence, today=TODAY, closed=closed)
    assert list(caught.value.fields) == [field]
    assert words in caught.value.fields[field]


def test_a_bad_date_in_the_list_is_named() -> None:
    with pytest.raises(InputError) as caught:
        parse_dates("2027-03-04, 4 March")
    assert caught.value.fields == {"dates": "4 is not a date like 2027-01-05"}
