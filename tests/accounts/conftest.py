"""Helpers for the account tests: a site at a fixed instant, and the e-mails sent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from scheduler.models import OutboundEmail
from scheduler.site import Site

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def site_at(when: datetime = NOW) -> Site:
    return Site(public_url="https://library.test", secret_key="k", language="en", now=when)


@pytest.fixture
def mails(db):
    """``mails(to)``: the e-mails stored for an address, oldest first."""

    def _mails(to: str) -> list[OutboundEmail]:
        return list(
            db.session.scalars(
                select(OutboundEmail)
                .where(OutboundEmail.to_address == to)
                .order_by(OutboundEmail.id)
            )
        )

    return _mails
