"""E-mail: stored with the change that causes it, sent by a job after the commit.

By default messages are written to ``instance/outbox/`` as ``.eml`` files (open them
with any mail client); with ``MAIL_SERVER`` set they go out over SMTP. A failure to send
never breaks the request that caused the message: sending is a background job with
retries, and the row records what happened.
"""

from __future__ import annotations

import base64
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from scheduler.extensions import db
from scheduler.jobs import JobContext, enqueue, job_handler
from scheduler.models.mail import EmailState, OutboundEmail
from scheduler.timeutil import utcnow


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
    enqueue(session, "send_email", {"email_id": email.id}, max_attempts=5)
    return email


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


@job_handler("send_email")
def send_email_job(ctx: JobContext) -> dict:
    email = db.session.get(OutboundEmail, ctx.payload["email_id"])
    if email is None:
        return {"skipped": "e-mail no longer exists"}
    if email.state == EmailState.SENT:
        return {"skipped": "already sent"}
    email.attempts += 1
    try:
        deliver(build_message(email, current_app.config["MAIL_FROM"]), email.id)
    except Exception as exc:
        email.error = f"{type(exc).__name__}: {exc}"
        email.state = EmailState.FAILED
        db.session.commit()
        raise
    email.state = EmailState.SENT
    email.sent_at = utcnow()
    email.error = None
    db.session.commit()
    return {"sent_to": email.to_address}
