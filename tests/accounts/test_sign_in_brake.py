"""Guessing one account's password: slowed after 5 failures, locked for 15 minutes
after 10, the owner told by e-mail; the same for addresses without an account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from scheduler import accounts
from scheduler.accounts import SignInThrottled, ThrottleRules
from scheduler.models import AuditEntry, LinkPurpose, SignInThrottle
from tests.accounts.conftest import NOW, site_at
from tests.factories import TEST_PASSWORD

RULES = ThrottleRules(slow_after=5, lock_after=10, lock_minutes=15)


def _try(db, email: str, password: str, at):
    return accounts.authenticate(db.session, email, password, rules=RULES, site=site_at(at))


def _fail_until_locked(db, email: str) -> object:
    """Ten wrong passwords, each after the wait the brake asks for; the time after."""
    at = NOW
    for n in range(RULES.lock_after):
        if n >= RULES.slow_after:
            at += timedelta(seconds=2 ** (n - RULES.slow_after))
        assert _try(db, email, "wrong wrong wrong", at) is None
    return at


def test_after_five_failures_each_try_waits_twice_as_long(db, create_person) -> None:
    create_person(email="kari@uni.example")
    for _ in range(5):
        assert _try(db, "kari@uni.example", "wrong wrong wrong", NOW) is None
    with pytest.raises(SignInThrottled) as slowed:
        _try(db, "kari@uni.example", TEST_PASSWORD, NOW)  # right, but too soon
    assert (slowed.value.retry_after, slowed.value.locked, slowed.value.status) == (1, False, 429)
    assert _try(db, "kari@uni.example", "wrong wrong wrong", NOW + timedelta(seconds=1)) is None
    with pytest.raises(SignInThrottled) as slower:
        _try(db, "kari@uni.example", "wrong wrong wrong", NOW + timedelta(seconds=2))
    assert slower.value.retry_after == 1  # 2 s after the sixth failure at +1 s
    person = _try(db, "kari@uni.example", TEST_PASSWORD, NOW + timedelta(seconds=3))
    assert person is not None
    # Signing in clears the count.
    assert db.session.scalar(select(SignInThrottle)) is None


def test_ten_failures_lock_for_fifteen_minutes_and_tell_the_owner(db, create_person, mails) -> None:
    person = create_person(email="kari@uni.example")
    locked_at = _fail_until_locked(db, "kari@uni.example")
    # Locked: the right password gets the same answer as a wrong one.
    answers = []
    for password in (TEST_PASSWORD, "wrong wrong wrong"):
        with pytest.raises(SignInThrottled) as locked:
            _try(db, "kari@uni.example", password, locked_at + timedelta(minutes=1))
        answers.append((locked.value.retry_after, locked.value.locked, locked.value.message))
    assert answers[0] == answers[1]
    assert answers[0][0] == 14 * 60
    assert answers[0][1] is True
    letters = mails("kari@uni.example")
    assert len(letters) == 1
    assert "locked" in letters[0].subject
    assert "https://library.test/account/forgot" in letters[0].body_text
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "sign_in.locked"))
    # Fifteen minutes later the right password works again.
    later = locked_at + timedelta(minutes=15)
    assert _try(db, "kari@uni.example", TEST_PASSWORD, later) is person
    assert len(mails("kari@uni.example")) == 1


def test_after_a_lock_the_count_starts_again(db, create_person) -> None:
    create_person(email="kari@uni.example")
    locked_at = _fail_until_locked(db, "kari@uni.example")
    later = locked_at + timedelta(minutes=15)
    assert _try(db, "kari@uni.example", "wrong wrong wrong", later) is None
    row = db.session.scalar(select(SignInThrottle))
    db.session.refresh(row)
    assert row.failures == 1
    assert row.locked_until is None


def test_unknown_addresses_are_slowed_and_locked_the_same(db, create_person, mails) -> None:
    create_person(email="kari@uni.example")
    locked_at = _fail_until_locked(db, "nobody@uni.example")
    with pytest.raises(SignInThrottled) as locked:
        _try(db, "nobody@uni.example", "wrong wrong wrong", locked_at + timedelta(minutes=1))
    assert (locked.value.retry_after, locked.value.locked) == (14 * 60, True)
    assert mails("nobody@uni.example") == []
    # The address is not stored in clear.
    digests = db.session.scalars(select(SignInThrottle.email_digest)).all()
    assert digests == [accounts.throttle.email_digest("nobody@uni.example")]
    # Another address is not affected.
    assert _try(db, "Kari@Uni.example", TEST_PASSWORD, locked_at) is not None


def test_a_new_password_through_a_link_lifts_the_lock(db, create_person) -> None:
    person = create_person(email="kari@uni.example")
    locked_at = _fail_until_locked(db, "kari@uni.example")
    issued = accounts.issue_link(db.session, person, LinkPurpose.RESET, site_at(locked_at))
    accounts.redeem(db.session, issued.token, "velvet tractor minnow lantern", locked_at)
    assert _try(db, "kari@uni.example", "velvet tractor minnow lantern", locked_at) is person


def test_the_wait_doubles_up_to_an_hour() -> None:
    from scheduler.accounts.throttle import slow_delay

    rules = ThrottleRules(slow_after=5, lock_after=10_000)
    waits = [slow_delay(n, rules).total_seconds() for n in (5, 6, 7, 16, 5000)]
    assert waits == [1, 2, 4, 2048, 3600]
