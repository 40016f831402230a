"""After the retention period the scheduled purge leaves nothing personal behind: not in
any table, not in any file of the instance folder (the stored e-mails, written for the
server's user only, are deleted too)."""

from __future__ import annotations

import os
import stat
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from scheduler.booking.appointments import book as svc
from scheduler.booking.dropins.registrations import Registrant, register
from scheduler.jobs.runner import run_pending
from scheduler.models import Base, DropInSession, Job, JobState, UpkeepRun
from scheduler.timeutil import utcnow
from scheduler.upkeep.runner import run_due
from tests.booking.appointments.helpers import NOW, TUESDAY, at

# What the patron and the registrant told us; none of it may survive the retention.
PERSONAL = [
    "ola.personal@uni.example",
    "Ola Personal",
    "CINAHL and my thesis on fjords",
    "randi.personal@uni.example",
    "Randi Personal",
    "fjord sediments",
]


@pytest.fixture
def nightly_purge(schedule) -> None:
    schedule(purge="daily 03:00")


def _everything_in_the_database(db) -> str:
    db.session.rollback()  # a fresh look, not this session's earlier snapshot
    dump = []
    for table in Base.metadata.sorted_tables:
        for row in db.session.execute(select(table)).all():
            dump.append(repr(tuple(row)))
    db.session.rollback()
    return "\n".join(dump)


def _everything_in_the_instance_folder(folder: Path) -> str:
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in folder.rglob("*") if p.is_file()
    )


def test_nothing_personal_is_left_after_the_retention(
    nightly_purge, app, db, site, librarian, request_for, create_library
) -> None:
    booked = svc.book(
        db.session,
        request_for(
            librarian,
            at(TUESDAY, 9),
            name="Ola Personal",
            email="ola.personal@uni.example",
            message="CINAHL and my thesis on fjords",
        ),
        site=site,
    ).appointment
    dropin = DropInSession(
        library=create_library(),
        title="Searching the literature",
        starts_at=NOW + timedelta(days=3),
        ends_at=NOW + timedelta(days=3, hours=1),
        registration_required=True,
        question="What are you working on?",
        hosts=[librarian],
    )
    db.session.add(dropin)
    db.session.flush()
    register(
        db.session,
        [dropin.id],
        Registrant("Randi Personal", "randi.personal@uni.example", answer="fjord sediments"),
        site=site,
        now=NOW,
    )
    db.session.commit()
    assert run_pending(app) >= 2  # the confirmations are written to the outbox

    instance = Path(app.instance_path)
    files = list((instance / "outbox").glob("*.eml"))
    assert len(files) >= 2
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path  # the server's user only
    assert "ola.personal@uni.example" in _everything_in_the_instance_folder(instance)
    assert "randi.personal@uni.example" in _everything_in_the_database(db)
    sent_to = [j.result for j in db.session.scalars(select(Job)) if j.state == JobState.DONE]
    assert any("personal@uni.example" in str(r) for r in sent_to)  # jobs quote them too

    with time_machine.travel(NOW, tick=False):
        assert run_due(app) == []  # the purge is due at 03:00 tonight, not now

    # 180 days (RETENTION_DAYS) after both ended, the nightly purge forgets them.
    after = max(booked.ends_at, dropin.ends_at) + timedelta(days=181)
    with time_machine.travel(after.replace(hour=2, minute=30), tick=False):
        (ran,) = run_due(app)
    assert ran.task == "purge", ran
    assert ran.outcome == "ok"
    assert ran.counts["appointments"] == 1
    assert ran.counts["registrations"] == 1
    assert ran.counts["files"] == len(files)
    assert ran.counts["emails"] >= 2

    database = _everything_in_the_database(db)
    folder = _everything_in_the_instance_folder(instance)
    for text in PERSONAL:
        assert text not in database, f"{text!r} is still in the database"
        assert text not in folder, f"{text!r} is still in the instance folder"
    assert list((instance / "outbox").glob("*.eml")) == []
    # The rows stay for the statistics; the run is recorded.
    assert db.session.scalar(select(UpkeepRun.outcome).where(UpkeepRun.task == "purge")) == "ok"
    assert utcnow() < after  # (the clock is real again)


def test_the_purge_command_deletes_old_outbox_files_too(app, db, runner) -> None:
    outbox = Path(app.instance_path) / "outbox"
    outbox.mkdir(parents=True)
    old = outbox / "00000001.eml"
    old.write_text("To: someone@uni.example\n")
    os.utime(old, (time.time() - 3 * 86400,) * 2)
    recent = outbox / "00000002.eml"  # written before files were made private
    recent.write_text("To: someone.else@uni.example\n")
    recent.chmod(0o644)
    result = runner.invoke(args=["purge", "--days", "2"])
    assert result.exit_code == 0, result.output
    assert "(files: 1)" in result.output
    assert not old.exists()
    assert stat.S_IMODE(recent.stat().st_mode) == 0o600
