"""Stored e-mails: a row and the job that sends it, and forgetting old ones.

A message is stored in the caller's transaction, so it vanishes if that rolls back,
and leaves only after the commit (the job is dispatched then). Stored messages quote
names and addresses, so they are deleted after the retention period.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler.jobs.enqueue import enqueue
from scheduler.models.mail import EmailState, OutboundEmail
from scheduler.timeutil import utcnow

# The kind of job that sends one stored e-mail (see scheduler.mail.delivery).
SEND_EMAIL = "send_email"


def queue_email(
    session: Session,
    to: str,
    subject: str,
    body_text: str,
    *,
    body_html: str | None = None,
    attachments: list[dict[str, Any]] | None = None,
) -> OutboundEmail:
    """Store an e-mail and a job to send it; both vanish if the transaction rolls back.

    ``attachments`` items are ``{"filename", "content_type", "content"}`` where content
    is text (e.g. an iCalendar invitation, ``text/calendar; method=REQUEST``) or bytes.
    """
    stored = []
    for att in attachments or []:
        content = att["content"]
        if isinstance(content, bytes):
            stored.append({**att, "content": base64.b64encode(content).decode(), "b64": True})
        else:
            stored.append({**att, "b64": False})
    email = OutboundEmail(
        to_address=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        attachments=stored or None,
    )
    session.add(email)
    session.flush()
    _enqueue_send(session, email)
    return email


def _enqueue_send(session: Session, email: OutboundEmail) -> None:
    # One active send job per e-mail (the database refuses a second): a retry sweep and
    # an administrator's "send again" can never send it twice at once.
    enqueue(
        session, SEND_EMAIL, {"email_id": email.id}, max_attempts=3, dedupe_key=f"email-{email.id}"
    )


def retry_due_emails(session: Session, _config: Mapping[str, Any] | None = None) -> int:
    """The sweep: a send job for every pending e-mail whose wait is over; how many."""
    due = session.scalars(
        select(OutboundEmail)
        .where(
            OutboundEmail.state == EmailState.PENDING,
            OutboundEmail.next_attempt_at <= utcnow(),
        )
        .order_by(OutboundEmail.next_attempt_at)
        .limit(500)
    ).all()
    queued = 0
    for email in due:
        email.next_attempt_at = None
        try:
            with session.begin_nested():
                _enqueue_send(session, email)
            queued += 1
        except IntegrityError:  # a send job for it is already queued or running
            continue
    session.flush()
    return queued


def send_again(session: Session, email: OutboundEmail) -> bool:
    """An administrator's "send again" for a failed or waiting e-mail; False if it is sent
    already or a send job is on its way."""
    if email.state == EmailState.SENT:
        return False
    email.state = EmailState.PENDING
    email.next_attempt_at = None
    try:
        with session.begin_nested():
            _enqueue_send(session, email)
    except IntegrityError:
        return False
    return True


def delete_old_emails(session: Session, *, now: datetime, retention_days: int) -> int:
    """Delete sent or failed e-mails older than the retention (they quote personal data)."""
    cutoff = now - timedelta(days=retention_days)
    result = session.execute(
        delete(OutboundEmail)
        .where(
            OutboundEmail.created_at < cutoff,
            OutboundEmail.state.in_([EmailState.SENT, EmailState.FAILED]),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
