"""Two tries at one password link at the same moment: one sets the password, the other
is told the link is used (real concurrent requests, SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from scheduler import accounts
from scheduler.models import LinkPurpose, Role
from scheduler.site import Site

PASSWORDS = ["velvet tractor minnow lantern", "copper meadow falcon ribbon"]


@pytest.fixture
def app_config(app_config):
    app_config["SQLITE_BUSY_TIMEOUT"] = 60
    return app_config


@pytest.mark.slow
def test_only_one_of_two_simultaneous_tries_uses_the_link(live_server, db, create_person) -> None:
    person = create_person(Role.LIBRARIAN, email="kari@uni.example")
    issued = accounts.issue_link(db.session, person, LinkPurpose.SET, Site())
    db.session.commit()
    barrier = threading.Barrier(len(PASSWORDS))

    def attempt(password: str) -> int:
        barrier.wait()
        response = httpx.post(
            f"{live_server}/account/password/{issued.token}",
            data={"new_password": password, "repeat": password},
            timeout=120,
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=len(PASSWORDS)) as pool:
        codes = list(pool.map(attempt, PASSWORDS))
    assert sorted(codes) == [302, 410]
    winner = PASSWORDS[codes.index(302)]
    db.session.rollback()
    person = accounts.find_by_email(db.session, "kari@uni.example")
    assert accounts.verify_password(person.password_hash, winner)
    assert not accounts.verify_password(person.password_hash, PASSWORDS[codes.index(410)])
