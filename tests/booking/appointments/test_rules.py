"""Editing availability through the service: checks, permissions, and their effect."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from scheduler.booking.appointments import rules
from scheduler.booking.appointments.slots import SlotQuery, find_slots
from scheduler.errors import Forbidden, InputError, NotFound
from scheduler.models import ExceptionKind, Mode, Role
from tests.booking.appointments.helpers import NOW, TODAY, TUESDAY


def test_new_window_becomes_bookable(db, create_person, library, topic) -> None:
    person = create_person(Role.LIBRARIAN, bookable=True, topics=[topic])
    rules.add_window(
        db.session, actor=person, person=person, library_id=library.id, weekday=1,
        start=time(14), end=time(15), modes=[Mode.ONLINE],
    )  # fmt: skip
    slots = find_slots(
        db.session,
        SlotQuery(TUESDAY, TUESDAY, topic_id=topic.id),
        now=NOW,
        default_tz="Europe/Oslo",
    )
    assert [(s.start.hour, s.modes) for s in slots] == [(13, (Mode.ONLINE,))]  # 14:00 CET


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"library_id": 999999}, "library"),
        ({"weekday": 7}, "weekday"),
        ({"start": time(12), "end": time(11)}, "end"),
        ({"modes": []}, "modes"),
        ({"valid_from": date(2027, 2, 1), "valid_until": date(2027, 1, 1)}, "valid_until"),
    ],
)
def test_bad_windows(db, librarian, library, kwargs, field) -> None:
    values = {"library_id": library.id, "weekday": 5, "start": time(9), "end": time(10),
              "modes": [Mode.IN_PERSON]}  # fmt: skip
    values.update(kwargs)
    with pytest.raises(InputError) as err:
        rules.add_window(db.session, actor=librarian, person=librarian, **values)
    assert field in err.value.fields


def test_windows_in_different_periods_may_share_a_weekday(db, librarian, library) -> None:
    spring = {"valid_from": date(2027, 1, 1), "valid_until": date(2027, 6, 30)}
    autumn = {"valid_from": date(2027, 8, 1), "valid_until": None}
    for period in (spring, autumn):
        rules.add_window(
            db.session, actor=librarian, person=librarian, library_id=library.id, weekday=5,
            start=time(9), end=time(10), modes=[Mode.IN_PERSON], **period,
        )  # fmt: skip
    with pytest.raises(InputError):
        rules.add_window(
            db.session, actor=librarian, person=librarian, library_id=library.id, weekday=5,
            start=time(9, 30), end=time(11), modes=[Mode.IN_PERSON],
        )  # fmt: skip


def test_only_the_person_or_an_admin_edits(db, librarian, create_person, library) -> None:
    colleague = create_person(Role.LIBRARIAN)
    with pytest.raises(Forbidden):
        rules.add_exception(
            db.session, actor=colleague, person=librarian, day=TUESDAY, kind=ExceptionKind.BLOCKED
        )
    admin = create_person(Role.ADMIN)
    rules.add_exception(
        db.session, actor=admin, person=librarian, day=TUESDAY, kind=ExceptionKind.BLOCKED
    )
    window = rules.windows_of(db.session, librarian)[0]
    with pytest.raises(NotFound):
        rules.delete_window(db.session, actor=colleague, person=colleague, window_id=window.id)


def test_exceptions_are_checked(db, librarian, library) -> None:
    def add(**kw):
        kw.setdefault("day", TUESDAY)
        kw.setdefault("today", TODAY)
        return rules.add_exception(db.session, actor=librarian, person=librarian, **kw)

    with pytest.raises(InputError) as err:
        add(kind=ExceptionKind.EXTRA, start=time(9), end=time(10), modes=[Mode.ONLINE])
    assert err.value.fields == {"library": "is not a known library"}
    with pytest.raises(InputError) as err:
        add(kind=ExceptionKind.BLOCKED, start=time(9))
    assert "end" in err.value.fields
    with pytest.raises(InputError) as err:
        add(kind=ExceptionKind.BLOCKED, day=TODAY - timedelta(days=1))
    assert err.value.fields == {"date": "is in the past"}
    added = add(kind=ExceptionKind.BLOCKED, start=time(10), end=time(11), note="Dentist")
    assert rules.exceptions_of(db.session, librarian, TODAY) == [added]


def test_settings_limits(db, librarian) -> None:
    change = rules.SettingsChange(
        slot_minutes=5, buffer_minutes=-1, min_notice_minutes=0, horizon_days=400,
        max_per_day=None, bookable=True,
    )  # fmt: skip
    with pytest.raises(InputError) as err:
        rules.update_settings(db.session, actor=librarian, person=librarian, change=change)
    assert set(err.value.fields) == {"slot_minutes", "buffer_minutes", "horizon_days"}
