"""E-mail: stored with the change that causes it, sent by a job after the commit.

By default messages are written to ``instance/outbox/`` as ``.eml`` files (open them
with any mail client); with ``MAIL_SERVER`` set they go out over SMTP. A failure to send
never breaks the request that caused the message, and never loses it: the row is the
outbox. When the mail server is down or refuses, the e-mail stays pending and is tried
again after a growing wait (``MAIL_RETRY_SECONDS`` doubling, at most an hour) by the
sweep every worker runs; after ``MAIL_MAX_ATTEMPTS`` it is marked failed, which
administrators see on the outbox page, where they can send it again.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler.extensions import db
from scheduler.jobs import JobContext, enqueue, job_handler, periodic_sweep
from scheduler.models.mail import EmailState, OutboundEmail
from scheduler.timeutil import utcnow

log = logging.getLogger(__name__)


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
        session,
        "send_email",
        {"email_id": email.id},
        max_attempts=3,
        dedupe_key=f"email-{email.id}",
    )


def build_message(email: OutboundEmail, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = email.to_address
    msg["Subject"] = email.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(idstring=f"scheduler-{email.id}")
    msg.set_content(email.body_text)
    if email.body_html:
        msg.add_alternative(email.body_html, subtype="html")
    for att in email.attachments or []:
        maintype, _, rest = att["content_type"].partition("/")
        subtype, *params = [p.strip() for p in rest.split(";")]
        extra = dict(p.split("=", 1) for p in params if "=" in p)
        if att.get("b64"):
            msg.add_attachment(
                base64.b64decode(att["content"]),
                maintype=maintype,
                subtype=subtype,
                filename=att["filename"],
            )
        else:
            msg.add_attachment(
                att["content"], subtype=subtype, filename=att["filename"], params=extra
            )
    return msg


def outbox_dir() -> Path:
    path = Path(current_app.instance_path) / "outbox"
    path.mkdir(parents=True, exist_ok=True)
    return path


def deliver(msg: EmailMessage, email_id: int) -> None:
    cfg = current_app.config
    if not cfg.get("MAIL_SERVER"):
        # Same file name for the same e-mail: running the job twice writes it once.
        target = outbox_dir() / f"{email_id:08d}.eml"
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(bytes(msg))
        tmp.replace(target)
        return
    with smtplib.SMTP(cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"]), timeout=30) as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
        smtp.send_message(msg)


def retry_delay(attempts: int, base_seconds: float) -> timedelta:
    """The wait before the next attempt: ``base`` doubling per attempt, at most an hour."""
    return timedelta(seconds=min(3600.0, base_seconds * 2 ** max(0, attempts - 1)))


@job_handler("send_email")
def send_email_job(ctx: JobContext) -> dict:
    """One attempt. A refusal or an unreachable server is not the job's failure: the
    e-mail waits in the outbox for its next attempt (or is given up on)."""
    email = db.session.get(OutboundEmail, ctx.payload["email_id"])
    if email is None:
        return {"skipped": "e-mail no longer exists"}
    if email.state == EmailState.SENT:
        return {"skipped": "already sent"}
    cfg = current_app.config
    email.attempts += 1
    email.next_attempt_at = None
    try:
        deliver(build_message(email, cfg["MAIL_FROM"]), email.id)
    except (smtplib.SMTPException, OSError) as exc:
        email.error = f"{type(exc).__name__}: {exc}"[:2000]
        if email.attempts >= int(cfg.get("MAIL_MAX_ATTEMPTS") or 8):
            email.state = EmailState.FAILED
            log.error("e-mail %s given up after %s attempts: %s", email.id, email.attempts, exc)
        else:
            email.state = EmailState.PENDING
            delay = retry_delay(email.attempts, float(cfg.get("MAIL_RETRY_SECONDS") or 60))
            email.next_attempt_at = utcnow() + delay
            log.warning("e-mail %s not sent (attempt %s): %s", email.id, email.attempts, exc)
        db.session.commit()
        return {"not_sent": email.error, "attempts": email.attempts}
    email.state = EmailState.SENT
    email.sent_at = utcnow()
    email.error = None
    db.session.commit()
    return {"sent_to": email.to_address}


@periodic_sweep
def retry_due_emails(app: Flask) -> int:
    """Queue a send job for every pending e-mail whose wait is over; returns how many."""
    with app.app_context():
        due = db.session.scalars(
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
                with db.session.begin_nested():
                    _enqueue_send(db.session, email)
                queued += 1
            except IntegrityError:  # a send job for it is already queued or running
                continue
        db.session.commit()
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
