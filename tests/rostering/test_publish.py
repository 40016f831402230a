"""Publishing: rows kept, moved, cancelled and re-confirmed; e-mails only to those affected."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from scheduler.errors import InputError
from scheduler.models import (
    Assignment,
    AuditEntry,
    OutboundEmail,
    PeriodStatus,
    PublishedShift,
    PublishedShiftStatus,
    Shift,
)
from scheduler.rostering import edits
from scheduler.rostering.publish import compare, publish
from scheduler.rostering.runs import RunError
from tests.rostering.review_data import make_roster, next_monday, running_job


@pytest.fixture
def roster(db, create_library, create_person):
    return make_roster(db, create_library, create_person)


def rows(db, person=None) -> list[PublishedShift]:
    query = select(PublishedShift).order_by(PublishedShift.starts_at, PublishedShift.id)
    if person is not None:
        query = query.where(PublishedShift.person_id == person.id)
    return list(db.session.scalars(query))


def mails(db) -> list[OutboundEmail]:
    return list(db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id)))


def test_first_publish_creates_rows_and_tells_everyone(db, roster) -> None:
    result = publish(
        db.session, roster.period, actor=roster.leader, my_shifts_url="https://x/my-shifts"
    )
    assert result.version == 1
    assert roster.period.status == PeriodStatus.PUBLISHED
    assert roster.period.published_at is not None
    published = rows(db)
    assert len(published) == 6
    assert {r.status for r in published} == {PublishedShiftStatus.CONFIRMED}
    assert {r.sequence for r in published} == {0}
    assert [(r.starts_at, r.person_id) for r in rows(db, roster.anna)] == [
        (roster.shifts["desk-mon-08"].starts_at, roster.anna.id),
        (roster.shifts["desk-mon-10"].starts_at, roster.anna.id),
    ]
    assert sorted(m.to_address for m in mails(db)) == [
        "anna@uni.example",
        "bo@uni.example",
        "cai@uni.example",
    ]
    anna = next(m for m in mails(db) if m.to_address == "anna@uni.example")
    assert "mandag 4. januar 2027, 08:00–10:00, Information desk" in anna.body_text
    assert "https://x/my-shifts" in anna.body_text
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "roster.publish"))


def test_republish_without_changes_keeps_rows_and_sends_nothing(db, roster) -> None:
    publish(db.session, roster.period, actor=roster.leader)
    before = [(r.id, r.sequence, r.status) for r in rows(db)]
    sent = len(mails(db))
    result = publish(db.session, roster.period, actor=roster.leader)
    assert result.version == 2
    assert result.notified == []
    assert [(r.id, r.sequence, r.status) for r in rows(db)] == before
    assert len(mails(db)) == sent


def test_republish_moves_cancels_and_tells_only_those_changed(db, roster) -> None:
    publish(db.session, roster.period, actor=roster.leader)
    anna_rows = {r.starts_at: r.id for r in rows(db, roster.anna)}
    cai_before = [(r.id, r.sequence) for r in rows(db, roster.cai)]
    sent = len(mails(db))
    # Anna moves from the desk to chat at the same time (a move, same day); Bo loses a
    # shift (cancelled). Both break H1 at the desk, kept with a reason.
    a = roster.assignment(db, "desk-mon-10", roster.anna)
    edits.move_assignment(
        db.session,
        roster.period,
        a.id,
        actor=roster.leader,
        to_shift_id=roster.shifts["remote-mon-10"].id,
        override_reason="chat queue is long",
    )
    b = roster.assignment(db, "desk-tue-10", roster.bo)
    edits.remove_assignment(
        db.session, roster.period, b.id, actor=roster.leader, override_reason="Bo on a course"
    )
    diff = compare(db.session, roster.period)
    assert diff.counts == {"added": 0, "removed": 1, "moved": 1, "kept": 4}

    result = publish(db.session, roster.period, actor=roster.leader)
    assert sorted(result.notified) == sorted([roster.anna.id, roster.bo.id])
    new_mails = mails(db)[sent:]
    assert sorted(m.to_address for m in new_mails) == ["anna@uni.example", "bo@uni.example"]
    moved = db.session.get(PublishedShift, anna_rows[roster.shifts["desk-mon-10"].starts_at])
    assert moved.service_point_id == roster.remote.id
    assert moved.sequence == 1
    assert moved.status == PublishedShiftStatus.CONFIRMED
    cancelled = [r for r in rows(db, roster.bo) if r.status == PublishedShiftStatus.CANCELLED]
    assert len(cancelled) == 1
    assert cancelled[0].starts_at == roster.shifts["desk-tue-10"].starts_at
    assert cancelled[0].cancelled_at is not None
    assert cancelled[0].sequence == 1
    assert [(r.id, r.sequence) for r in rows(db, roster.cai)] == cai_before  # untouched
    bo_mail = next(m for m in new_mails if m.to_address == "bo@uni.example")
    assert "Cancelled:" in bo_mail.body_text or "Avlyst:" in bo_mail.body_text
    assert "have changed" in bo_mail.subject or "er endret" in bo_mail.subject

    # Bo gets the shift back: the cancelled row is confirmed again, same UID.
    edits.add_assignment(
        db.session,
        roster.period,
        shift_id=roster.shifts["desk-tue-10"].id,
        person_id=roster.bo.id,
        actor=roster.leader,
    )
    publish(db.session, roster.period, actor=roster.leader)
    again = db.session.get(PublishedShift, cancelled[0].id)
    assert again.status == PublishedShiftStatus.CONFIRMED
    assert again.cancelled_at is None
    assert again.sequence == 2


def test_mail_in_english_for_someone_who_chose_it(db, roster) -> None:
    roster.bo.locale = "en"
    publish(db.session, roster.period, actor=roster.leader)
    bo = next(m for m in mails(db) if m.to_address == "bo@uni.example")
    assert bo.subject == "Your shifts from 4 January 2027 are published"
    assert "Tuesday, 5 January 2027, 08:00–10:00, Information desk" in bo.body_text


def test_an_empty_roster_is_not_published(db, roster) -> None:
    db.session.execute(delete(Assignment))
    with pytest.raises(InputError, match="period: the roster is empty"):
        publish(db.session, roster.period, actor=roster.leader)
    assert roster.period.status == PeriodStatus.DRAFT
    assert roster.period.published_version == 0
    assert rows(db) == []
    assert mails(db) == []


def test_not_while_a_run_is_active(db, roster) -> None:
    running_job(db, roster.period)
    with pytest.raises(RunError):
        publish(db.session, roster.period, actor=roster.leader)
    assert rows(db) == []
    assert roster.period.status == PeriodStatus.DRAFT


def test_other_periods_rows_are_left_alone(db, roster) -> None:
    publish(db.session, roster.period, actor=roster.leader)
    other = PublishedShift(
        person_id=roster.anna.id,
        period_id=None,
        service_point_id=roster.desk.id,
        starts_at=roster.shifts["desk-thu-08"].starts_at,
        ends_at=roster.shifts["desk-thu-08"].ends_at,
    )
    db.session.add(other)
    db.session.flush()
    publish(db.session, roster.period, actor=roster.leader)
    assert other.status == PublishedShiftStatus.CONFIRMED
    assert db.session.scalar(select(func.count()).select_from(Shift)) == 11


def test_the_shift_feed_carries_published_shifts(
    app, db, client, create_library, create_person
) -> None:
    from icalendar import Calendar

    from scheduler.calendars import tokens

    roster = make_roster(db, create_library, create_person, monday=next_monday())

    publish(db.session, roster.period, actor=roster.leader)
    b = roster.assignment(db, "desk-tue-10", roster.bo)
    edits.remove_assignment(
        db.session, roster.period, b.id, actor=roster.leader, override_reason="Bo on a course"
    )
    publish(db.session, roster.period, actor=roster.leader)
    _row, token = tokens.issue_token(db.session, roster.bo, key=app.config["SECRET_KEY"])
    ids = {r.starts_at: r.id for r in rows(db, roster.bo)}
    response = client.get(f"/feeds/{token}/shifts.ics")
    assert response.status_code == 200
    events = {str(e["UID"]): e for e in Calendar.from_ical(response.data).walk("VEVENT")}
    kept = events[f"shift-{ids[roster.shifts['desk-tue-08'].starts_at]}@library.test"]
    gone = events[f"shift-{ids[roster.shifts['desk-tue-10'].starts_at]}@library.test"]
    assert str(kept["STATUS"]) == "CONFIRMED"
    assert "Information desk" in str(kept["SUMMARY"])
    assert int(kept["SEQUENCE"]) == 0
    assert str(gone["STATUS"]) == "CANCELLED"
    assert int(gone["SEQUENCE"]) == 1
    assert len(events) == 2  # only Bo's own shifts
