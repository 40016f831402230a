"""Open shifts: posted by the leader when short, claimed by qualified staff, first claim wins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from scheduler.errors import Conflict, Forbidden, InputError
from scheduler.models import OpenShiftStatus, RequestKind, RequestStatus, Role, StaffRequest
from scheduler.rostering import approvals, open_shifts, time_off
from scheduler.rostering.published_changes import ChangeRefused
from scheduler.timeutil import day_bounds
from tests.rostering.self_service_data import (
    CTX,
    confirmed,
    mail_count,
    mails_since,
    published_roster_world,
)


@pytest.fixture
def roster(db, create_library, create_person):
    """Bo's Tuesday approved as leave: both Tuesday desk shifts are now empty."""
    r = published_roster_world(db, create_library, create_person)
    start, end = day_bounds(r.period.start_date + timedelta(days=1), "Europe/Oslo")
    req = time_off.request_time_off(
        db.session, r.bo, r.period.library, kind="leave", starts_at=start, ends_at=end
    )
    approvals.approve(db.session, r.leader, req.id, ctx=CTX)
    db.session.commit()
    return r


def test_a_posted_shift_is_claimed_and_published_and_the_next_claim_is_told_it_is_taken(
    db, roster, create_person
) -> None:
    tue8 = roster.shifts["desk-tue-08"]
    with pytest.raises(Forbidden):
        open_shifts.post(db.session, roster.anna, tue8.id)
    post = open_shifts.post(db.session, roster.leader, tue8.id, note="Bo is on leave")
    assert (post.places, post.filled, post.status) == (1, 0, OpenShiftStatus.OPEN)
    with pytest.raises(Conflict):
        open_shifts.post(db.session, roster.leader, tue8.id)
    db.session.commit()
    visible = open_shifts.open_for(db.session, roster.anna)
    assert [(c.post.id, c.legal) for c in visible] == [(post.id, True)]
    # Only people in the library's pool are asked: not its leader, not an administrator
    # (they may act on every library, but no shift there can be theirs).
    assert open_shifts.open_for(db.session, roster.leader) == []
    assert open_shifts.open_for(db.session, create_person(Role.ADMIN)) == []

    sent = mail_count(db)
    req = open_shifts.claim(db.session, roster.anna, post.id, ctx=CTX)
    db.session.commit()
    assert (req.kind, req.status, req.taker_id) == (
        RequestKind.CLAIM,
        RequestStatus.APPROVED,
        roster.anna.id,
    )
    assert (tue8.starts_at, roster.desk.id) in confirmed(db, roster.anna)
    db.session.refresh(post)
    assert (post.filled, post.status) == (1, OpenShiftStatus.FILLED)
    assert [m.to_address for m in mails_since(db, sent)] == ["anna@uni.example"]

    with pytest.raises(Conflict) as late:
        open_shifts.claim(db.session, roster.cai, post.id, ctx=CTX)
    assert "already been taken" in str(late.value)
    db.session.rollback()
    assert (tue8.starts_at, roster.desk.id) not in confirmed(db, roster.cai)
    assert len(list(db.session.scalars(select(StaffRequest.id).where(
        StaffRequest.kind == RequestKind.CLAIM)))) == 1  # fmt: skip


def test_a_claim_that_breaks_a_rule_is_refused_with_the_checkers_words(db, roster) -> None:
    # Bo is on leave on Tuesday: claiming a Tuesday shift breaks availability (H3).
    post = open_shifts.post(db.session, roster.leader, roster.shifts["desk-tue-10"].id)
    db.session.commit()
    with pytest.raises(ChangeRefused) as refused:
        open_shifts.claim(db.session, roster.bo, post.id, ctx=CTX)
    assert "H3 availability" in str(refused.value)
    assert "Bo" in str(refused.value)
    db.session.rollback()
    assert db.session.get(type(post), post.id).filled == 0


def test_only_short_future_published_shifts_can_be_posted(db, roster) -> None:
    with pytest.raises(InputError) as full:
        open_shifts.post(db.session, roster.leader, roster.shifts["desk-mon-08"].id)
    assert full.value.fields == {"shift": "has the people it needs"}
