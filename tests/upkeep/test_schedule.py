"""The next-run arithmetic: intervals in absolute time, times of day on the library's
clock, across the summer-time weekends of Europe/Oslo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scheduler.upkeep.schedule import parse_schedule

OSLO = "Europe/Oslo"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_daily_keeps_the_wall_clock_over_the_spring_weekend() -> None:
    daily = parse_schedule("daily 08:00", OSLO)
    # Saturday 27 March 2027 08:00 is 07:00 UTC (CET); Sunday's 08:00 is 06:00 UTC (CEST).
    saturday = daily.next_after(None, utc(2027, 3, 26, 12))
    assert saturday == utc(2027, 3, 27, 7)
    sunday = daily.next_after(saturday, saturday)
    assert sunday == utc(2027, 3, 28, 6)
    assert sunday - saturday == timedelta(hours=23)
    assert daily.next_after(sunday, sunday) == utc(2027, 3, 29, 6)


def test_a_time_that_does_not_exist_runs_an_hour_later_by_the_clock() -> None:
    """02:30 does not happen on 28 March 2027 in Oslo (02:00 becomes 03:00)."""
    daily = parse_schedule("daily 02:30", OSLO)
    run = daily.next_after(None, utc(2027, 3, 27, 12))
    assert run == utc(2027, 3, 28, 1, 30)  # 03:30 CEST
    assert daily.next_after(run, run) == utc(2027, 3, 29, 0, 30)  # 02:30 CEST again


def test_a_time_that_happens_twice_runs_once() -> None:
    """02:30 happens twice on 31 October 2027 in Oslo (03:00 becomes 02:00 again)."""
    daily = parse_schedule("daily 02:30", OSLO)
    first = daily.next_after(None, utc(2027, 10, 30, 12))
    assert first == utc(2027, 10, 31, 0, 30)  # the first 02:30 (CEST)
    # Asked again after the first run, and during the repeated hour: Monday, not 01:30 UTC.
    assert daily.next_after(first, first + timedelta(minutes=1)) == utc(2027, 11, 1, 1, 30)
    assert daily.next_after(first, utc(2027, 10, 31, 1, 15)) == utc(2027, 11, 1, 1, 30)


def test_an_interval_is_absolute_time_across_the_change() -> None:
    every = parse_schedule("every 10m", OSLO)
    before = utc(2027, 10, 31, 0, 55)  # 02:55 CEST; at 01:00 UTC the clocks go back
    assert every.next_after(before, before) == utc(2027, 10, 31, 1, 5)


def test_an_interval_catches_up_once_after_a_pause() -> None:
    every = parse_schedule("every 1h")
    planned = utc(2027, 1, 4, 8)
    # The process was down for five and a half hours: one run now, then on the hour again.
    assert every.next_after(planned, utc(2027, 1, 4, 13, 30)) == utc(2027, 1, 4, 14)
    # A run that took longer than its interval does not drift the schedule.
    assert every.next_after(planned, planned + timedelta(minutes=5)) == utc(2027, 1, 4, 9)


def test_first_run() -> None:
    now = utc(2027, 1, 4, 12)
    assert parse_schedule("every 10m").first(now) == now  # catches up at once
    assert parse_schedule("daily 03:00", OSLO).first(now) == utc(2027, 1, 5, 2)
    assert parse_schedule("off").first(now) is None
    assert parse_schedule("off").off


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "is not a schedule"),
        ("hourly", "is not a schedule"),
        ("every 0m", "more than zero"),
        ("every 10 minutes", "is not a schedule"),
        ("daily 24:00", "is not a time of day"),
        ("daily 12:60", "is not a time of day"),
    ],
)
def test_bad_schedules_name_the_setting_and_the_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason) as caught:
        parse_schedule(text, setting="SCHEDULER_UPKEEP_PURGE")
    assert str(caught.value).startswith("SCHEDULER_UPKEEP_PURGE: ")


def test_a_bad_setting_stops_start_up(tmp_path) -> None:
    from scheduler import ConfigError, create_app

    with pytest.raises(ConfigError, match="SCHEDULER_UPKEEP_REMINDERS: 'tomorrow'"):
        create_app({"INSTANCE": str(tmp_path), "UPKEEP_REMINDERS": "tomorrow"})
    with pytest.raises(ConfigError, match="SCHEDULER_UPKEEP_POLL_SECONDS"):
        create_app({"INSTANCE": str(tmp_path), "UPKEEP_POLL_SECONDS": 0})
