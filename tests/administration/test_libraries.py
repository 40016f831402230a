"""Libraries, their opening hours and closed dates, administered through the use cases."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select

from scheduler.administration import closed_dates, libraries, opening_hours
from scheduler.administration.libraries import LibraryInput
from scheduler.errors import Forbidden, InputError
from scheduler.models import AuditEntry, ClosedDate, Library, Role, RosterPeriod


@pytest.fixture
def admin(create_person):
    return create_person(Role.ADMIN)


def _input(**kw) -> LibraryInput:
    kw.setdefault("name", "Science Library")
    kw.setdefault("slug", "science")
    return LibraryInput(**kw)


def test_admin_creates_a_library(db, admin) -> None:
    lib = libraries.save_library(
        db.session,
        admin,
        None,
        _input(timezone="America/New_York", email="Science@Uni.example", address="Campus 1"),
    )
    assert (lib.slug, lib.timezone, lib.email, lib.active) == (
        "science",
        "America/New_York",
        "science@uni.example",
        True,
    )


@pytest.mark.parametrize("role", [Role.SECTION_LEADER, Role.LIBRARIAN, Role.FIRST_LINE])
def test_only_admins_may(db, create_person, create_library, role) -> None:
    person = create_person(role)
    lib = create_library()
    with pytest.raises(Forbidden):
        libraries.save_library(db.session, person, None, _input())
    with pytest.raises(Forbidden):
        libraries.remove_library(db.session, person, lib)
    with pytest.raises(Forbidden):
        closed_dates.add_closed_dates(db.session, person, lib, date(2027, 1, 1))
    with pytest.raises(Forbidden):
        opening_hours.set_weekly_hours(db.session, person, lib, {})


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": "taken"}, "slug"),
        ({"slug": "TAKEN"}, "slug"),
        ({"slug": "not a slug"}, "slug"),
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"name": "  "}, "name"),
        ({"email": "not-an-address"}, "email"),
        ({"position": -1}, "position"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    db, admin, create_library, change, field
) -> None:
    create_library(slug="taken")
    before = db.session.scalars(select(Library.slug)).all()
    with pytest.raises(InputError) as caught:
        libraries.save_library(db.session, admin, None, _input(**change))
    assert field in caught.value.fields
    assert db.session.scalars(select(Library.slug)).all() == before


def test_editing_keeps_its_own_slug_and_one_main_library(db, admin, create_library) -> None:
    old_main = create_library(is_main=True)
    lib = create_library(slug="keep")
    libraries.save_library(db.session, admin, lib, _input(slug="keep", is_main=True))
    db.session.refresh(old_main)
    assert lib.is_main
    assert not old_main.is_main


def test_search_finds_by_name_or_slug(db, admin, create_library) -> None:
    create_library(name="Law Library", slug="law")
    create_library(name="Medical Library", slug="med")
    assert [lib.slug for lib in libraries.list_libraries(db.session, admin, "LAW")] == ["law"]
    assert [lib.slug for lib in libraries.list_libraries(db.session, admin, "med")] == ["med"]


def test_a_library_nothing_refers_to_is_deleted(db, admin) -> None:
    lib = libraries.save_library(db.session, admin, None, _input())
    removal = libraries.remove_library(db.session, admin, lib)
    assert removal.deleted
    assert db.session.scalar(select(Library).where(Library.slug == "science")) is None


def test_a_library_with_history_is_deactivated(db, admin, create_library) -> None:
    lib = create_library(is_main=True)
    db.session.add(RosterPeriod(library=lib, start_date=date(2027, 1, 4), weeks=1))
    db.session.flush()
    removal = libraries.remove_library(db.session, admin, lib)
    assert not removal.deleted
    assert removal.references == {"roster_periods": 1}
    assert db.session.get(Library, lib.id).active is False
    libraries.reactivate_library(db.session, admin, lib)
    assert lib.active


def test_weekly_hours_replace_the_always_valid_rows(db, admin, create_library) -> None:
    lib = create_library()
    hours = dict.fromkeys(range(7), (None, None))
    hours[0] = (time(9), time(17))
    hours[5] = (time(10), time(14))
    opening_hours.set_weekly_hours(db.session, admin, lib, hours)
    assert [(h.weekday, h.opens, h.closes) for h in lib.opening_hours] == [
        (0, time(9), time(17)),
        (5, time(10), time(14)),
    ]
    assert opening_hours.weekly_hours(lib)[5] == (time(10), time(14))
    assert opening_hours.weekly_hours(lib)[1] == (None, None)


def test_closing_before_opening_is_refused_on_that_day(db, admin, create_library) -> None:
    lib = create_library()
    before = [(h.weekday, h.opens) for h in lib.opening_hours]
    with pytest.raises(InputError) as caught:
        opening_hours.set_weekly_hours(
            db.session, admin, lib, {2: (time(17), time(9)), 3: (time(9), None)}
        )
    assert set(caught.value.fields) == {"closes_2", "closes_3"}
    assert [(h.weekday, h.opens) for h in lib.opening_hours] == before


def test_a_closed_date_range_adds_each_day_once(db, admin, create_library) -> None:
    lib = create_library()
    closed_dates.add_closed_dates(db.session, admin, lib, date(2027, 12, 25), reason="Christmas")
    added = closed_dates.add_closed_dates(
        db.session, admin, lib, date(2027, 12, 24), date(2027, 12, 27), "Holidays"
    )
    assert added == 3
    rows = db.session.scalars(
        select(ClosedDate).where(ClosedDate.library_id == lib.id).order_by(ClosedDate.date)
    ).all()
    assert [(r.date.day, r.reason) for r in rows] == [
        (24, "Holidays"),
        (25, "Christmas"),
        (26, "Holidays"),
        (27, "Holidays"),
    ]
    closed_dates.remove_closed_date(db.session, admin, lib, rows[0].id)
    assert [c.date.day for c in lib.closed_dates] == [25, 26, 27]


def test_a_reversed_closed_date_range_is_refused(db, admin, create_library) -> None:
    lib = create_library()
    with pytest.raises(InputError) as caught:
        closed_dates.add_closed_dates(db.session, admin, lib, date(2027, 5, 2), date(2027, 5, 1))
    assert "until" in caught.value.fields
    assert lib.closed_dates == []


def test_a_split_day_survives_saving_the_week_unless_that_day_changes(
    db, admin, create_library
) -> None:
    lib = create_library(
        hours=[(0, time(8), time(12)), (0, time(13), time(16)), (1, time(8), time(16))]
    )
    week = opening_hours.weekly_hours(lib)
    assert week[0] == (time(8), time(12))
    assert [(h.opens, h.closes) for h in opening_hours.other_intervals(lib)[0]] == [
        (time(13), time(16))
    ]
    week[1] = (time(9), time(15))
    opening_hours.set_weekly_hours(db.session, admin, lib, week)
    assert [(h.weekday, h.opens, h.closes) for h in lib.opening_hours] == [
        (0, time(8), time(12)),
        (0, time(13), time(16)),
        (1, time(9), time(15)),
    ]
    week[0] = (time(10), time(14))
    opening_hours.set_weekly_hours(db.session, admin, lib, week)
    assert [(h.weekday, h.opens) for h in lib.opening_hours if h.weekday == 0] == [(0, time(10))]


def test_changes_are_written_to_the_audit_log(db, admin, create_library) -> None:
    lib = libraries.save_library(db.session, admin, None, _input())
    closed_dates.add_closed_dates(db.session, admin, lib, date(2027, 5, 17))
    libraries.remove_library(db.session, admin, lib)
    rows = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(r.actor_id, r.action, r.subject) for r in rows] == [
        (admin.id, "library.saved", f"library:{lib.id}"),
        (admin.id, "library.closed_dates_added", f"library:{lib.id}"),
        (admin.id, "library.deleted", f"library:{lib.id}"),
    ]
