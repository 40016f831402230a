"""Secret feed tokens: one active per person, stored as a digest, revocable.

A token is ``HMAC-SHA256(key, nonce)`` cut to 192 bits, where ``nonce`` is 256 random
bits stored with the token's digest. Requests are matched by the digest alone (an index
lookup, then a constant-time comparison), so the key is not needed to accept a feed
request. The key is needed to *show* the link again: the owner's settings page derives
the token from the stored nonce, so the link can be copied to a second device at any
time, while a copy of the database alone reveals no working link. If the key changes,
old links keep working and the page says it can no longer show them (reset for new ones).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from scheduler.models import FeedToken, Person
from scheduler.timeutil import utcnow
from scheduler.tokens import token_digest, tokens_equal

TOKEN_BYTES = 24  # 192 bits; the API contract asks for at least 128
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{22,86}")
# Recording that a feed was fetched is bookkeeping: at most once per hour per token.
USE_RECORD_INTERVAL = timedelta(hours=1)


def derive_token(key: str, nonce: str) -> str:
    mac = hmac.new(key.encode(), b"feed-token:" + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:TOKEN_BYTES]).decode().rstrip("=")


def active_token(session: Session, person: Person) -> FeedToken | None:
    return session.scalar(
        select(FeedToken)
        .where(FeedToken.person_id == person.id, FeedToken.revoked_at.is_(None))
        .order_by(FeedToken.id.desc())
        .limit(1)
    )


def revoke_tokens(session: Session, person: Person, *, now: datetime | None = None) -> int:
    """Revoke every active token of ``person``; their feed URLs answer 404 from now on."""
    rows = session.scalars(
        select(FeedToken).where(FeedToken.person_id == person.id, FeedToken.revoked_at.is_(None))
    ).all()
    for row in rows:
        row.revoked_at = now or utcnow()
    session.flush()
    return len(rows)


def revoke_all_tokens(session: Session, *, now: datetime | None = None) -> int:
    """Revoke every active feed token (say, after a leak of the database and the key)."""
    rows = session.scalars(select(FeedToken).where(FeedToken.revoked_at.is_(None))).all()
    for row in rows:
        row.revoked_at = now or utcnow()
    session.flush()
    return len(rows)


def issue_token(session: Session, person: Person, *, key: str) -> tuple[FeedToken, str]:
    """A new token for ``person``, revoking the old one (keeping its patron setting).

    Returns the row and the token, for the page to show. The person's row is locked
    first (PostgreSQL; SQLite's write transaction already serialises), so two resets
    at once leave one active token, not two; a partial unique index backs this up.
    """
    session.execute(select(Person.id).where(Person.id == person.id).with_for_update())
    previous = active_token(session, person)
    revoke_tokens(session, person)
    nonce = secrets.token_hex(32)
    token = derive_token(key, nonce)
    row = FeedToken(
        person_id=person.id,
        token_hash=token_digest(token),
        nonce=nonce,
        show_patron_details=previous.show_patron_details if previous else False,
    )
    session.add(row)
    session.flush()
    return row, token


def token_for(row: FeedToken, *, key: str) -> str | None:
    """The token behind ``row``, or None if it cannot be shown (made under another key)."""
    if not row.nonce:
        return None
    token = derive_token(key, row.nonce)
    return token if tokens_equal(token_digest(token), row.token_hash) else None


def resolve_token(session: Session, token: str) -> FeedToken | None:
    """The active token row for a presented token, or None (unknown, revoked, malformed,
    or its owner can no longer sign in): all of them look alike to the caller."""
    if not _TOKEN_SHAPE.fullmatch(token or ""):
        return None
    digest = token_digest(token)
    row = session.scalar(select(FeedToken).where(FeedToken.token_hash == digest))
    if row is None or not tokens_equal(row.token_hash, digest):
        return None
    person = row.person
    if row.revoked_at is not None or not person.active:
        return None
    if not (person.is_admin or person.library_roles):  # no role left anywhere
        return None
    return row


def set_patron_details(session: Session, person: Person, show: bool) -> FeedToken | None:
    """The owner's choice to see patrons' details in the appointment feed."""
    row = active_token(session, person)
    if row is not None:
        row.show_patron_details = bool(show)
        session.flush()
    return row


def record_use(connection: Connection, row: FeedToken, *, now: datetime | None = None) -> bool:
    """Note that a calendar app fetched the feed, at most once per hour.

    Runs on its own short connection so that a read-only feed request never has to
    upgrade its transaction to a write; losing this record is harmless.
    """
    now = now or utcnow()
    if row.last_used_at is not None and now - row.last_used_at < USE_RECORD_INTERVAL:
        return False
    result = connection.execute(
        update(FeedToken)
        .where(
            FeedToken.id == row.id,
            or_(
                FeedToken.last_used_at.is_(None),
                FeedToken.last_used_at < now - USE_RECORD_INTERVAL,
            ),
        )
        .values(last_used_at=now)
    )
    return bool(result.rowcount)
