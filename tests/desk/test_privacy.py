"""Free text is forgotten after the retention period, unless a leader vouched for it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler.desk.privacy import mark_anonymised, purge_desk_text
from scheduler.errors import Forbidden
from tests.desk.conftest import NOW


def test_old_free_text_is_purged_and_the_count_stays(db, world, add_inquiry) -> None:
    old = add_inquiry(world, NOW - timedelta(days=91), description="Ola's tax card", reflection="r")
    kept = add_inquiry(world, NOW - timedelta(days=91), description="How to print A3")
    kept.anonymised = True
    recent = add_inquiry(world, NOW - timedelta(days=89), description="Recent")
    db.session.flush()

    assert purge_desk_text(db.session, NOW, retention_days=90) == 1

    db.session.refresh(old)
    db.session.refresh(kept)
    db.session.refresh(recent)
    assert (old.description, old.reflection, old.text_purged_at) == (None, None, NOW)
    assert old.duration is not None  # the entry itself stays
    assert kept.description == "How to print A3"
    assert recent.description == "Recent"
    # Running again finds nothing more to do.
    assert purge_desk_text(db.session, NOW, retention_days=90) == 0


def test_only_the_librarys_leader_marks_text_anonymised(db, world, add_inquiry) -> None:
    inquiry = add_inquiry(world, NOW, description="Where is the toilet?")
    db.session.flush()
    with pytest.raises(Forbidden):
        mark_anonymised(db.session, world.staff, inquiry, True)
    with pytest.raises(Forbidden):
        mark_anonymised(db.session, world.other_leader, inquiry, True)
    mark_anonymised(db.session, world.leader, inquiry, True)
    assert inquiry.anonymised


def test_the_purge_command_forgets_desk_text_too(db, world, add_inquiry, runner) -> None:
    from scheduler.timeutil import utcnow

    old = add_inquiry(world, utcnow() - timedelta(days=200), description="Named someone")
    db.session.commit()
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    db.session.refresh(old)
    assert old.description is None


def test_the_upkeep_schedules_purge_task_forgets_desk_text(db, world, add_inquiry, runner) -> None:
    from scheduler.timeutil import utcnow

    old = add_inquiry(world, utcnow() - timedelta(days=120), reflection="Named someone")
    db.session.commit()
    result = runner.invoke(args=["upkeep", "--task", "purge"])
    assert result.exit_code == 0, result.output
    assert "desk_texts: 1" in result.output
    db.session.refresh(old)
    assert old.reflection is None
