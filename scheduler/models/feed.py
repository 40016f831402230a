"""Secret, revocable tokens behind each person's calendar feed URLs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.models.base import Base, utcnow
from scheduler.models.people import Person


class FeedToken(Base):
    """Only a hash of the token is stored; the URL is shown to its owner.

    The token itself is an HMAC of ``nonce`` under the feed key (see
    ``scheduler.calendars.tokens``), so the owner's settings page can show the link
    again while the database alone cannot reproduce it.
    """

    __tablename__ = "feed_tokens"
    __table_args__ = (
        # At most one active token per person (a reset revokes the old one first).
        Index(
            "uq_feed_tokens_active_person",
            "person_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
        Index("ix_feed_tokens_person_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nonce: Mapped[str | None] = mapped_column(String(64))
    # The owner chose to see patrons' names and messages in the appointment feed.
    show_patron_details: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship()
