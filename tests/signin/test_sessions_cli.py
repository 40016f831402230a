"""``scheduler sessions end``: an operator signs one person, or everyone, out."""

from __future__ import annotations

from sqlalchemy import func, select

from scheduler.models import Role, StaffSession
from scheduler.signin import sessions
from scheduler.signin.policy import SessionPolicy


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(StaffSession))


def test_end_one_persons_sessions_then_everyones(db, client, runner, create_person, login):
    kari = create_person(Role.LIBRARIAN, email="kari@uni.example")
    other = create_person(Role.LIBRARIAN)
    login(kari)
    sessions.start(db.session, kari, SessionPolicy(), sessions.Device())  # her phone
    sessions.start(db.session, other, SessionPolicy(), sessions.Device())
    db.session.commit()

    result = runner.invoke(args=["sessions", "end", "--email", "Kari@uni.example"])
    assert result.exit_code == 0, result.output
    assert "Ended 2 sessions." in result.output
    assert client.get("/staff/").status_code == 302
    assert _count(db) == 1

    result = runner.invoke(args=["sessions", "end", "--all"])
    assert "Ended 1 session." in result.output
    assert _count(db) == 0


def test_bad_arguments_exit_2(runner, create_person) -> None:
    unknown = runner.invoke(args=["sessions", "end", "--email", "nobody@uni.example"])
    assert unknown.exit_code == 2
    assert "--email: no person with e-mail 'nobody@uni.example'" in unknown.output
    neither = runner.invoke(args=["sessions", "end"])
    assert neither.exit_code == 2
    assert "either --email or --all" in neither.output
