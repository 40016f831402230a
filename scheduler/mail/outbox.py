"""Stored e-mails: a row and the job that sends it, and forgetting old ones.

A message is stored in the caller's transaction, so it vanishes if that rolls back,
and leaves only after the commit (the job is dispatched then). Stored messages quote
names and addresses, so they are deleted after the retention period.
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from scheduler.jobs.enqueue import enqueue
from scheduler.models.mail import EmailState, OutboundEmail

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
    enqueue(session, SEND_EMAIL, {"email_id": email.id}, max_attempts=5)
    return email


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
