"""Attendance for the second line: marks, check-in, walk-ins, and the report's numbers."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import UTC, date, datetime, timedelta

import pytest

from scheduler.booking.attendance import check_in, count_walk_ins, mark_appointment
from scheduler.booking.second_line_report import report_csv, second_line_report
from scheduler.errors import Conflict, Forbidden, InputError
from scheduler.models import (
    Appointment,
    AppointmentStatus,
    Attendance,
    DropInSession,
    Mode,
    Registration,
    RegistrationStatus,
    Role,
)

NOW = datetime(2027, 3, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def second_line(db, world, create_person, create_topic):
    librarian = create_person(Role.LIBRARIAN, name="Liv Librarian", libraries=[world.library])
    topic = create_topic(name="Systematic reviews")

    def appointment(starts: datetime, booked_days_before: float, **kw) -> Appointment:
        row = Appointment(
            librarian=librarian,
            library_id=world.library.id,
            topic=kw.pop("topic", topic),
            mode=kw.pop("mode", Mode.IN_PERSON),
            starts_at=starts,
            ends_at=starts + timedelta(minutes=45),
            manage_token_hash=secrets.token_hex(32),
            created_at=starts - timedelta(days=booked_days_before),
            **kw,
        )
        db.session.add(row)
        return row

    march = [
        appointment(datetime(2027, 3, 2, 9, tzinfo=UTC), 2, attendance=Attendance.ATTENDED),
        appointment(datetime(2027, 3, 3, 9, tzinfo=UTC), 4, attendance=Attendance.NO_SHOW),
        appointment(datetime(2027, 3, 4, 9, tzinfo=UTC), 6, mode=Mode.ONLINE),
        appointment(datetime(2027, 3, 5, 9, tzinfo=UTC), 8, status=AppointmentStatus.CANCELLED),
    ]
    april = appointment(
        datetime(2027, 4, 1, 9, tzinfo=UTC), 1, attendance=Attendance.LATE_CANCEL, topic=None
    )
    pending = appointment(datetime(2027, 3, 6, 9, tzinfo=UTC), 1, status=AppointmentStatus.PENDING)
    dropin = DropInSession(
        title="Zotero drop-in",
        library_id=world.library.id,
        starts_at=datetime(2027, 3, 10, 12, tzinfo=UTC),
        ends_at=datetime(2027, 3, 10, 13, tzinfo=UTC),
        registration_required=True,
        capacity=3,
    )
    dropin.hosts = [librarian]
    db.session.add(dropin)
    regs = [
        Registration(
            session=dropin,
            name=f"Student {i}",
            email=f"s{i}@uni.example",
            status=status,
            manage_token_hash=secrets.token_hex(32),
            promoted_at=promoted,
        )
        for i, (status, promoted) in enumerate(
            [
                (RegistrationStatus.REGISTERED, None),
                (RegistrationStatus.REGISTERED, None),
                (RegistrationStatus.REGISTERED, NOW - timedelta(days=12)),
                (RegistrationStatus.WAITLISTED, None),
            ]
        )
    ]
    db.session.add_all(regs)
    db.session.flush()
    return librarian, march, april, pending, dropin, regs


def test_the_librarian_marks_what_became_of_an_appointment(db, world, second_line) -> None:
    librarian, march, *_ = second_line
    unmarked = march[2]
    with pytest.raises(Forbidden):
        mark_appointment(db.session, world.staff, unmarked, Attendance.ATTENDED, NOW)
    mark_appointment(db.session, librarian, unmarked, Attendance.NO_SHOW, NOW)
    assert (unmarked.attendance, unmarked.attendance_marked_at) == (Attendance.NO_SHOW, NOW)
    # The library's leader may correct it; a cancelled one cannot be marked.
    mark_appointment(db.session, world.leader, unmarked, Attendance.ATTENDED, NOW)
    assert unmarked.attendance == Attendance.ATTENDED
    with pytest.raises(Conflict):
        mark_appointment(db.session, librarian, march[3], Attendance.ATTENDED, NOW)
    with pytest.raises(InputError):
        mark_appointment(
            db.session, librarian, march[0], Attendance.ATTENDED, march[0].starts_at - timedelta(1)
        )


def test_hosts_check_people_in_and_count_walk_ins(db, world, second_line) -> None:
    librarian, *_, dropin, regs = second_line
    check_in(db.session, librarian, regs[0], True, NOW)
    assert regs[0].attended_at == NOW
    with pytest.raises(Conflict):
        check_in(db.session, librarian, regs[3], True, NOW)  # waitlisted, not registered
    with pytest.raises(Forbidden):
        check_in(db.session, world.staff, regs[1], True, NOW)
    count_walk_ins(db.session, librarian, dropin, 4)
    assert dropin.walk_ins == 4
    with pytest.raises(InputError):
        count_walk_ins(db.session, librarian, dropin, -1)


def test_the_report_against_a_hand_count(db, world, second_line) -> None:
    librarian, _march, _april, _pending, _dropin, regs = second_line
    check_in(db.session, librarian, regs[0], True, NOW)
    check_in(db.session, librarian, regs[2], True, NOW)
    count_walk_ins(db.session, librarian, regs[0].session, 2)
    report = second_line_report(
        db.session, world.leader, world.library.id, date(2027, 3, 1), date(2027, 4, 30)
    )
    march = report.by_month["2027-03"]
    # Four bookings in March (the pending one does not count): 1 attended, 1 no-show,
    # 1 unmarked, 1 cancelled; booked 2, 4, 6 and 8 days ahead.
    assert (march.bookings, march.attended, march.no_show, march.cancelled, march.unmarked) == (
        4,
        1,
        1,
        1,
        1,
    )
    assert march.mean_lead_days == pytest.approx(5)
    assert report.by_month["2027-04"].late_cancel == 1
    assert report.by_topic["Systematic reviews"].bookings == 4
    assert report.by_topic[""].bookings == 1
    assert {k: v.bookings for k, v in report.by_mode.items()} == {"in_person": 4, "online": 1}
    drop = report.dropins_by_month["2027-03"]
    assert (drop.sessions, drop.registered, drop.attended, drop.walk_ins, drop.promotions) == (
        1,
        3,
        2,
        2,
        1,
    )
    rows = list(csv.reader(io.StringIO(report_csv(report))))
    assert ["month", "2027-03", "4", "1", "1", "1", "0", "1", "5.0"] in rows
    assert ["dropins", "2027-03", "1", "3", "2", "2", "1"] in rows
    for person in (world.staff, world.other_leader, librarian):
        with pytest.raises(Forbidden):
            second_line_report(db.session, person, world.library.id, date(2027, 3, 1), NOW.date())


def test_the_pages(client, db, login, world, second_line, time_machine) -> None:
    librarian, march, _april, _pending, dropin, regs = second_line
    time_machine.move_to(NOW)
    login(librarian)
    page = client.get("/staff/attendance", headers={"Accept-Language": "en"})
    assert "Zotero drop-in" in page.get_data(as_text=True)
    marked = client.post(
        f"/staff/attendance/appointments/{march[2].id}", data={"attendance": "late_cancel"}
    )
    assert marked.status_code == 303
    db.session.refresh(march[2])
    assert march[2].attendance == Attendance.LATE_CANCEL
    checked = client.post(
        f"/staff/attendance/dropins/{dropin.id}",
        data={"registration": str(regs[1].id), "attended": "1"},
    )
    assert checked.status_code == 303
    walk = client.post(
        f"/staff/attendance/dropins/{dropin.id}", data={"action": "walk_ins", "walk_ins": "5"}
    )
    assert walk.status_code == 303
    db.session.refresh(dropin)
    db.session.refresh(regs[1])
    assert (dropin.walk_ins, regs[1].attended_at is not None) == (5, True)
    login(world.staff)
    assert client.get(f"/staff/attendance/dropins/{dropin.id}").status_code == 403
    login(world.leader)
    report = client.get(
        f"/leader/reports/second-line?library={world.library.id}&from=2027-03-01&to=2027-04-30",
        headers={"Accept-Language": "en"},
    )
    assert report.status_code == 200
    html = report.get_data(as_text=True)
    assert "Appointments by month" in html
    assert 'id="dropins-desc"' in html  # the drop-in chart, with its table
    export = client.get(
        f"/leader/reports/second-line.csv?library={world.library.id}&from=2027-03-01&to=2027-04-30"
    )
    assert export.mimetype == "text/csv"
