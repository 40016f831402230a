"""Expansion of Outlook-, Google- and Nextcloud-style files into busy times, across the
spring DST change of 2027 (Europe/Oslo: Sunday 28 March, 02:00 -> 03:00)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from scheduler.calendars.sources.expand import (
    BusyTime,
    ExpandOptions,
    expand,
    merge,
    parse_calendars,
)
from scheduler.calendars.sources.own_uids import OwnUids, plain_uid
from scheduler.calendars.sources.problems import SourceProblem
from scheduler.models import BusyKind
from tests.calendar_sources import feeds
from tests.calendar_sources.feeds import exchange_uid

OSLO = ZoneInfo("Europe/Oslo")
B, T = BusyKind.BUSY, BusyKind.TENTATIVE


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def options(**kw) -> ExpandOptions:
    kw.setdefault("window_start", utc("2027-03-15T00:00"))
    kw.setdefault("window_end", utc("2027-04-05T00:00"))
    kw.setdefault("zone", OSLO)
    kw.setdefault("own_uids", OwnUids("library.test"))
    return ExpandOptions(**kw)


def spans(expansion) -> list[tuple[str, str, BusyKind]]:
    return [
        (t.start.strftime("%m-%d %H:%M"), t.end.strftime("%m-%d %H:%M"), t.kind)
        for t in expansion.busy
    ]


def test_outlook_feed_windows_zones_busystatus_exceptions_and_our_invitation() -> None:
    result = expand(parse_calendars(feeds.outlook_feed()), options())
    assert spans(result) == [
        # Tuesday 12:00-13:30 wall time in winter time (CET, UTC+1) ...
        ("03-16 11:00", "03-16 12:30", B),
        # ... 23 March is excluded (EXDATE); tentatively accepted demo
        ("03-25 09:00", "03-25 10:00", T),
        # "Customized Time Zone" read from the file's own VTIMEZONE
        ("03-26 14:00", "03-26 15:00", B),
        # the moved instance after the change (14:00 CEST)
        ("03-30 12:00", "03-30 13:00", B),
        # a whole day away (OOF) from local midnight to local midnight
        ("03-30 22:00", "03-31 22:00", B),
    ]
    assert result.skipped_own == 1  # our appointment, under Exchange's GlobalObjectId
    assert result.skipped_free == 2  # the free all-day note and the "free" lunch


def test_google_feed_cancelled_instance_declined_and_needs_action() -> None:
    result = expand(
        parse_calendars(feeds.google_feed()),
        options(owner_emails=frozenset({"kari@uni.example"})),
    )
    assert spans(result) == [
        # daily stand-up 08:00 CET, 22-26 March
        ("03-22 07:00", "03-22 07:30", B),
        ("03-23 07:00", "03-23 07:30", B),
        ("03-24 07:00", "03-24 07:30", B),
        # weekly lecture on Wednesdays 09:00 (17 March was cancelled)
        ("03-24 08:00", "03-24 09:00", B),
        ("03-25 07:00", "03-25 07:30", B),
        # an invitation not answered yet counts as tentative
        ("03-25 13:00", "03-25 14:00", T),
        ("03-26 07:00", "03-26 07:30", B),
        # after the change (CEST): 08:00 is 06:00 UTC; 27 and 28 were excluded
        ("03-29 06:00", "03-29 06:30", B),
        ("03-29 12:00", "03-29 13:00", B),  # single event given in UTC
        ("03-30 06:00", "03-30 06:30", B),
        ("03-31 07:00", "03-31 08:00", B),
    ]
    assert result.skipped_own == 1
    # cancelled lecture, birthday (transparent), declined budget meeting
    assert result.skipped_free == 3


def test_without_owner_addresses_invitations_count_as_busy() -> None:
    result = expand(parse_calendars(feeds.google_feed()), options())
    assert ("03-24 13:00", "03-24 14:00", B) in spans(result)
    assert ("03-25 13:00", "03-25 14:00", B) in spans(result)


def test_nextcloud_feed_floating_midnight_dst_allday_duration_count() -> None:
    result = expand(parse_calendars(feeds.nextcloud_feed()), options())
    assert spans(result) == [
        ("03-22 15:00", "03-22 16:00", B),
        ("03-24 15:00", "03-24 16:00", B),
        ("03-26 15:00", "03-26 16:00", B),
        # 22:00 CET to 04:00 CEST across midnight and the change: five real hours
        ("03-27 21:00", "03-28 02:00", T),
        # all day on the 23-hour Sunday, local midnight to local midnight
        ("03-27 23:00", "03-28 22:00", B),
        # a floating 10:00 is the library's wall time (CEST)
        ("03-31 08:00", "03-31 09:00", B),
        # DURATION:PT45M
        ("04-01 11:00", "04-01 11:45", B),
    ]
    assert result.skipped_free == 1  # the cancelled event


def test_floating_times_follow_the_library_zone() -> None:
    result = expand(parse_calendars(feeds.nextcloud_feed()), options(zone=ZoneInfo("UTC")))
    assert ("03-31 10:00", "03-31 11:00", B) in spans(result)


def test_autumn_change_keeps_wall_time() -> None:
    """The weekly 09:00 meeting is 08:00 UTC in October before the change, 09:00 after."""
    result = expand(
        parse_calendars(feeds.endless_weekly("20261019T090000")),
        options(window_start=utc("2026-10-19T00:00"), window_end=utc("2026-11-01T00:00")),
    )
    assert spans(result) == [("10-19 07:00", "10-19 08:00", B), ("10-26 08:00", "10-26 09:00", B)]


def test_rule_without_end_is_bounded_by_the_window() -> None:
    started = time.monotonic()
    result = expand(
        parse_calendars(feeds.endless_weekly()),
        options(window_start=utc("2027-01-01T00:00"), window_end=utc("2028-01-01T00:00")),
    )
    assert time.monotonic() - started < 5
    assert result.events == 52  # the Mondays of 2027
    assert result.busy[0].start == utc("2027-01-04T08:00")
    assert result.busy[-1].start == utc("2027-12-27T08:00")


def test_events_are_clipped_to_the_window() -> None:
    result = expand(
        parse_calendars(feeds.outlook_feed()),
        options(window_start=utc("2027-03-31T00:00"), window_end=utc("2027-03-31T12:00")),
    )
    assert spans(result) == [("03-31 00:00", "03-31 12:00", B)]


def test_a_rule_every_second_is_refused_quickly() -> None:
    started = time.monotonic()
    with pytest.raises(SourceProblem) as caught:
        expand(parse_calendars(feeds.every_second()), options())
    assert time.monotonic() - started < 2
    assert caught.value.code == "repeats_too_often"
    assert "FREQ=SECONDLY" in caught.value.message


def test_too_many_events_in_the_window_is_refused() -> None:
    with pytest.raises(SourceProblem) as caught:
        expand(parse_calendars(feeds.many_events(300)), options(max_events=200))
    assert caught.value.code == "too_many"
    assert "more than 200 busy times" in caught.value.message


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"<!DOCTYPE html><html><body>Sign in</body></html>", "not_calendar"),
        (b"  \r\n<html><head></head></html>", "not_calendar"),
        (b"\xef\xbb\xbfBEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2027xx\r\n", "malformed"),
        (b"PK\x03\x04 a zip file", "malformed"),
        (b"", "malformed"),
    ],
)
def test_what_is_not_a_calendar_gets_a_clear_problem(data: bytes, code: str) -> None:
    with pytest.raises(SourceProblem) as caught:
        expand(parse_calendars(data), options())
    assert caught.value.code == code


def test_merge_joins_overlaps_of_one_kind_only() -> None:
    a = BusyTime(utc("2027-03-15T08:00"), utc("2027-03-15T09:00"))
    b = BusyTime(utc("2027-03-15T09:00"), utc("2027-03-15T10:00"))
    c = BusyTime(utc("2027-03-15T08:30"), utc("2027-03-15T08:45"))
    t = BusyTime(utc("2027-03-15T08:30"), utc("2027-03-15T11:00"), T)
    assert merge([b, t, c, a]) == [BusyTime(a.start, b.end), t]


def test_own_uids_plain_and_wrapped_by_exchange() -> None:
    own = OwnUids("library.test")
    assert "appointment-12@library.test" in own
    assert "shift-3@LIBRARY.test" in own
    assert exchange_uid("session-5@library.test") in own
    assert plain_uid(exchange_uid("abc@x")) == "abc@x"
    assert "appointment-12@other.example" not in own
    assert "appointment-x@library.test" not in own
    assert "040000008200E00074C5B7101A82E00800000000" not in own
    assert "appointment-1@library.test" not in OwnUids(None)
