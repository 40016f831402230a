"""VTIMEZONE: compact, and exactly the tz database's offsets over a calendar's range.

Two independent readers check what we write: icalendar's own VTIMEZONE parser (as a
client would read it), and dateutil's RRULE expansion of the raw text.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Timezone

from scheduler.calendars.timezones import transitions, vtimezone

# (zone, first year, last year, why it is here)
CASES = [
    ("Europe/Oslo", 2026, 2028, "the libraries' zone: last Sunday of March and October"),
    ("America/New_York", 2026, 2027, "second Sunday of March, first of November"),
    ("Australia/Sydney", 2026, 2027, "southern hemisphere: daylight time over new year"),
    ("Europe/Dublin", 2026, 2027, "the tz database models Irish winter as negative DST"),
    ("Pacific/Chatham", 2026, 2027, "offsets of 12:45 and 13:45"),
    ("Asia/Tokyo", 2026, 2027, "no DST at all"),
    ("Africa/Casablanca", 2026, 2027, "irregular changes around Ramadan: no yearly rule"),
    ("America/Sao_Paulo", 2018, 2020, "DST abolished in 2019: the rule stops"),
    ("Europe/Moscow", 2010, 2015, "permanent summer time, then back"),
]


def _offsets_agree(raw: bytes, tzid: str, first: datetime, last: datetime) -> None:
    ours = Timezone.from_ical(raw).to_tz(lookup_tzid=False)
    real = ZoneInfo(tzid)
    moments = []
    t = first
    while t <= last:
        moments.append(t)
        t += timedelta(hours=5)
    for change in transitions(real, first, last):
        moments += [change.at - timedelta(seconds=1), change.at, change.at + timedelta(seconds=1)]
    for moment in moments:
        assert moment.astimezone(ours).utcoffset() == moment.astimezone(real).utcoffset(), (
            f"{tzid} at {moment.isoformat()}"
        )


@pytest.mark.parametrize(("tzid", "first_year", "last_year", "why"), CASES)
def test_vtimezone_reproduces_the_tz_database(tzid, first_year, last_year, why) -> None:
    first = datetime(first_year, 1, 1, tzinfo=UTC)
    last = datetime(last_year, 12, 31, 23, tzinfo=UTC)
    raw = vtimezone(tzid, first, last)
    assert b"2038" not in raw
    assert len(raw) < 1200, f"{tzid}: {len(raw)} bytes is not compact"
    _offsets_agree(raw, tzid, first, last)


def test_oslo_rules_expand_to_every_real_change_for_decades() -> None:
    """The open RRULEs hold beyond the feed's range: clients extend them, so they must
    match the tz database's rule for every future year too."""
    raw = vtimezone(
        "Europe/Oslo", datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 6, 1, tzinfo=UTC)
    )
    tz = Timezone.from_ical(raw)
    onsets = []
    for sub in tz.subcomponents:
        start = sub.decoded("DTSTART")
        offset_from = sub.decoded("TZOFFSETFROM")
        rule = rrulestr(sub["RRULE"].to_ical().decode(), dtstart=start)
        onsets += [
            (local - offset_from).replace(tzinfo=UTC)
            for local in rule.between(datetime(2026, 1, 1), datetime(2060, 1, 1))
        ]
    real = transitions(
        ZoneInfo("Europe/Oslo"), datetime(2026, 1, 1, tzinfo=UTC), datetime(2060, 1, 1, tzinfo=UTC)
    )
    assert sorted(onsets) == [t.at for t in real]


def test_daylight_onset_is_written_in_the_old_offset() -> None:
    """RFC 5545 reads DTSTART with TZOFFSETFROM: Oslo springs forward at 02:00 CET and
    falls back at 03:00 CEST (both 01:00 UTC)."""
    raw = vtimezone(
        "Europe/Oslo", datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 12, 1, tzinfo=UTC)
    )
    tz = Timezone.from_ical(raw)
    daylight = tz.walk("DAYLIGHT")[0]
    standard = tz.walk("STANDARD")[0]
    assert daylight.decoded("DTSTART").time().isoformat() == "02:00:00"
    assert daylight.decoded("TZOFFSETFROM") == timedelta(hours=1)
    assert standard.decoded("DTSTART").time().isoformat() == "03:00:00"
    assert standard.decoded("TZOFFSETFROM") == timedelta(hours=2)
