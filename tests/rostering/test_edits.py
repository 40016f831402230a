"""Manual edits: each hard rule an edit breaks is named, refused, or kept with a reason."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from scheduler.errors import InputError
from scheduler.models import Assignment, AssignmentSource, AuditEntry
from scheduler.rostering import edits
from scheduler.rostering.edits import EditRefused
from scheduler.rostering.runs import RunError
from tests.factories import acting_admin
from tests.rostering.review_data import make_roster, running_job


@pytest.fixture
def roster(db, create_library, create_person):
    return make_roster(db, create_library, create_person)


def count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Assignment))


def refused_add(db, roster, key, person) -> EditRefused:
    before = count(db)
    with pytest.raises(EditRefused) as caught:
        edits.add_assignment(
            db.session,
            roster.period,
            shift_id=roster.shifts[key].id,
            person_id=person.id,
            actor=roster.leader,
        )
    assert count(db) == before, "a refused edit changes nothing"
    return caught.value


def test_a_valid_add_is_kept_as_manual(db, roster) -> None:
    result = edits.add_assignment(
        db.session,
        roster.period,
        shift_id=roster.shifts["desk-thu-08"].id,
        person_id=roster.bo.id,
        actor=roster.leader,
    )
    assert result.violations == []
    assert not result.overridden
    assert result.assignment.source == AssignmentSource.MANUAL
    assert result.assignment.override_reason is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "roster.edit"))
    assert entry.details["op"] == "add"
    assert entry.actor_id == roster.leader.id


def test_h1_too_many_people(db, roster) -> None:
    exc = refused_add(db, roster, "desk-tue-08", roster.anna)
    assert exc.rules == ["H1"]
    assert "H1 headcount" in str(exc)
    assert "at most 1 may work it" in str(exc)


def test_h2_two_places_at_once(db, roster) -> None:
    exc = refused_add(db, roster, "remote-mon-08", roster.anna)
    assert "H2" in exc.rules
    assert "Anna holds two shifts at once" in str(exc)


def test_h3_absent(db, roster) -> None:
    exc = refused_add(db, roster, "remote-mon-10", roster.cai)
    assert exc.rules == ["H3"]
    assert "Cai is unavailable" in str(exc)


def test_h4_missing_skill(db, roster) -> None:
    exc = refused_add(db, roster, "remote-mon-13", roster.bo)
    assert exc.rules == ["H4"]
    assert "Bo lacks chat" in str(exc)


def test_h5_not_first_line(db, roster) -> None:
    exc = refused_add(db, roster, "desk-thu-08", roster.librarian)
    assert exc.rules == ["H5"]
    assert "Dee Librarian is not in this library's first-line pool" in str(exc)


def test_h6_too_few_weekly_hours(db, roster) -> None:
    a = roster.assignment(db, "desk-wed-10", roster.cai)
    with pytest.raises(EditRefused) as caught:
        edits.remove_assignment(db.session, roster.period, a.id, actor=roster.leader)
    assert caught.value.rules == ["H6"]
    assert "Cai works 2 h in week 1" in str(caught.value)
    assert db.session.get(Assignment, a.id) is not None


def test_h7_daily_hours(db, roster) -> None:
    exc = refused_add(db, roster, "remote-mon-13", roster.anna)
    assert exc.rules == ["H7"]
    assert "at most 4 h a day" in str(exc)


def test_h8_no_break(db, roster) -> None:
    exc = refused_add(db, roster, "remote-tue-12", roster.bo)
    assert exc.rules == ["H8"]
    assert "without a 15-minute break" in str(exc)


def test_improving_a_short_shift_is_not_blamed(db, roster) -> None:
    """A shift already short stays short after adding one: better, so not refused."""
    shift = roster.shifts["desk-thu-08"]
    shift.min_staff, shift.max_staff = 2, 2
    db.session.flush()
    result = edits.add_assignment(
        db.session, roster.period, shift_id=shift.id, person_id=roster.bo.id, actor=roster.leader
    )
    assert result.violations == []


def test_override_keeps_the_edit_and_logs_the_reason(db, roster) -> None:
    result = edits.add_assignment(
        db.session,
        roster.period,
        shift_id=roster.shifts["remote-mon-13"].id,
        person_id=roster.anna.id,
        actor=roster.leader,
        override_reason="  Anna asked for the extra hours  ",
    )
    assert result.overridden
    assert [v.rule for v in result.violations] == ["H7"]
    assert result.assignment.override_reason == "Anna asked for the extra hours"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "roster.override"))
    assert entry.reason == "Anna asked for the extra hours"
    assert entry.actor_id == roster.leader.id
    assert entry.subject == f"roster_period:{roster.period.id}"
    assert entry.details["violations"][0]["rule"] == "H7"


def test_a_blank_reason_is_no_override(db, roster) -> None:
    with pytest.raises(EditRefused):
        edits.add_assignment(
            db.session,
            roster.period,
            shift_id=roster.shifts["remote-mon-13"].id,
            person_id=roster.anna.id,
            actor=roster.leader,
            override_reason="   ",
        )


def test_move_to_another_shift(db, roster) -> None:
    a = roster.assignment(db, "desk-wed-10", roster.cai)
    result = edits.move_assignment(
        db.session,
        roster.period,
        a.id,
        actor=roster.leader,
        to_shift_id=roster.shifts["desk-thu-08"].id,
    )
    assert result.violations == []
    assert a.shift_id == roster.shifts["desk-thu-08"].id
    assert a.person_id == roster.cai.id


def test_move_to_another_person_that_breaks_a_rule(db, roster) -> None:
    a = roster.assignment(db, "desk-mon-08", roster.anna)
    with pytest.raises(EditRefused) as caught:
        edits.move_assignment(
            db.session, roster.period, a.id, actor=roster.leader, to_person_id=roster.bo.id
        )
    assert caught.value.rules == ["H6"]  # Anna drops to 2 h that week
    assert a.person_id == roster.anna.id


def test_pin_and_unpin_are_logged(db, roster) -> None:
    a = roster.assignment(db, "desk-mon-08", roster.anna)
    edits.set_pinned(db.session, roster.period, a.id, True, actor=roster.leader)
    assert a.pinned
    changed = edits.set_pins(db.session, roster.period, [], actor=roster.leader)
    assert changed == 1
    assert not a.pinned
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["roster.pin", "roster.unpin"]


def test_no_edit_while_a_run_is_active(db, roster) -> None:
    running_job(db, roster.period)
    a = roster.assignment(db, "desk-mon-08", roster.anna)
    with pytest.raises(RunError, match="solver is working on this roster"):
        edits.add_assignment(
            db.session,
            roster.period,
            shift_id=roster.shifts["desk-thu-08"].id,
            person_id=roster.bo.id,
            actor=roster.leader,
        )
    with pytest.raises(RunError):
        edits.remove_assignment(db.session, roster.period, a.id, actor=roster.leader)
    with pytest.raises(RunError):
        edits.set_pinned(db.session, roster.period, a.id, True, actor=roster.leader)
    assert count(db) == 6
    assert not a.pinned


def test_bad_input_names_the_field(db, roster, create_person) -> None:
    with pytest.raises(InputError, match="shift: is not a shift of this roster period"):
        edits.add_assignment(
            db.session, roster.period, shift_id=99999, person_id=roster.bo.id, actor=acting_admin()
        )
    with pytest.raises(InputError, match="person: is already on this shift"):
        edits.add_assignment(
            db.session,
            roster.period,
            shift_id=roster.shifts["desk-mon-08"].id,
            person_id=roster.anna.id,
            actor=acting_admin(),
        )
    with pytest.raises(InputError, match="override_reason: is too long"):
        edits.add_assignment(
            db.session,
            roster.period,
            shift_id=roster.shifts["remote-mon-13"].id,
            person_id=roster.anna.id,
            actor=acting_admin(),
            override_reason="x" * 1001,
        )
