"""Outgoing e-mail, stored first and sent by a job after the request commits.

The table is the outbox: an e-mail the mail server did not take stays ``pending`` with
the time of its next attempt (backing off), until it is sent or given up on
(``failed``, shown to administrators, who can send it again).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.models.base import Base, JSONType, str_enum, utcnow


class EmailState(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboundEmail(Base):
    __tablename__ = "outbound_emails"
    __table_args__ = (Index("ix_outbound_emails_state_next", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # [{"filename", "content_type", "content"}]; calendar invitations are text.
    attachments: Mapped[list | None] = mapped_column(JSONType)
    state: Mapped[EmailState] = mapped_column(
        str_enum(EmailState, "email_state"), default=EmailState.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    # When a pending e-mail is tried again (None: a send job is queued or running).
    next_attempt_at: Mapped[datetime | None]
