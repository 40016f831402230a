"""Demand from statistics against a worked example.

Six comparable weeks of a Tuesday at the information desk, inquiries per hour:

    11-12:   5  5  6  4  5  5   median  5   -> ceil( 5 / 8) = 1 person
    12-13:  10 12 14 14 16 20   median 14   -> ceil(14 / 8) = 2 people
    13-14:  14 15 13 14 18  9   median 14   -> 2 people
    other open hours: none      median  0   -> nobody (no suggestion)

So: "Tuesday 11-12, 1 person" and "Tuesday 12-14, 2 people: median 14 inquiries an hour
over 6 weeks at 8 per person-hour". A week without any inquiry (closed) is not
comparable and is skipped; a seventh, older week with a rush is beyond the six.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from scheduler.desk.demand_suggestions import (
    Band,
    SuggestionSettings,
    accept_suggestion,
    people_needed,
    quantile,
    suggest_demand,
    suggest_from_counts,
)
from scheduler.errors import Forbidden, InputError
from scheduler.models import DemandRule
from scheduler.timeutil import local_to_utc

COUNTS = {
    11: [5, 5, 6, 4, 5, 5],
    12: [10, 12, 14, 14, 16, 20],
    13: [14, 15, 13, 14, 18, 9],
}
PLAN_WEEK = date(2027, 2, 22)  # the Monday of the week being planned
TUESDAY = 1


def test_quantiles_and_headcounts() -> None:
    assert quantile([10, 12, 14, 14, 16, 20], 0.5) == 14
    assert quantile([9, 13, 14, 14, 15, 18], 0.5) == 14
    assert quantile([1, 2, 3, 4], 0.75) == pytest.approx(3.25)
    assert quantile([], 0.5) == 0
    assert [people_needed(x, 8) for x in (0, 0.5, 8, 8.01, 14, 16)] == [0, 1, 1, 2, 2, 2]


def test_the_worked_example_from_counts() -> None:
    counts = {(7, TUESDAY, hour): weekly for hour, weekly in COUNTS.items()}
    counts[(7, TUESDAY, 10)] = [0] * 6
    counts[(7, TUESDAY, 14)] = [0, 0, 1, 0, 0, 0]
    rules = suggest_from_counts(counts, SuggestionSettings())
    assert [(r.start, r.end, r.people, r.load, r.weeks) for r in rules] == [
        (time(11), time(12), 1, 5, 6),
        (time(12), time(14), 2, 14, 6),
    ]
    # A target of 5 per person-hour needs 3 people at noon and 1 at eleven.
    busier = suggest_from_counts(counts, SuggestionSettings(per_person=5))
    assert [(r.start, r.end, r.people) for r in busier] == [
        (time(11), time(12), 1),
        (time(12), time(14), 3),
    ]


@pytest.fixture
def six_weeks(db, world, add_inquiry) -> None:
    """The worked example in the database: weeks 1-7 before PLAN_WEEK, the third empty."""
    weeks = [1, 2, 4, 5, 6, 7]  # weeks before the planned one; week 3 had no inquiries
    for index, back in enumerate(weeks):
        tuesday = PLAN_WEEK - timedelta(weeks=back) + timedelta(days=TUESDAY)
        for hour, weekly in COUNTS.items():
            for n in range(weekly[index]):
                at = local_to_utc(tuesday, time(hour, n % 60), world.library.timezone)
                add_inquiry(world, at)
    # Eight weeks back: a rush that the six most recent comparable weeks leave out.
    old_tuesday = PLAN_WEEK - timedelta(weeks=8) + timedelta(days=TUESDAY)
    for n in range(40):
        add_inquiry(world, local_to_utc(old_tuesday, time(12, n), world.library.timezone))
    db.session.flush()


def test_the_worked_example_from_the_log(db, world, six_weeks) -> None:
    found = suggest_demand(db.session, world.leader, world.library, PLAN_WEEK)
    assert len(found.weeks) == 6
    assert PLAN_WEEK - timedelta(weeks=3) not in found.weeks
    assert PLAN_WEEK - timedelta(weeks=8) not in found.weeks
    bands = [(r.service_point_id, r.weekday, r.start, r.end, r.people) for r in found.rules]
    assert bands == [
        (world.desk.id, TUESDAY, time(11), time(12), 1),
        (world.desk.id, TUESDAY, time(12), time(14), 2),
    ]
    assert found.rules[1].load == 14


def test_only_leaders_of_the_library_get_suggestions(db, world) -> None:
    for person in (world.staff, world.other_leader):
        with pytest.raises(Forbidden):
            suggest_demand(db.session, person, world.library, PLAN_WEEK)
    with pytest.raises(InputError) as exc:
        suggest_demand(
            db.session, world.leader, world.library, PLAN_WEEK, SuggestionSettings(weeks=0)
        )
    assert "weeks" in exc.value.fields


def test_accepting_a_suggestion_makes_a_demand_rule(db, world) -> None:
    band = Band(world.desk.id, TUESDAY, time(12), time(14), 2)
    with pytest.raises(Forbidden):
        accept_suggestion(db.session, world.staff, world.library, band)
    rule = accept_suggestion(db.session, world.leader, world.library, band, "From statistics")
    assert (rule.weekdays, rule.start_time, rule.end_time) == ("1", time(12), time(14))
    assert (rule.min_staff, rule.max_staff, rule.block_minutes) == (2, 2, 120)
    # The same band again would start a second shift at the same moment: refused.
    with pytest.raises(InputError):
        accept_suggestion(db.session, world.leader, world.library, band)


def test_the_preview_explains_the_suggestion_and_accepts_it(
    client, db, login, world, six_weeks
) -> None:
    login(world.leader)
    page = client.get(
        f"/leader/setup/{world.library.id}/preview?week={PLAN_WEEK.isoformat()}",
        headers={"Accept-Language": "en"},
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert (
        "Tuesday 12-14: median 14 inquiries an hour over 6 weeks, 2 people needed at 8 "
        "per person-hour" in html
    )
    response = client.post(
        f"/leader/setup/{world.library.id}/suggestions/accept",
        data={
            "week": PLAN_WEEK.isoformat(),
            "point": str(world.desk.id),
            "weekday": "1",
            "start": "12:00",
            "end": "14:00",
            "people": "2",
            "then": "edit",
        },
    )
    assert response.status_code == 303
    rule = db.session.scalar(select(DemandRule))
    assert response.headers["Location"].endswith(
        f"/leader/setup/{world.library.id}/demand/{rule.id}"
    )
    bad = client.post(
        f"/leader/setup/{world.library.id}/suggestions/accept",
        data={"point": str(world.desk.id), "weekday": "9", "start": "12:00", "end": "14:00"},
    )
    assert bad.status_code == 303
    assert db.session.scalar(select(DemandRule).where(DemandRule.id != rule.id)) is None
    odd = client.get(
        f"/leader/setup/{world.library.id}/preview?weeks=0", headers={"Accept-Language": "en"}
    )
    assert "weeks: must be a whole number from 1 to 26" in odd.get_data(as_text=True)
