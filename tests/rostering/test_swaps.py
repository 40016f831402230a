"""Swaps and give-aways on a published roster: checked by the roster checker, approved,
applied through the published-shift diff, and told by e-mail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from scheduler.errors import Conflict, Forbidden, InputError
from scheduler.models import (
    Assignment,
    PublishedShiftStatus,
    RequestStatus,
    Role,
    RosterPreference,
    SelfServiceSettings,
    StaffRequest,
)
from scheduler.rostering import approvals, swaps
from scheduler.rostering.published_changes import ChangeRefused
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


def test_a_trade_is_offered_accepted_approved_and_published(db, roster) -> None:
    anna_mon = row(db, roster, "desk-mon-08", roster.anna)
    bo_thu = row(db, roster, "desk-thu-08", roster.bo)
    req = swaps.offer(db.session, roster.anna, anna_mon.id, trade_shift_id=bo_thu.id, ctx=CTX)
    assert req.status == RequestStatus.OFFERED
    assert req.target_id == roster.bo.id
    sent = mail_count(db)
    # Bo was told about the offer.
    assert [m.to_address for m in mails_since(db, sent - 1)] == ["bo@uni.example"]

    req = swaps.accept(db.session, roster.bo, req.id, ctx=CTX)
    assert req.status == RequestStatus.PENDING
    assert req.taker_id == roster.bo.id
    assert approvals.pending_count(db.session, roster.leader) == 1
    assert [r.id for r in approvals.inbox(db.session, roster.leader)] == [req.id]

    sent = mail_count(db)
    req = approvals.approve(db.session, roster.leader, req.id, ctx=CTX)
    db.session.commit()
    assert req.status == RequestStatus.APPROVED
    assert req.decided_by_id == roster.leader.id
    # The published roster changed: Anna now works Thursday, Bo Monday morning.
    mon, thu = roster.shifts["desk-mon-08"], roster.shifts["desk-thu-08"]
    assert (thu.starts_at, roster.desk.id) in confirmed(db, roster.anna)
    assert (mon.starts_at, roster.desk.id) not in confirmed(db, roster.anna)
    assert (mon.starts_at, roster.desk.id) in confirmed(db, roster.bo)
    assert (thu.starts_at, roster.desk.id) not in confirmed(db, roster.bo)
    # Through the diff: the old rows stay, CANCELLED with a higher SEQUENCE (feeds drop them).
    db.session.refresh(anna_mon)
    assert anna_mon.status == PublishedShiftStatus.CANCELLED
    assert anna_mon.sequence == 1
    # The draft follows, so the next publish keeps the trade.
    draft = {
        tuple(r) for r in db.session.execute(select(Assignment.shift_id, Assignment.person_id))
    }
    assert (thu.id, roster.anna.id) in draft
    assert (mon.id, roster.bo.id) in draft
    assert (mon.id, roster.anna.id) not in draft
    # Both were told, after the commit, and only they.
    new = mails_since(db, sent)
    assert sorted(m.to_address for m in new) == ["anna@uni.example", "bo@uni.example"]
    assert all("Cancelled:" in m.body_text or "Avlyst:" in m.body_text for m in new)
    assert approvals.pending_count(db.session, roster.leader) == 0


def test_a_give_away_that_breaks_the_weekly_minimum_is_refused_in_the_checkers_words(
    db, roster
) -> None:
    anna_mon = row(db, roster, "desk-mon-08", roster.anna)
    with pytest.raises(ChangeRefused) as refused:
        swaps.offer(db.session, roster.anna, anna_mon.id, to_person_id=roster.bo.id, ctx=CTX)
    text = str(refused.value)
    assert "H6 weekly hours" in text
    assert "Anna" in text
    assert "H6" in refused.value.rules
    assert db.session.scalar(select(StaffRequest.id)) is None


def test_a_colleague_who_is_away_may_not_take_it_and_the_checker_names_the_shift(
    db, roster
) -> None:
    # Cai is away on Monday: a trade that gives Cai Anna's Monday breaks availability.
    bo_thu = row(db, roster, "desk-thu-08", roster.bo)
    cai_wed = row(db, roster, "desk-wed-10", roster.cai)
    anna_mon = row(db, roster, "desk-mon-08", roster.anna)
    with pytest.raises(ChangeRefused) as refused:
        swaps.offer(db.session, roster.anna, anna_mon.id, trade_shift_id=cai_wed.id, ctx=CTX)
    text = str(refused.value)
    assert "H3 availability" in text
    assert "Cai" in text
    assert "Mon" in text
    # A legal one goes through, with its objective change recorded.
    req = swaps.offer(db.session, roster.bo, bo_thu.id, to_person_id=roster.cai.id, ctx=CTX)
    assert req.objective_delta is not None


def test_only_colleagues_who_may_legally_take_it_are_offered_it(db, roster, create_person) -> None:
    bo_thu = row(db, roster, "desk-thu-08", roster.bo)
    req = swaps.offer(db.session, roster.bo, bo_thu.id, ctx=CTX)  # to anyone qualified
    assert req.target_id is None
    from scheduler.rostering.published_changes import published_roster

    legal = swaps.takers(
        db.session, published_roster(db.session, roster.period), req.shift_id, roster.bo.id
    )
    assert {c.person.id for c in legal} == {roster.anna.id, roster.cai.id}
    assert [c.check.delta for c in legal] == sorted(c.check.delta for c in legal)
    assert req.id in [r.id for r in swaps.offers_for(db.session, roster.cai)]
    assert req.id not in [r.id for r in swaps.offers_for(db.session, roster.bo)]
    # Someone in the pool who may not take it (no desk skill) is not offered it.
    dee = create_person(
        Role.FIRST_LINE, name="Dee", skills=["chat"], libraries=[roster.period.library]
    )
    assert req.id not in [r.id for r in swaps.offers_for(db.session, dee)]
    # Nor is an administrator, who is in no pool.
    assert swaps.offers_for(db.session, create_person(Role.ADMIN)) == []


def test_a_second_open_request_for_the_same_shift_is_refused(db, roster) -> None:
    bo_thu = row(db, roster, "desk-thu-08", roster.bo)
    swaps.offer(db.session, roster.bo, bo_thu.id, ctx=CTX)
    with pytest.raises(Conflict) as second:
        swaps.offer(db.session, roster.bo, bo_thu.id, to_person_id=roster.cai.id, ctx=CTX)
    assert "already has an open request" in str(second.value)
    assert len(list(db.session.scalars(select(StaffRequest.id)))) == 1


def test_only_the_holder_may_offer_and_only_the_named_colleague_may_accept(db, roster) -> None:
    bo_thu = row(db, roster, "desk-thu-08", roster.bo)
    with pytest.raises(Forbidden):
        swaps.offer(db.session, roster.anna, bo_thu.id, ctx=CTX)
    req = swaps.offer(db.session, roster.bo, bo_thu.id, to_person_id=roster.cai.id, ctx=CTX)
    with pytest.raises(Forbidden):
        swaps.accept(db.session, roster.anna, req.id, ctx=CTX)
    with pytest.raises(Forbidden):
        approvals.approve(db.session, roster.anna, req.id, ctx=CTX)


def test_a_shift_that_changed_since_the_offer_cannot_be_accepted(db, roster) -> None:
    from scheduler.rostering import edits
    from scheduler.rostering.publish import publish

    bo_thu = row(db, roster, "desk-thu-08", roster.bo)
    req = swaps.offer(db.session, roster.bo, bo_thu.id, to_person_id=roster.cai.id, ctx=CTX)
    db.session.commit()
    # The leader takes Bo off Thursday and publishes.
    a = roster.assignment(db, "desk-thu-08", roster.bo)
    edits.remove_assignment(db.session, roster.period, a.id, actor=roster.leader)
    publish(db.session, roster.period, actor=roster.leader)
    db.session.commit()
    with pytest.raises(Conflict) as changed:
        swaps.accept(db.session, roster.cai, req.id, ctx=CTX)
    assert "has changed since the request was made" in str(changed.value)
    db.session.rollback()
    assert db.session.get(StaffRequest, req.id).status == RequestStatus.OFFERED


def test_approving_a_request_whose_shift_changed_since_changes_nothing(db, roster) -> None:
    bo_thu = row(db, roster, "desk-thu-08", roster.bo)
    anna_mon = row(db, roster, "desk-mon-08", roster.anna)
    # Two requests on Bo's Thursday: Anna trades for it, and Bo gives it to Cai.
    trade = swaps.offer(db.session, roster.anna, anna_mon.id, trade_shift_id=bo_thu.id, ctx=CTX)
    give = swaps.offer(db.session, roster.bo, bo_thu.id, to_person_id=roster.cai.id, ctx=CTX)
    swaps.accept(db.session, roster.bo, trade.id, ctx=CTX)
    swaps.accept(db.session, roster.cai, give.id, ctx=CTX)
    approvals.approve(db.session, roster.leader, trade.id, ctx=CTX)
    db.session.commit()
    before = confirmed(db, roster.cai)
    with pytest.raises(Conflict) as late:
        approvals.approve(db.session, roster.leader, give.id, ctx=CTX)
    assert "trade_shift" in late.value.fields or "shift" in late.value.fields
    assert "has changed since" in str(late.value)
    db.session.rollback()
    assert confirmed(db, roster.cai) == before
    assert db.session.get(StaffRequest, give.id).status == RequestStatus.PENDING
    # Approving the same request twice: the second is told it is decided.
    with pytest.raises(Conflict) as twice:
        approvals.approve(db.session, roster.leader, trade.id, ctx=CTX)
    assert "already been approved by Lea Leader" in str(twice.value)


def test_a_declined_swap_changes_nothing_and_tells_both(db, roster) -> None:
    bo_thu = row(db, roster, "desk-thu-08", roster.bo)
    req = swaps.offer(db.session, roster.bo, bo_thu.id, to_person_id=roster.cai.id, ctx=CTX)
    swaps.accept(db.session, roster.cai, req.id, ctx=CTX)
    with pytest.raises(InputError):
        approvals.decline(db.session, roster.leader, req.id, reason="  ", ctx=CTX)
    sent = mail_count(db)
    before = confirmed(db, roster.bo)
    req = approvals.decline(db.session, roster.leader, req.id, reason="Cai is new", ctx=CTX)
    assert req.status == RequestStatus.DECLINED
    assert confirmed(db, roster.bo) == before
    new = mails_since(db, sent)
    assert sorted(m.to_address for m in new) == ["bo@uni.example", "cai@uni.example"]
    assert all("Cai is new" in m.body_text for m in new)


def test_swaps_within_the_librarys_limit_approve_themselves(db, roster) -> None:
    db.session.add(
        SelfServiceSettings(
            library_id=roster.period.library_id,
            auto_approve_swaps=True,
            auto_approve_max_worsening=10_000,
        )
    )
    bo_thu = row(db, roster, "desk-thu-08", roster.bo)
    req = swaps.offer(db.session, roster.bo, bo_thu.id, to_person_id=roster.cai.id, ctx=CTX)
    req = swaps.accept(db.session, roster.cai, req.id, ctx=CTX)
    assert req.status == RequestStatus.APPROVED
    assert req.auto_approved is True
    assert req.decided_by_id is None
    thu = roster.shifts["desk-thu-08"]
    assert (thu.starts_at, roster.desk.id) in confirmed(db, roster.cai)


def test_swaps_worse_than_the_limit_wait_for_the_leader(db, roster) -> None:
    db.session.add(
        SelfServiceSettings(
            library_id=roster.period.library_id,
            auto_approve_swaps=True,
            auto_approve_max_worsening=0,
        )
    )
    # Cai would rather not work Thursday morning (a roster wish): taking it is legal
    # but worsens the objective.
    thu = roster.shifts["desk-thu-08"]
    db.session.add(
        RosterPreference(
            person_id=roster.cai.id, starts_at=thu.starts_at, ends_at=thu.ends_at, weight=5
        )
    )
    bo_thu = row(db, roster, "desk-thu-08", roster.bo)
    req = swaps.offer(db.session, roster.bo, bo_thu.id, to_person_id=roster.cai.id, ctx=CTX)
    assert req.objective_delta > 0
    req = swaps.accept(db.session, roster.cai, req.id, ctx=CTX)
    assert req.status == RequestStatus.PENDING
    assert req.auto_approved is False


def test_a_past_shift_cannot_be_offered(db, create_library, create_person) -> None:
    from datetime import timedelta

    from scheduler.models import PublishedShift

    roster = published_roster_world(db, create_library, create_person)
    shifted = row(db, roster, "desk-thu-08", roster.bo)
    week = timedelta(weeks=4)
    r = db.session.get(PublishedShift, shifted.id)
    r.starts_at -= week
    r.ends_at -= week
    db.session.commit()
    with pytest.raises(InputError) as past:
        swaps.offer(db.session, roster.bo, r.id, ctx=CTX)
    assert "has already started" in str(past.value)


def test_a_withdrawn_offer_frees_the_shift_for_a_new_one(db, roster) -> None:
    bo_thu = row(db, roster, "desk-thu-08", roster.bo)
    first = swaps.offer(db.session, roster.bo, bo_thu.id, ctx=CTX)
    assert approvals.withdraw(db.session, roster.bo, first.id).status == RequestStatus.WITHDRAWN
    second = swaps.offer(db.session, roster.bo, bo_thu.id, to_person_id=roster.cai.id, ctx=CTX)
    assert second.status == RequestStatus.OFFERED
    with pytest.raises(Conflict):  # a withdrawn offer cannot be accepted
        swaps.accept(db.session, roster.cai, first.id, ctx=CTX)
