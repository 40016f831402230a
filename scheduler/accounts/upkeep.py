"""Forgetting what account security no longer needs: spent password links and old
failed sign-in counts. A sweep every worker runs (``scheduler/job_handlers.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

from scheduler.accounts import throttle
from scheduler.models.account import PasswordLink
from scheduler.timeutil import utcnow

# Spent links are kept a week, so "this link has already been used" or "has expired"
# can still be said about a recent one; after that it is just "not valid".
KEEP_SPENT_LINKS = timedelta(days=7)


def forget_spent_account_rows(session: Session, _config: Mapping[str, Any] | None = None) -> int:
    """Delete links used or expired more than a week ago and failure counts idle for a
    day; how many rows."""
    now = utcnow()
    cutoff = now - KEEP_SPENT_LINKS
    links = session.execute(
        delete(PasswordLink)
        .where(or_(PasswordLink.expires_at < cutoff, PasswordLink.used_at < cutoff))
        .execution_options(synchronize_session=False)
    )
    return (links.rowcount or 0) + throttle.forget_old(session, now)
