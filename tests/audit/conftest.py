"""Helpers for the audit tests: the entries of one action, read fresh."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from scheduler.models import AuditEntry
from tests.rostering.helpers import make_shift, world  # noqa: F401 (fixtures for these tests)
from tests.test_migrations import empty_database  # noqa: F401 (a fixture for these tests)


@pytest.fixture
def entries(db):
    """``entries(action)`` lists the audit entries of ``action``, oldest first."""

    def _entries(action: str) -> list[AuditEntry]:
        db.session.expire_all()
        return list(
            db.session.scalars(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
        )

    return _entries
