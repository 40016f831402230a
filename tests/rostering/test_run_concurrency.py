"""Two simultaneous "Generate" requests for one period start exactly one run.

Each request gets its own session and connection, and both pass their Python check
before either commits; only the database's unique index can then keep the second out.
On PostgreSQL the second insert waits for the first transaction and then fails; on
SQLite the write transactions are serialised.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.extensions import db as _db
from scheduler.models import Job, Person, Role, RosterPeriod, RosterRun
from scheduler.rostering import runs
from tests.factories import acting_admin


def _race(
    app, period_id: int, admin_id: int, barrier: threading.Barrier, outcomes: list[str]
) -> None:
    with app.app_context():
        session = Session(_db.engine)
        try:
            barrier.wait(10)  # released together (SQLite then serialises the two)
            period = session.get(RosterPeriod, period_id)
            assert period is not None
            actor = session.get(Person, admin_id)  # read in this thread's own session
            runs.start_run(session, period, time_limit=5, actor=actor)
            session.commit()
            outcomes.append("started")
        except runs.RunError:
            session.rollback()
            outcomes.append("refused")
        finally:
            session.close()


def test_two_simultaneous_starts_make_one_run(app, db, world, fake_engine, monkeypatch) -> None:
    # Both requests see an idle period, as two requests arriving together would.
    monkeypatch.setattr(runs, "active_job", lambda session, period: None)
    admin_id = acting_admin().id
    db.session.commit()  # the threads' own sessions must see the admin, and not wait for us
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    threads = [
        threading.Thread(target=_race, args=(app, world.period.id, admin_id, barrier, outcomes))
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["refused", "started"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(RosterRun)) == 1
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1


def _post(url: str, cookie: str) -> int:
    req = urllib.request.Request(
        url,
        data=urllib.parse.urlencode({"time_limit": "5"}).encode(),
        method="POST",
        headers={"Cookie": cookie},
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status  # the redirect to the progress page was followed
    except urllib.error.HTTPError as exc:
        return exc.code


def test_simultaneous_requests_through_the_web(
    app, db, world, fake_engine, create_person, client, login, live_server
) -> None:
    """Ten real HTTP requests at once on a threaded server: one run, nine refusals."""
    leader = create_person(Role.SECTION_LEADER, libraries=[world.library])
    login(leader)
    name = app.config["SESSION_COOKIE_NAME"]  # __Host-session: PUBLIC_URL is https here
    cookie = f"{name}={client.get_cookie(name).value}"
    db.session.commit()  # the server's requests must see the leader (and not wait for us)
    url = f"{live_server}/staff/roster/periods/{world.period.id}/runs"
    barrier = threading.Barrier(10)

    def call() -> int:
        barrier.wait(10)
        return _post(url, cookie)

    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = sorted(pool.map(lambda _: call(), range(10)))
    assert codes == [200] + [409] * 9
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(RosterRun)) == 1


def test_a_start_waits_for_an_edit_in_progress(app, db, world, fake_engine) -> None:
    """An edit that checked nothing runs holds the period until it commits, so the
    solver can never read the roster in the middle of the edit."""
    checked, events = threading.Event(), []
    period_id = world.period.id
    admin_id = acting_admin().id
    db.session.commit()  # the test holds no transaction while the two run

    def edit() -> None:
        with app.app_context():
            session = Session(_db.engine)
            runs.assert_not_running(session.get(RosterPeriod, period_id))
            checked.set()
            time.sleep(0.5)  # the edit takes a while
            events.append("edit committed")
            session.commit()
            session.close()

    def start() -> None:
        checked.wait(10)
        with app.app_context():
            session = Session(_db.engine)
            runs.start_run(
                session,
                session.get(RosterPeriod, period_id),
                time_limit=5,
                actor=session.get(Person, admin_id),
            )
            session.commit()
            events.append("run started")
            session.close()

    threads = [threading.Thread(target=edit), threading.Thread(target=start)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert events == ["edit committed", "run started"]
