"""The sign-in page under guessing: 429 with Retry-After, the same answer for the right
and the wrong password while locked, and every concurrent failure counted."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
import time_machine
from sqlalchemy import select

from scheduler.models import OutboundEmail, SignInThrottle
from scheduler.timeutil import utcnow
from tests.factories import TEST_PASSWORD

EN = {"Accept-Language": "en"}


def _sign_in(client, password: str, email: str = "kari@uni.example"):
    return client.post("/sign-in", data={"email": email, "password": password}, headers=EN)


@pytest.fixture
def app_config(app_config):
    # No waiting between failures here: only the lock (the use case tests cover the delay).
    app_config.update(SIGN_IN_SLOW_AFTER=100, SIGN_IN_LOCK_AFTER=3, SIGN_IN_LOCK_MINUTES=15)
    # Concurrent sign-ins on SQLite wait for the write lock one after another.
    app_config["SQLITE_BUSY_TIMEOUT"] = 120
    return app_config


def test_locked_sign_in_answers_429_with_retry_after_whatever_the_password(
    client, db, create_person
) -> None:
    create_person(email="kari@uni.example")
    codes = [_sign_in(client, "wrong wrong wrong").status_code for _ in range(3)]
    assert codes == [401, 401, 401]
    right = _sign_in(client, TEST_PASSWORD)
    wrong = _sign_in(client, "wrong wrong wrong")
    for response in (right, wrong):
        assert response.status_code == 429
        assert 890 <= int(response.headers["Retry-After"]) <= 900
        assert "Sign-in is locked for 15 minutes." in response.get_data(as_text=True)
    assert right.get_data() == wrong.get_data()
    assert client.get("/staff/").status_code == 302
    # One e-mail to the owner, sent with the failure that locked (whose answer is a 401).
    letters = db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.to_address == "kari@uni.example")
    ).all()
    assert len(letters) == 1
    with time_machine.travel(utcnow() + timedelta(minutes=15, seconds=1)):
        assert _sign_in(client, TEST_PASSWORD).status_code == 302


@pytest.mark.slow
def test_concurrent_failures_all_count(app, live_server, db, create_person) -> None:
    """Real concurrent requests: each 401 is one counted failure, and the lock (and its
    e-mail) happens once. (On SQLite sign-ins queue for the write lock, Argon2 and all.)"""
    create_person(email="kari@uni.example")
    db.session.commit()
    app.config["SIGN_IN_LOCK_AFTER"] = 1000

    def attempt(_n: int) -> int:
        response = httpx.post(
            f"{live_server}/sign-in",
            data={"email": "kari@uni.example", "password": "wrong wrong wrong"},
            timeout=60,
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(attempt, range(12)))
    assert codes == [401] * 12
    db.session.rollback()  # a fresh transaction sees the requests' commits
    row = db.session.scalar(select(SignInThrottle))
    assert row.failures == 12

    app.config["SIGN_IN_LOCK_AFTER"] = 15
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(attempt, range(8)))
    assert codes.count(401) >= 3
    db.session.rollback()  # a fresh transaction sees the requests' commits
    row = db.session.scalar(select(SignInThrottle))
    assert row.locked_until is not None
    letters = db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.to_address == "kari@uni.example")
    ).all()
    assert len(letters) == 1
