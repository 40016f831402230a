"""A person's feeds as a calendar app reads them: what is in them, and what never is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from scheduler.models import AppointmentStatus, PublishedShiftStatus, Role
from tests.feeds.conftest import OSLO, oslo
from tests.feeds.helpers import UID_RE, events_by_uid, parse_ics, unfolded

NOW = oslo("2027-03-01", "12:00")


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def desk(create_library, create_service_point):
    main = create_library(name="Main Library", slug="main")
    return create_service_point(
        library=main, name="Information desk", location="Entrance hall", ground_floor=True
    )


def get_feed(client, token: str, kind: str = "shifts", **headers):
    response = client.get(f"/feeds/{token}/{kind}.ics", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return response


def test_shift_feed_names_the_point_and_colleagues(
    client, clock, desk, create_person, create_service_point, create_published_shift, feed_token
):
    kari = create_person(Role.FIRST_LINE, name="Kari Nordmann")
    ola = create_person(Role.FIRST_LINE, name="Ola Hansen")
    per = create_person(Role.FIRST_LINE, name="Per Berg")
    phone = create_service_point(library=desk.library, name="Phone", ground_floor=False)
    start = oslo("2027-03-02", "10:00")
    mine = create_published_shift(kari, start, service_point=desk)
    create_published_shift(ola, start, service_point=desk)
    create_published_shift(per, start, service_point=phone)  # same time, elsewhere
    alone = create_published_shift(kari, start + timedelta(days=1), service_point=desk)
    token = feed_token(kari)

    body = get_feed(client, token).data
    events = events_by_uid(body)
    assert set(events) == {f"shift-{mine.id}@library.test", f"shift-{alone.id}@library.test"}
    assert all(UID_RE.match(uid) for uid in events)
    ev = events[f"shift-{mine.id}@library.test"]
    assert str(ev["SUMMARY"]) == "Information desk, ground floor — with Ola"
    assert str(ev["LOCATION"]) == "Entrance hall, Main Library"
    assert "On duty with: Ola Hansen" in str(ev["DESCRIPTION"])
    url = f"https://library.test/staff/calendar/shifts/{mine.id}"
    assert str(ev["URL"]) == url
    assert f"Details: {url}" in str(ev["DESCRIPTION"])  # Google does not show URL
    assert str(events[f"shift-{alone.id}@library.test"]["SUMMARY"]) == (
        "Information desk, ground floor"
    )
    assert "Per" not in body.decode()
    cal = parse_ics(body)
    assert str(cal["X-WR-CALNAME"]) == "Desk shifts – Kari Nordmann"
    assert str(cal["X-WR-TIMEZONE"]) == "Europe/Oslo"


def test_colleagues_on_part_of_a_shift_are_named_with_their_times(
    client, clock, desk, create_person, create_published_shift, feed_token
):
    kari = create_person(Role.FIRST_LINE, name="Kari Nordmann")
    ola = create_person(Role.FIRST_LINE, name="Ola Hansen")
    ola2 = create_person(Role.FIRST_LINE, name="Ola Berg")
    gone = create_person(Role.FIRST_LINE, name="Siri Moe")
    start = oslo("2027-03-02", "10:00")
    mine = create_published_shift(kari, start, hours=4, service_point=desk)
    create_published_shift(ola, start - timedelta(hours=1), service_point=desk)  # 09-11
    create_published_shift(ola2, start + timedelta(hours=3), service_point=desk)  # 13-15
    create_published_shift(gone, start, service_point=desk, status=PublishedShiftStatus.CANCELLED)
    create_published_shift(ola, start + timedelta(hours=4), service_point=desk)  # after
    token = feed_token(kari)

    ev = events_by_uid(get_feed(client, token).data)[f"shift-{mine.id}@library.test"]
    # Two Olas: first names would be ambiguous, so full names.
    assert str(ev["SUMMARY"]) == ("Information desk, ground floor — with Ola Hansen and Ola Berg")
    assert "Ola Hansen (09:00–11:00), Ola Berg (13:00–15:00)" in str(ev["DESCRIPTION"])
    assert "Siri" not in str(ev["SUMMARY"])


def test_a_persons_token_never_shows_another_persons_data(
    client,
    clock,
    desk,
    create_person,
    create_service_point,
    create_published_shift,
    create_appointment,
    feed_token,
):
    kari = create_person(Role.FIRST_LINE, Role.LIBRARIAN, name="Kari Nordmann")
    berit = create_person(Role.FIRST_LINE, Role.LIBRARIAN, name="Berit Bakke")
    back = create_service_point(library=desk.library, name="Back office")
    start = oslo("2027-03-03", "09:00")
    kari_shift = create_published_shift(kari, start, service_point=desk)
    berit_shift = create_published_shift(berit, start, service_point=back)
    kari_appt = create_appointment(kari, start + timedelta(hours=3), patron_name="Anne Student")
    berit_appt = create_appointment(
        berit, start + timedelta(hours=3), patron_name="Bjørn Student", message="Thesis help"
    )
    kari_token, berit_token = feed_token(kari), feed_token(berit)

    for kind, expected in [
        ("shifts", {f"shift-{kari_shift.id}"}),
        ("appointments", {f"appointment-{kari_appt.id}"}),
        ("all", {f"shift-{kari_shift.id}", f"appointment-{kari_appt.id}"}),
    ]:
        body = get_feed(client, kari_token, kind).data
        assert {uid.split("@")[0] for uid in events_by_uid(body)} == expected
        text = body.decode()
        assert "Berit" not in text
        assert "Bjørn" not in text
        assert "Thesis help" not in text
    berit_all = events_by_uid(get_feed(client, berit_token, "all").data)
    assert {uid.split("@")[0] for uid in berit_all} == {
        f"shift-{berit_shift.id}",
        f"appointment-{berit_appt.id}",
    }


def test_appointments_show_the_topic_and_no_patron_by_default(
    client, clock, create_person, create_appointment, create_topic, feed_token
):
    kari = create_person(Role.LIBRARIAN, name="Kari Nordmann")
    topic = create_topic(name="Systematic searching")
    appt = create_appointment(
        kari,
        oslo("2027-03-04", "13:00"),
        topic=topic,
        patron_name="Anne Student",
        patron_email="anne@student.example",
        message="My thesis on nursing homes",
    )
    token = feed_token(kari)

    body = get_feed(client, token, "appointments").data
    ev = events_by_uid(body)[f"appointment-{appt.id}@library.test"]
    assert str(ev["SUMMARY"]) == "Guidance: Systematic searching"
    assert str(ev["STATUS"]) == "CONFIRMED"
    text = body.decode()
    for private in ("Anne", "anne@student.example", "nursing homes"):
        assert private not in text
    assert "ATTENDEE" not in text
    assert "ORGANIZER" not in text  # it would be the reader: Outlook shows a meeting


def test_patron_details_only_when_the_owner_chose_them_and_until_purged(
    app, client, db, clock, create_person, create_appointment, create_topic, feed_token
):
    from scheduler.calendars import tokens

    kari = create_person(Role.LIBRARIAN, name="Kari Nordmann")
    topic = create_topic(name="Zotero")
    kept = create_appointment(kari, oslo("2027-03-04", "13:00"), topic=topic, patron_name="Anne")
    purged = create_appointment(
        kari,
        oslo("2027-03-05", "13:00"),
        topic=topic,
        patron_name=None,
        patron_email=None,
        purged_at=NOW,
    )
    token = feed_token(kari)
    tokens.set_patron_details(db.session, kari, True)

    events = events_by_uid(get_feed(client, token, "appointments").data)
    shown = events[f"appointment-{kept.id}@library.test"]
    assert str(shown["SUMMARY"]) == "Guidance: Zotero (Anne)"
    assert "pat@student.example" in str(shown["DESCRIPTION"])
    assert str(events[f"appointment-{purged.id}@library.test"]["SUMMARY"]) == "Guidance: Zotero"


def test_pending_appointments_are_tentative(
    client, clock, create_person, create_appointment, feed_token
):
    kari = create_person(Role.LIBRARIAN)
    appt = create_appointment(kari, oslo("2027-03-04", "13:00"), status=AppointmentStatus.PENDING)
    token = feed_token(kari)
    ev = events_by_uid(get_feed(client, token, "appointments").data)[
        f"appointment-{appt.id}@library.test"
    ]
    assert str(ev["STATUS"]) == "TENTATIVE"


def test_uids_and_bytes_are_stable_across_regenerations(
    client, clock, desk, create_person, create_published_shift, feed_token
):
    kari = create_person(Role.FIRST_LINE)
    for day in range(5):
        create_published_shift(
            kari, oslo("2027-03-02", "08:00") + timedelta(days=day), service_point=desk
        )
    token = feed_token(kari)
    first = get_feed(client, token)
    clock.shift(timedelta(hours=3))  # hours later, nothing changed
    second = get_feed(client, token)
    assert list(events_by_uid(first.data)) == list(events_by_uid(second.data))
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]


def test_a_change_raises_sequence_and_keeps_the_uid(
    client, db, clock, desk, create_person, create_published_shift, feed_token
):
    kari = create_person(Role.FIRST_LINE)
    shift = create_published_shift(kari, oslo("2027-03-02", "08:00"), service_point=desk)
    token = feed_token(kari)
    uid = f"shift-{shift.id}@library.test"
    before = get_feed(client, token)
    assert events_by_uid(before.data)[uid].decoded("SEQUENCE") == 0

    clock.shift(timedelta(hours=2))
    # What publishing a changed roster does to the row: new time, SEQUENCE + 1.
    shift = db.session.get(type(shift), shift.id)
    shift.starts_at += timedelta(hours=2)
    shift.ends_at += timedelta(hours=2)
    shift.sequence += 1
    after = get_feed(client, token)
    ev = events_by_uid(after.data)[uid]
    assert ev.decoded("SEQUENCE") == 1
    assert ev.decoded("DTSTART") == oslo("2027-03-02", "10:00").astimezone(OSLO)
    assert ev.decoded("LAST-MODIFIED") > events_by_uid(before.data)[uid].decoded("LAST-MODIFIED")
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.last_modified > before.last_modified


def test_cancelled_items_stay_as_cancelled_for_30_days_then_leave(
    client, db, clock, desk, create_person, create_published_shift, create_appointment, feed_token
):
    kari = create_person(Role.FIRST_LINE, Role.LIBRARIAN)
    shift = create_published_shift(kari, oslo("2027-04-20", "08:00"), service_point=desk)
    appt = create_appointment(kari, oslo("2027-04-21", "13:00"))
    token = feed_token(kari)
    shift_uid, appt_uid = f"shift-{shift.id}@library.test", f"appointment-{appt.id}@library.test"

    # Removed from the roster and cancelled by the patron, as those features record it.
    shift = db.session.get(type(shift), shift.id)
    shift.status, shift.cancelled_at, shift.sequence = PublishedShiftStatus.CANCELLED, NOW, 1
    appt = db.session.get(type(appt), appt.id)
    appt.status, appt.cancelled_at, appt.sequence = AppointmentStatus.CANCELLED, NOW, 1

    clock.shift(timedelta(days=29))
    kept = get_feed(client, token, "all")
    events = events_by_uid(kept.data)
    for uid in (shift_uid, appt_uid):
        assert str(events[uid]["STATUS"]) == "CANCELLED"
        assert events[uid].decoded("SEQUENCE") == 1
        # Only Apple strikes CANCELLED events through; the summary says it everywhere.
        assert str(events[uid]["SUMMARY"]).startswith("Cancelled: ")

    clock.shift(timedelta(days=2))
    gone = get_feed(client, token, "all", **{"If-Modified-Since": kept.headers["Last-Modified"]})
    assert events_by_uid(gone.data) == {}
    # Leaving the feed is a change: a client asking "modified since?" gets the new body.
    assert gone.last_modified > kept.last_modified


def test_only_the_recent_past_and_the_future_are_in_the_feed(
    client, clock, desk, create_person, create_published_shift, feed_token
):
    kari = create_person(Role.FIRST_LINE)
    old = create_published_shift(kari, NOW - timedelta(days=91), service_point=desk)
    recent = create_published_shift(kari, NOW - timedelta(days=89), service_point=desk)
    future = create_published_shift(kari, NOW + timedelta(days=300), service_point=desk)
    token = feed_token(kari)
    uids = set(events_by_uid(get_feed(client, token).data))
    assert f"shift-{old.id}@library.test" not in uids
    assert {f"shift-{recent.id}@library.test", f"shift-{future.id}@library.test"} <= uids


@pytest.mark.parametrize(
    ("day", "before_utc", "after_utc"),
    [
        # Last Sunday of March: 08:00 is 07:00 UTC on Saturday and 06:00 UTC on Sunday.
        ("2027-03-28", "07:00", "06:00"),
        # Last Sunday of October: 08:00 is 06:00 UTC on Saturday and 07:00 UTC on Sunday.
        ("2027-10-31", "06:00", "07:00"),
    ],
)
def test_wall_clock_times_hold_across_the_dst_change(
    client,
    clock,
    desk,
    create_person,
    create_published_shift,
    feed_token,
    day,
    before_utc,
    after_utc,
):
    kari = create_person(Role.FIRST_LINE)
    sunday = datetime.fromisoformat(day).date()
    saturday = sunday - timedelta(days=1)
    before = create_published_shift(kari, oslo(saturday.isoformat(), "08:00"), service_point=desk)
    after = create_published_shift(kari, oslo(sunday.isoformat(), "08:00"), service_point=desk)
    assert before.starts_at.astimezone(UTC).strftime("%H:%M") == before_utc
    assert after.starts_at.astimezone(UTC).strftime("%H:%M") == after_utc
    # A night shift across the change: three wall-clock hours, two or four real ones.
    night = create_published_shift(
        kari,
        oslo(sunday.isoformat(), "01:00"),
        ends_at=oslo(sunday.isoformat(), "04:00"),
        service_point=desk,
    )
    token = feed_token(kari)
    body = get_feed(client, token).data
    logical = unfolded(body)
    for date in (saturday, sunday):
        assert f"DTSTART;TZID=Europe/Oslo:{date:%Y%m%d}T080000" in logical
        assert f"DTEND;TZID=Europe/Oslo:{date:%Y%m%d}T100000" in logical
    assert f"DTSTART;TZID=Europe/Oslo:{sunday:%Y%m%d}T010000" in logical
    assert f"DTEND;TZID=Europe/Oslo:{sunday:%Y%m%d}T040000" in logical

    cal = parse_ics(body)
    # Read back through the VTIMEZONE in the feed (not the reader's own tz database).
    vtz = cal.walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)
    events = {str(ev["UID"]): ev for ev in cal.walk("VEVENT")}
    for shift in (before, after, night):
        ev = events[f"shift-{shift.id}@library.test"]
        start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
        assert start == shift.starts_at
        assert end == shift.ends_at
        assert start.replace(tzinfo=vtz) == shift.starts_at
        assert end.replace(tzinfo=vtz) == shift.ends_at
    real = events[f"shift-{night.id}@library.test"]
    # (In UTC: Python subtracts two times of one zone as wall-clock times.)
    real_length = real.decoded("DTEND").astimezone(UTC) - real.decoded("DTSTART").astimezone(UTC)
    assert real_length == (timedelta(hours=2) if day.endswith("03-28") else timedelta(hours=4))


def test_feed_is_in_the_owners_language(
    client, clock, desk, create_person, create_published_shift, feed_token
):
    kari = create_person(Role.FIRST_LINE, name="Kari Nordmann", locale="nb")
    ola = create_person(Role.FIRST_LINE, name="Ola Hansen")
    start = oslo("2027-03-02", "10:00")
    mine = create_published_shift(kari, start, service_point=desk)
    create_published_shift(ola, start, service_point=desk)
    token = feed_token(kari)
    body = get_feed(client, token).data
    ev = events_by_uid(body)[f"shift-{mine.id}@library.test"]
    assert str(ev["SUMMARY"]) == "Information desk, 1. etasje — med Ola"
    assert str(parse_ics(body)["X-WR-CALNAME"]) == "Skrankevakter – Kari Nordmann"
