"""Logging an inquiry: stored once per UUID, checked field by field, only in one's libraries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from scheduler.desk.inquiries import InquiryInput, log_inquiry, read_inquiry
from scheduler.errors import Forbidden, InputError
from scheduler.models import DurationBand, Inquiry, InquiryChannel
from tests.desk.conftest import NOW, new_uuid


def _input(world, **kw) -> InquiryInput:
    values = {
        "client_uuid": new_uuid(),
        "library_id": world.library.id,
        "channel": InquiryChannel.DESK,
        "duration": DurationBand.UNDER_5,
        "service_point_id": world.desk.id,
        "category_id": world.reference.id,
    }
    values.update(kw)
    return InquiryInput(**values)


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Inquiry))


def test_an_inquiry_is_stored_with_who_and_when(db, world) -> None:
    logged = log_inquiry(db.session, world.staff, _input(world, read_scale=2), NOW)
    assert logged.created
    stored = db.session.get(Inquiry, logged.inquiry.id)
    assert stored.recorded_by_id == world.staff.id
    assert stored.asked_at == NOW
    assert stored.read_scale == 2
    assert stored.category.name == "Reference"


def test_the_same_entry_sent_twice_is_stored_once(db, world) -> None:
    data = _input(world)
    first = log_inquiry(db.session, world.staff, data, NOW)
    again = log_inquiry(db.session, world.staff, data, NOW + timedelta(minutes=3))
    assert first.created
    assert not again.created
    assert again.inquiry.id == first.inquiry.id
    assert _count(db) == 1


def test_a_queued_entry_keeps_the_time_it_was_tapped(db, world) -> None:
    tapped = NOW - timedelta(hours=3)
    logged = log_inquiry(db.session, world.staff, _input(world, asked_at=tapped), NOW)
    assert logged.inquiry.asked_at == tapped


def test_entries_older_than_two_weeks_or_from_the_future_are_refused(db, world) -> None:
    for when in (NOW - timedelta(days=15), NOW + timedelta(hours=1)):
        with pytest.raises(InputError) as exc:
            log_inquiry(db.session, world.staff, _input(world, asked_at=when), NOW)
        assert "asked_at" in exc.value.fields
    assert _count(db) == 0


def test_choices_from_another_library_are_refused_by_name(db, world, create_service_point) -> None:
    foreign_point = create_service_point(library=world.other_library)
    with pytest.raises(InputError) as exc:
        log_inquiry(db.session, world.staff, _input(world, service_point_id=foreign_point.id), NOW)
    assert exc.value.fields == {"service_point": "does not belong to this library"}
    assert _count(db) == 0


def test_only_a_handover_one_booked_oneself_can_be_linked(db, world) -> None:
    with pytest.raises(InputError) as exc:
        log_inquiry(db.session, world.staff, _input(world, appointment_id=999), NOW)
    assert "appointment" in exc.value.fields


def test_staff_log_only_for_their_own_libraries(db, world) -> None:
    with pytest.raises(Forbidden):
        log_inquiry(db.session, world.outsider, _input(world), NOW)
    assert _count(db) == 0
    # A leader of the library answers questions too.
    assert log_inquiry(db.session, world.leader, _input(world), NOW).created


def test_reading_reports_every_bad_field_at_once() -> None:
    with pytest.raises(InputError) as exc:
        read_inquiry(
            {
                "client_uuid": "not-a-uuid",
                "library": "1",
                "channel": "fax",
                "duration": "",
                "read_scale": "7",
                "description": "x" * 2001,
            }
        )
    assert set(exc.value.fields) == {
        "client_uuid",
        "channel",
        "duration",
        "read_scale",
        "description",
    }


def test_reading_a_json_entry() -> None:
    uuid = new_uuid()
    data = read_inquiry(
        {
            "client_uuid": uuid.upper(),
            "library": "3",
            "channel": "chat",
            "duration": "5_15",
            "handed_over": True,
            "asked_at": "2027-03-09T11:30:00.000Z",
        }
    )
    assert data.client_uuid == uuid  # one spelling per UUID, so a resend matches
    assert data.channel is InquiryChannel.CHAT
    assert data.handed_over is True
    assert data.asked_at == NOW


def test_a_wrong_tap_can_be_taken_back_for_twelve_hours_only(db, world) -> None:
    from scheduler.desk.inquiries import delete_inquiry

    late = log_inquiry(db.session, world.staff, _input(world), NOW).inquiry
    with pytest.raises(InputError):
        delete_inquiry(db.session, world.staff, late, NOW + timedelta(hours=13))
    with pytest.raises(InputError):
        delete_inquiry(db.session, world.leader, late, NOW)  # not the author
    delete_inquiry(db.session, world.staff, late, NOW + timedelta(hours=11))
    assert _count(db) == 0
