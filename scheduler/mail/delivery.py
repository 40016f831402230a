"""Sending a stored e-mail: the job behind every message.

By default messages are written to ``instance/outbox/`` as ``.eml`` files (open them
with any mail client); with ``MAIL_SERVER`` set they go out over SMTP. The job is safe
to run twice: a sent message is skipped, and the outbox file has the e-mail's id as
its name, so a second run writes the same file again rather than a second one.
"""

from __future__ import annotations

import base64
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from scheduler.jobs.context import JobContext
from scheduler.models.mail import EmailState, OutboundEmail
from scheduler.timeutil import utcnow


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


def outbox_dir(instance_path: str) -> Path:
    path = Path(instance_path) / "outbox"
    path.mkdir(parents=True, exist_ok=True)
    return path


def deliver(msg: EmailMessage, email_id: int, *, config: Mapping[str, Any], outbox: Path) -> None:
    """Write the message to ``outbox`` or, with ``MAIL_SERVER`` set, send it over SMTP."""
    if not config.get("MAIL_SERVER"):
        # Same file name for the same e-mail: running the job twice writes it once.
        target = outbox / f"{email_id:08d}.eml"
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(bytes(msg))
        tmp.replace(target)
        return
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(msg)


def send_email(ctx: JobContext) -> dict:
    """The ``send_email`` job: deliver one stored e-mail and record the outcome."""
    session = ctx.session
    email = session.get(OutboundEmail, ctx.payload["email_id"])
    if email is None:
        return {"skipped": "e-mail no longer exists"}
    if email.state == EmailState.SENT:
        return {"skipped": "already sent"}
    email.attempts += 1
    try:
        deliver(
            build_message(email, ctx.config["MAIL_FROM"]),
            email.id,
            config=ctx.config,
            outbox=outbox_dir(ctx.instance_path),
        )
    except Exception as exc:
        email.error = f"{type(exc).__name__}: {exc}"
        email.state = EmailState.FAILED
        session.commit()
        raise
    email.state = EmailState.SENT
    email.sent_at = utcnow()
    email.error = None
    session.commit()
    return {"sent_to": email.to_address}
