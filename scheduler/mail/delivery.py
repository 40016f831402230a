"""Sending a stored e-mail: the job behind every message.

By default messages are written to ``instance/outbox/`` as ``.eml`` files (open them
with any mail client; they are readable by the server's user only); with
``MAIL_SERVER`` set they go out over SMTP. The job is safe to run twice: a sent message
is skipped, and the outbox file has the e-mail's id as its name, so a second run writes
the same file again rather than a second one.

A mail server that is down or refuses does not lose the message: it stays pending with
the time of its next attempt, after a wait that doubles (``MAIL_RETRY_SECONDS``, at most
an hour), and the sweep every worker runs sends it again then
(:func:`scheduler.mail.outbox.retry_due_emails`); after ``MAIL_MAX_ATTEMPTS`` it is
failed, which administrators see on the outbox page, where they can send it again.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import ssl
from collections.abc import Mapping
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from scheduler.jobs.context import JobContext
from scheduler.mail.outbox_files import outbox_dir, write_private
from scheduler.models.mail import EmailState, OutboundEmail
from scheduler.timeutil import utcnow

log = logging.getLogger(__name__)


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


def deliver(msg: EmailMessage, email_id: int, *, config: Mapping[str, Any], outbox: Path) -> None:
    """Write the message to ``outbox`` or, with ``MAIL_SERVER`` set, send it over SMTP."""
    if not config.get("MAIL_SERVER"):
        # Same file name for the same e-mail: running the job twice writes it once.
        # Readable by the server's user only: the file quotes names and manage links.
        write_private(outbox / f"{email_id:08d}.eml", bytes(msg))
        return
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(msg)


def retry_delay(attempts: int, base_seconds: float) -> timedelta:
    """The wait before the next attempt: ``base`` doubling per attempt, at most an hour."""
    return timedelta(seconds=min(3600.0, base_seconds * 2 ** max(0, attempts - 1)))


def send_email(ctx: JobContext) -> dict:
    """The ``send_email`` job: one attempt at one stored e-mail. A refusal or an
    unreachable server is not the job's failure: the e-mail waits for its next attempt."""
    session = ctx.session
    email = session.get(OutboundEmail, ctx.payload["email_id"])
    if email is None:
        return {"skipped": "e-mail no longer exists"}
    if email.state == EmailState.SENT:
        return {"skipped": "already sent"}
    config = ctx.config
    email.attempts += 1
    email.next_attempt_at = None
    try:
        deliver(
            build_message(email, config["MAIL_FROM"]),
            email.id,
            config=config,
            outbox=outbox_dir(ctx.instance_path),
        )
    except (smtplib.SMTPException, OSError) as exc:
        email.error = f"{type(exc).__name__}: {exc}"[:2000]
        if email.attempts >= int(config.get("MAIL_MAX_ATTEMPTS") or 8):
            email.state = EmailState.FAILED
            log.error("e-mail %s given up after %s attempts: %s", email.id, email.attempts, exc)
        else:
            email.state = EmailState.PENDING
            delay = retry_delay(email.attempts, float(config.get("MAIL_RETRY_SECONDS") or 60))
            email.next_attempt_at = utcnow() + delay
            log.warning("e-mail %s not sent (attempt %s): %s", email.id, email.attempts, exc)
        session.commit()
        return {"not_sent": email.error, "attempts": email.attempts}
    email.state = EmailState.SENT
    email.sent_at = utcnow()
    email.error = None
    session.commit()
    return {"sent_to": email.to_address}
