"""Spent password links and idle failure counts are forgotten by the workers' sweep."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from scheduler import accounts
from scheduler.accounts.upkeep import forget_spent_account_rows
from scheduler.job_handlers import SWEEPS
from scheduler.models import LinkPurpose, PasswordLink, SignInThrottle
from tests.accounts.conftest import NOW, site_at


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_sweep_forgets_spent_links_and_idle_counts(db, create_person) -> None:
    assert forget_spent_account_rows in SWEEPS
    old, fresh = create_person(), create_person()
    accounts.issue_link(db.session, old, LinkPurpose.RESET, site_at(NOW))
    open_link = accounts.issue_link(db.session, fresh, LinkPurpose.SET, site_at(NOW))
    accounts.throttle.record_failure(db.session, "x@uni.example", accounts.ThrottleRules(), NOW)
    db.session.commit()
    with time_machine.travel(NOW + timedelta(days=1, minutes=1), tick=False):
        # A day on: the idle count goes; the expired reset link is kept a week.
        assert forget_spent_account_rows(db.session) == 1
        assert _count(db, SignInThrottle) == 0
        assert _count(db, PasswordLink) == 2
    with time_machine.travel(NOW + timedelta(days=8, minutes=1), tick=False):
        assert forget_spent_account_rows(db.session) == 2
    db.session.commit()
    assert _count(db, PasswordLink) == 0
    assert accounts.find_link(db.session, open_link.token, NOW)[0] == accounts.LinkState.UNKNOWN
