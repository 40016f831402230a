"""CalDAV through the ``caldav`` library on our guarded fetcher, against a Radicale
server started by the tests (the calendar is filled by a plain caldav client, as a
phone or Thunderbird would)."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import caldav
import pytest

from scheduler.calendars.sources.own_uids import OwnUids
from scheduler.calendars.sources.sync import SyncOptions, SyncPlan, read_source
from scheduler.models import BusyKind, SourceKind
from tests.calendar_sources.feeds import OSLO_VTIMEZONE

NOW = datetime(2027, 3, 15, 7, 0, tzinfo=UTC)


def event(uid: str, *bodies: str) -> str:
    """One calendar object: a VEVENT per body (the master and its overrides), one UID."""
    events = "\n".join(
        f"BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20270301T100000Z\n{body.strip()}\nEND:VEVENT"
        for body in bodies
    )
    return f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Nextcloud calendar v4//EN
{OSLO_VTIMEZONE}
{events}
END:VCALENDAR
"""


@pytest.fixture(scope="module")
def work_calendar(radicale) -> str:
    """A calendar of recurring meetings with exceptions around the spring DST change."""
    name = f"work-{secrets.token_hex(3)}"
    with caldav.DAVClient(
        url=radicale.url, username=radicale.username, password=radicale.password
    ) as client:
        calendar = client.principal().make_calendar(name=name, cal_id=name)
        calendar.save_event(
            event(
                "weekly-tue",
                """DTSTART;TZID=Europe/Oslo:20270302T120000
DTEND;TZID=Europe/Oslo:20270302T133000
RRULE:FREQ=WEEKLY;BYDAY=TU
EXDATE;TZID=Europe/Oslo:20270323T120000
SUMMARY:Section meeting""",
                """RECURRENCE-ID;TZID=Europe/Oslo:20270330T120000
DTSTART;TZID=Europe/Oslo:20270330T140000
DTEND;TZID=Europe/Oslo:20270330T150000
SUMMARY:Section meeting (moved)""",
            )
        )
        calendar.save_event(
            event(
                "maybe",
                """DTSTART;TZID=Europe/Oslo:20270325T100000
DTEND;TZID=Europe/Oslo:20270325T110000
STATUS:TENTATIVE
SUMMARY:Perhaps""",
            )
        )
        calendar.save_event(
            event(
                "free",
                """DTSTART;TZID=Europe/Oslo:20270326T100000
DTEND;TZID=Europe/Oslo:20270326T110000
TRANSP:TRANSPARENT
SUMMARY:Reminder""",
            )
        )
        calendar.save_event(
            event(
                "appointment-3@library.test",
                """DTSTART;TZID=Europe/Oslo:20270329T090000
DTEND;TZID=Europe/Oslo:20270329T094500
SUMMARY:Guidance""",
            )
        )
        return str(calendar.url)


def plan(url: str, username: str, password: str) -> SyncPlan:
    return SyncPlan(
        source_id=None,
        person_id=None,
        kind=SourceKind.CALDAV,
        url=url,
        username=username,
        password=password,
        window_start=datetime(2027, 3, 15, tzinfo=UTC),
        window_end=datetime(2027, 4, 5, tzinfo=UTC),
        zone=ZoneInfo("Europe/Oslo"),
        owner_emails=frozenset(),
    )


@pytest.fixture
def options(loopback_limits) -> SyncOptions:
    return SyncOptions(
        limits=replace(loopback_limits, read_seconds=5, total_seconds=10),
        own_uid_host="library.test",
    )


def spans(outcome) -> list[tuple[str, str, BusyKind]]:
    assert outcome.ok, outcome.problem
    return [
        (t.start.strftime("%m-%d %H:%M"), t.end.strftime("%m-%d %H:%M"), t.kind)
        for t in outcome.expansion.busy
    ]


EXPECTED = [
    ("03-16 11:00", "03-16 12:30", BusyKind.BUSY),
    ("03-25 09:00", "03-25 10:00", BusyKind.TENTATIVE),
    ("03-30 12:00", "03-30 13:00", BusyKind.BUSY),
]


def test_a_caldav_collection_gives_its_busy_times(radicale, work_calendar, options) -> None:
    outcome = read_source(
        plan(work_calendar, radicale.username, radicale.password), options, now=NOW
    )
    assert spans(outcome) == EXPECTED
    assert outcome.expansion.skipped_own == 1
    assert outcome.expansion.skipped_free == 1


def test_the_account_root_reads_its_event_calendars(radicale, work_calendar, options) -> None:
    outcome = read_source(
        plan(radicale.url, radicale.username, radicale.password), options, now=NOW
    )
    assert set(EXPECTED) <= set(spans(outcome))


def test_a_wrong_app_password_is_a_login_problem(radicale, work_calendar, options) -> None:
    outcome = read_source(plan(work_calendar, radicale.username, "wrong"), options, now=NOW)
    assert outcome.problem is not None
    assert outcome.problem.code == "login"
    assert "user name and app password" in outcome.problem.message


def test_caldav_is_held_to_the_address_check(radicale, work_calendar, options) -> None:
    strict = replace(options, limits=replace(options.limits, allow_private=False))
    outcome = read_source(
        plan(work_calendar, radicale.username, radicale.password), strict, now=NOW
    )
    assert outcome.problem is not None
    assert outcome.problem.code == "private"


def test_an_address_that_is_no_calendar(radicale, options) -> None:
    url = radicale.url + "kari/no-such-calendar/"
    outcome = read_source(plan(url, radicale.username, radicale.password), options, now=NOW)
    assert outcome.problem is not None
    assert outcome.problem.code == "no_calendar"


def test_own_uids_need_the_host(radicale, work_calendar, options) -> None:
    """Without our host, the accepted appointment would count: the check is by UID."""
    outcome = read_source(
        plan(work_calendar, radicale.username, radicale.password),
        replace(options, own_uid_host=None),
        now=NOW,
    )
    assert ("03-29 07:00", "03-29 07:45", BusyKind.BUSY) in spans(outcome)
    assert OwnUids("library.test").host == "library.test"
