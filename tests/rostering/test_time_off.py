"""Time-off requests: consequences for the leader, approval through the published-shift
diff (with the optional sick-day repair), declines, and bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from scheduler.errors import Conflict, Forbidden, InputError
from scheduler.models import (
    Absence,
    AbsenceKind,
    PublishedShiftStatus,
    RequestStatus,
    RosterRun,
    RunKind,
)
from scheduler.rostering import approvals, time_off
from scheduler.timeutil import day_bounds
from tests.rostering.self_service_data import (
    CTX,
    confirmed,
    mail_count,
    mails_since,
    published_roster_world,
    row,
)


@pytest.fixture
def roster(db, create_library, create_person):
    return published_roster_world(db, create_library, create_person)


def tuesday(roster):
    return day_bounds(roster.period.start_date + timedelta(days=1), "Europe/Oslo")


def test_the_leader_sees_the_shifts_it_empties_and_who_could_take_them(db, roster) -> None:
    start, end = tuesday(roster)
    req = time_off.request_time_off(
        db.session, roster.bo, roster.period.library, kind="leave", starts_at=start, ends_at=end
    )
    assert req.status == RequestStatus.PENDING
    with pytest.raises(Forbidden):
        time_off.consequences(db.session, roster.anna, req)
    seen = time_off.consequences(db.session, roster.leader, req)
    # Bo's two Tuesday desk shifts, each needing one person, both left empty.
    assert [s.shift_id for s in seen.shifts] == [
        roster.shifts["desk-tue-08"].id,
        roster.shifts["desk-tue-10"].id,
    ]
    assert [(s.holders_left, s.min_staff, s.missing) for s in seen.shifts] == [(0, 1, 1)] * 2
    assert seen.missing == 2
    # Anna (max 4 h a day, free on Tuesday) and Cai may take either; ranked by objective.
    for s in seen.shifts:
        names = {c.person.name for c in s.candidates}
        assert names == {"Anna", "Cai"}
        deltas = [c.check.delta for c in s.candidates]
        assert deltas == sorted(deltas)


def test_approving_time_off_cancels_the_shifts_stores_the_absence_and_tells_bo(db, roster) -> None:
    start, end = tuesday(roster)
    req = time_off.request_time_off(
        db.session, roster.bo, roster.period.library, kind="course", starts_at=start,
        ends_at=end, note="Fire safety course",
    )  # fmt: skip
    tue8 = row(db, roster, "desk-tue-08", roster.bo)
    sent = mail_count(db)
    req = approvals.approve(db.session, roster.leader, req.id, ctx=CTX, repair=True)
    db.session.commit()
    assert req.status == RequestStatus.APPROVED
    # Bo keeps only Thursday; the Tuesday rows stay as CANCELLED with a higher SEQUENCE.
    assert confirmed(db, roster.bo) == [(roster.shifts["desk-thu-08"].starts_at, roster.desk.id)]
    db.session.refresh(tue8)
    assert (tue8.status, tue8.sequence) == (PublishedShiftStatus.CANCELLED, 1)
    absence = db.session.scalar(select(Absence).where(Absence.person_id == roster.bo.id))
    assert (absence.kind, absence.starts_at, absence.ends_at) == (AbsenceKind.COURSE, start, end)
    # The sick-day repair was started on the period.
    run = db.session.scalar(select(RosterRun).where(RosterRun.kind == RunKind.REPAIR))
    assert run is not None
    assert run.period_id == roster.period.id
    new = mails_since(db, sent)
    assert [m.to_address for m in new] == ["bo@uni.example"]
    assert new[0].body_text.count("Cancelled:") + new[0].body_text.count("Avlyst:") == 2
    assert sum(1 for r in req.applied if r["kind"] == "removed") == 2


def test_sick_days_are_reported_not_requested_and_bad_times_are_refused(db, roster) -> None:
    start, end = tuesday(roster)
    lib = roster.period.library
    with pytest.raises(InputError) as sick:
        time_off.request_time_off(
            db.session, roster.bo, lib, kind="sick", starts_at=start, ends_at=end
        )
    assert sick.value.fields == {"kind": "sick days are reported to your leader, not requested"}
    with pytest.raises(InputError) as backwards:
        time_off.request_time_off(
            db.session, roster.bo, lib, kind="leave", starts_at=end, ends_at=start
        )
    assert "ends_at" in backwards.value.fields
    with pytest.raises(InputError) as past:
        time_off.request_time_off(
            db.session, roster.bo, lib, kind="leave", starts_at=start - timedelta(weeks=8),
            ends_at=end,
        )  # fmt: skip
    assert "starts_at" in past.value.fields
    time_off.request_time_off(
        db.session, roster.bo, lib, kind="leave", starts_at=start, ends_at=end
    )
    with pytest.raises(Conflict):  # a second open request over the same time
        time_off.request_time_off(
            db.session, roster.bo, lib, kind="other", starts_at=start + timedelta(hours=9),
            ends_at=end,
        )  # fmt: skip


def test_a_declined_request_changes_nothing(db, roster) -> None:
    start, end = tuesday(roster)
    req = time_off.request_time_off(
        db.session, roster.bo, roster.period.library, kind="leave", starts_at=start, ends_at=end
    )
    before = confirmed(db, roster.bo)
    req = approvals.decline(db.session, roster.leader, req.id, reason="Exam week", ctx=CTX)
    assert req.status == RequestStatus.DECLINED
    assert confirmed(db, roster.bo) == before
    assert db.session.scalar(select(Absence.id).where(Absence.person_id == roster.bo.id)) is None
    with pytest.raises(Conflict) as again:
        approvals.approve(db.session, roster.leader, req.id, ctx=CTX)
    assert "already been declined" in str(again.value)


def test_withdrawing_is_for_the_requester_only(db, roster) -> None:
    start, end = tuesday(roster)
    req = time_off.request_time_off(
        db.session, roster.bo, roster.period.library, kind="leave", starts_at=start, ends_at=end
    )
    with pytest.raises(Forbidden):
        approvals.withdraw(db.session, roster.anna, req.id)
    assert approvals.withdraw(db.session, roster.bo, req.id).status == RequestStatus.WITHDRAWN
    assert approvals.pending_count(db.session, roster.leader) == 0


def test_time_off_without_shifts_is_approved_and_told(db, roster) -> None:
    saturday = roster.period.start_date + timedelta(days=5)
    start, end = day_bounds(saturday, "Europe/Oslo")
    req = time_off.request_time_off(
        db.session, roster.anna, roster.period.library, kind="other", starts_at=start, ends_at=end
    )
    assert time_off.consequences(db.session, roster.leader, req).shifts == []
    sent = mail_count(db)
    req = approvals.approve(db.session, roster.leader, req.id, ctx=CTX)
    assert req.applied == []
    new = mails_since(db, sent)
    assert [m.to_address for m in new] == ["anna@uni.example"]
    assert "was approved" in new[0].body_text or "er godkjent" in new[0].body_text
