"""Free slots from windows and commitments: the pure function, on plain values."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler.booking.appointments.availability import (
    BookingRules,
    Busy,
    DateException,
    LibrarianAvailability,
    WeeklyWindow,
    free_slots,
)
from scheduler.models import ExceptionKind, Mode
from scheduler.timeutil import local_to_utc

OSLO = ZoneInfo("Europe/Oslo")
ZONES = {1: OSLO, 2: OSLO}
MONDAY = date(2027, 1, 4)
# Monday morning before: with the default notice of 24 h, Monday's own slots are out.
EARLY = datetime(2027, 1, 1, 8, 0, tzinfo=UTC)
NO_NOTICE = BookingRules(min_notice_minutes=0)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return local_to_utc(day, time(hour, minute), OSLO)


def window(weekday=0, start=9, end=12, library=1, modes=(Mode.IN_PERSON,), **kw) -> WeeklyWindow:
    return WeeklyWindow(library, weekday, time(start), time(end), tuple(modes), **kw)


def slots(availability, first=MONDAY, last=None, now=EARLY, closed=None):
    return free_slots(
        availability,
        first_day=first,
        last_day=last or first,
        now=now,
        zones=ZONES,
        closed=closed,
    )


def starts(found) -> list[str]:
    return [s.start.astimezone(OSLO).strftime("%a %d %H:%M") for s in found]


def test_weekly_window_repeats_every_week_in_steps_of_the_slot_length() -> None:
    av = LibrarianAvailability(7, NO_NOTICE, (window(),))
    found = slots(av, MONDAY, MONDAY + timedelta(days=13))
    assert starts(found) == [
        "Mon 04 09:00",
        "Mon 04 09:45",
        "Mon 04 10:30",
        "Mon 04 11:15",
        "Mon 11 09:00",
        "Mon 11 09:45",
        "Mon 11 10:30",
        "Mon 11 11:15",
    ]
    assert all(s.end - s.start == timedelta(minutes=45) for s in found)
    assert {s.librarian_id for s in found} == {7}


def test_window_validity_limits_the_weeks() -> None:
    w = window(valid_from=MONDAY + timedelta(days=7), valid_until=MONDAY + timedelta(days=7))
    av = LibrarianAvailability(7, NO_NOTICE, (w,))
    found = slots(av, MONDAY, MONDAY + timedelta(days=20))
    assert {s.start.astimezone(OSLO).date() for s in found} == {MONDAY + timedelta(days=7)}


def test_buffer_spaces_the_slots_and_an_appointment_keeps_its_buffer() -> None:
    rules = BookingRules(slot_minutes=45, buffer_minutes=15, min_notice_minutes=0)
    empty = LibrarianAvailability(7, rules, (window(),))
    assert starts(slots(empty)) == ["Mon 04 09:00", "Mon 04 10:00", "Mon 04 11:00"]
    # An appointment 09:30-10:15 (made before the grid changed) blocks until 10:30.
    booked = LibrarianAvailability(
        7, rules, (window(),), busy=(Busy(at(MONDAY, 9, 30), at(MONDAY, 10, 30)),)
    )
    assert starts(slots(booked)) == ["Mon 04 11:00"]


def test_a_slot_must_leave_its_buffer_before_the_next_commitment() -> None:
    rules = BookingRules(slot_minutes=45, buffer_minutes=15, min_notice_minutes=0)
    # A desk shift from 11:00: the 10:00 slot ends 10:45 and its buffer ends 11:00, fine;
    # from 10:50 it would not be.
    shift_at_11 = Busy(at(MONDAY, 11), at(MONDAY, 12, 15))
    av = LibrarianAvailability(7, rules, (window(end=13),), busy=(shift_at_11,))
    assert starts(slots(av)) == ["Mon 04 09:00", "Mon 04 10:00"]
    shift_at_1050 = Busy(at(MONDAY, 10, 50), at(MONDAY, 11, 45))
    av = LibrarianAvailability(7, rules, (window(end=13),), busy=(shift_at_1050,))
    assert starts(slots(av)) == ["Mon 04 09:00", "Mon 04 12:00"]


def test_minimum_notice() -> None:
    now = at(MONDAY, 8)
    day_notice = LibrarianAvailability(7, BookingRules(), (window(),))
    assert slots(day_notice, now=now) == []
    two_hours = LibrarianAvailability(7, BookingRules(min_notice_minutes=120), (window(),))
    # 08:00 + 2 h = 10:00: 09:00 and 09:45 are too soon, 10:30 is the first.
    assert starts(slots(two_hours, now=now)) == ["Mon 04 10:30", "Mon 04 11:15"]
    # A start exactly at the notice boundary counts as far enough ahead.
    at_ten = LibrarianAvailability(
        7, BookingRules(min_notice_minutes=90, slot_minutes=30), (window(start=10, end=11),)
    )
    assert starts(slots(at_ten, now=at(MONDAY, 8, 30))) == ["Mon 04 10:00", "Mon 04 10:30"]


def test_horizon_in_days_from_today() -> None:
    av = LibrarianAvailability(7, BookingRules(min_notice_minutes=0, horizon_days=7), (window(),))
    found = slots(av, MONDAY, MONDAY + timedelta(days=27), now=at(MONDAY, 7))
    # Today (Monday 4th) and the Monday a week later (day 7) are open; later ones not.
    assert {s.start.astimezone(OSLO).date() for s in found} == {MONDAY, MONDAY + timedelta(7)}


def test_daily_maximum_closes_the_day() -> None:
    rules = BookingRules(min_notice_minutes=0, max_per_day=2)
    tuesday = window(weekday=1)
    full = LibrarianAvailability(
        7, rules, (window(), tuesday), booked_per_day={MONDAY: 2, MONDAY + timedelta(1): 1}
    )
    found = slots(full, MONDAY, MONDAY + timedelta(days=1))
    assert {s.start.astimezone(OSLO).date() for s in found} == {MONDAY + timedelta(1)}


def test_blocked_date_removes_the_day_and_blocked_hours_cut_the_window() -> None:
    whole_day = DateException(MONDAY, ExceptionKind.BLOCKED)
    av = LibrarianAvailability(7, NO_NOTICE, (window(),), exceptions=(whole_day,))
    assert slots(av, MONDAY, MONDAY + timedelta(days=7)) == slots(
        LibrarianAvailability(7, NO_NOTICE, (window(),)), MONDAY + timedelta(days=7)
    )
    hours = DateException(MONDAY, ExceptionKind.BLOCKED, start=time(10), end=time(11))
    av = LibrarianAvailability(7, NO_NOTICE, (window(),), exceptions=(hours,))
    # 09:00-10:00 holds one 45-minute slot; 11:00-12:00 another.
    assert starts(slots(av)) == ["Mon 04 09:00", "Mon 04 11:00"]


def test_blocked_date_for_one_library_leaves_the_other() -> None:
    blocked = DateException(MONDAY, ExceptionKind.BLOCKED, library_id=1)
    av = LibrarianAvailability(
        7, NO_NOTICE, (window(), window(start=13, end=14, library=2)), exceptions=(blocked,)
    )
    found = slots(av)
    assert {s.library_id for s in found} == {2}


def test_extra_window_on_one_date() -> None:
    wednesday = MONDAY + timedelta(days=2)
    extra = DateException(
        wednesday, ExceptionKind.EXTRA, library_id=2, start=time(14), end=time(15, 30),
        modes=(Mode.ONLINE,),
    )  # fmt: skip
    av = LibrarianAvailability(7, NO_NOTICE, (window(),), exceptions=(extra,))
    found = slots(av, wednesday, wednesday + timedelta(days=4))
    assert starts(found) == ["Wed 06 14:00", "Wed 06 14:45"]
    assert all(s.library_id == 2 and s.modes == (Mode.ONLINE,) for s in found)


def test_library_closed_date_blocks_that_library_only() -> None:
    av = LibrarianAvailability(7, NO_NOTICE, (window(), window(start=13, end=14, library=2)))
    found = slots(av, closed={1: frozenset({MONDAY})})
    assert {s.library_id for s in found} == {2}
    extra = DateException(MONDAY, ExceptionKind.EXTRA, library_id=1, start=time(15), end=time(16))
    av = LibrarianAvailability(7, NO_NOTICE, (), exceptions=(extra,))
    assert slots(av, closed={1: frozenset({MONDAY})}) == []


def test_absence_blocks_slots_it_touches() -> None:
    away = Busy(at(MONDAY, 10), at(MONDAY + timedelta(days=1), 0))
    av = LibrarianAvailability(7, NO_NOTICE, (window(),), busy=(away,))
    assert starts(slots(av)) == ["Mon 04 09:00"]  # 09:45-10:30 meets the absence


def test_overlapping_windows_at_one_library_merge_modes() -> None:
    av = LibrarianAvailability(
        7,
        NO_NOTICE,
        (window(modes=(Mode.ONLINE,)), window(start=9, end=10, modes=(Mode.IN_PERSON,))),
    )
    found = slots(av)
    assert found[0].modes == (Mode.IN_PERSON, Mode.ONLINE)
    assert found[1].modes == (Mode.ONLINE,)
    assert len(found) == 4


def test_windows_keep_wall_time_across_the_march_dst_change() -> None:
    before, after = date(2027, 3, 22), date(2027, 3, 29)  # Mondays around Sunday 28 March
    av = LibrarianAvailability(7, NO_NOTICE, (window(start=9, end=10),))
    found = slots(av, before, after, now=at(before, 0))
    assert starts(found) == ["Mon 22 09:00", "Mon 29 09:00"]
    assert [s.start.hour for s in found] == [8, 7]  # 09:00 CET, then 09:00 CEST, in UTC


def test_window_across_the_march_change_has_the_real_hours() -> None:
    sunday = date(2027, 3, 28)  # 02:00 CET jumps to 03:00 CEST
    rules = BookingRules(slot_minutes=60, min_notice_minutes=0)
    av = LibrarianAvailability(7, rules, (window(weekday=6, start=1, end=5),))
    found = slots(av, sunday, now=at(sunday, 0))
    # 01:00-05:00 local is three real hours: 01:00 CET, then 03:00 and 04:00 CEST.
    assert [s.start.astimezone(OSLO).strftime("%H:%M %Z") for s in found] == [
        "01:00 CET",
        "03:00 CEST",
        "04:00 CEST",
    ]
    assert all(s.end - s.start == timedelta(hours=1) for s in found)


def test_window_across_the_october_change_has_the_real_hours() -> None:
    sunday = date(2027, 10, 31)  # 03:00 CEST falls back to 02:00 CET
    rules = BookingRules(slot_minutes=60, min_notice_minutes=0)
    av = LibrarianAvailability(7, rules, (window(weekday=6, start=1, end=5),))
    found = slots(av, sunday, now=at(sunday, 0))
    assert [s.start.astimezone(OSLO).strftime("%H:%M %Z") for s in found] == [
        "01:00 CEST",
        "02:00 CEST",
        "02:00 CET",
        "03:00 CET",
        "04:00 CET",
    ]
    before, after = date(2027, 10, 25), date(2027, 11, 1)
    weekly = LibrarianAvailability(7, NO_NOTICE, (window(start=9, end=10),))
    assert [s.start.hour for s in slots(weekly, before, after, now=at(before, 0))] == [
        7,
        8,
    ]  # CEST, then CET


def test_daily_count_is_by_local_date_on_a_dst_day() -> None:
    sunday = date(2027, 10, 31)
    rules = BookingRules(slot_minutes=60, min_notice_minutes=0, max_per_day=1)
    av = LibrarianAvailability(
        7, rules, (window(weekday=6, start=22, end=23),), booked_per_day={sunday: 1}
    )
    assert slots(av, sunday, now=at(sunday, 0)) == []
    # The same window on a day with no appointment is open.
    assert len(slots(av, sunday + timedelta(days=7), now=at(sunday, 0))) == 1


def test_no_zone_for_the_library_means_no_slots_there() -> None:
    av = LibrarianAvailability(7, NO_NOTICE, (window(library=99),))
    assert slots(av) == []
