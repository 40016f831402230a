"""A librarian's connected calendars (secret iCalendar addresses, CalDAV collections) and
the busy times read from them.

Only what decides free slots is kept: start, end and busy or tentative. Titles,
attendees, places and descriptions are never stored. The address and the CalDAV
credentials are secrets: they are stored encrypted (see
``scheduler.calendars.sources.secretbox``) and shown masked (``url_hint``).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.models.base import Base, JSONType, TimestampMixin, str_enum


class SourceKind(enum.StrEnum):
    ICS = "ics"  # a secret iCalendar address (Outlook, Google, any .ics or webcal link)
    CALDAV = "caldav"  # a CalDAV collection with user name and app password


class BusyKind(enum.StrEnum):
    """How a stored interval counts (RFC 5545 FBTYPE: BUSY, BUSY-TENTATIVE)."""

    BUSY = "busy"
    TENTATIVE = "tentative"


class CalendarSource(TimestampMixin, Base):
    """One connected calendar of one person, with the state of its last sync."""

    __tablename__ = "calendar_sources"
    __table_args__ = (
        Index("ix_calendar_sources_person_id", "person_id"),
        CheckConstraint(
            "kind = 'ics' OR (username_sealed IS NOT NULL AND password_sealed IS NOT NULL)",
            name="caldav_has_credentials",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[SourceKind] = mapped_column(str_enum(SourceKind, "calendar_source_kind"))
    # The librarian's own name for it ("Outlook", "Teaching timetable").
    label: Mapped[str] = mapped_column(String(100))
    # Encrypted secrets (Fernet tokens); the address of a secret .ics link is a secret
    # in itself, since anyone holding it can read the calendar.
    url_sealed: Mapped[str] = mapped_column(Text)
    username_sealed: Mapped[str | None] = mapped_column(Text)
    password_sealed: Mapped[str | None] = mapped_column(Text)
    # What the page shows instead of the address: scheme, host and the last characters.
    url_hint: Mapped[str] = mapped_column(String(200))

    # Sync state. ``failing_since`` is the first failed attempt after the last success
    # (None while healthy): "failed for longer than" is measured from it.
    last_attempt_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    # Why the last attempt failed: a code and its parameters, so that pages can say it
    # in the reader's language (``scheduler.calendars.sources.problems``).
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_params: Mapped[dict | None] = mapped_column(JSONType)
    failing_since: Mapped[datetime | None]
    # When the owner was last told by e-mail that it keeps failing (once per failure).
    failure_notified_at: Mapped[datetime | None]
    # Conditional requests: the validators of the last good answer (ICS), or the
    # collection's CTag / sync token (CalDAV).
    etag: Mapped[str | None] = mapped_column(String(255))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    # What the last good sync found, for the page: events in the 8 weeks after it, and
    # the period read (the stored busy times cover it).
    event_count: Mapped[int | None]
    window_start: Mapped[datetime | None]
    window_end: Mapped[datetime | None]

    busy: Mapped[list[BusyInterval]] = relationship(
        back_populates="source", cascade="all, delete-orphan", passive_deletes=True
    )


class BusyInterval(Base):
    """A time the person is busy according to one source; nothing else about it."""

    __tablename__ = "calendar_busy"
    __table_args__ = (
        # The free-slot query: one person's busy times overlapping a range.
        Index("ix_calendar_busy_person_starts", "person_id", "starts_at"),
        Index("ix_calendar_busy_source_id", "source_id"),
        CheckConstraint("ends_at > starts_at", name="positive_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("calendar_sources.id", ondelete="CASCADE"))
    # Repeated from the source so that slots need no join.
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    kind: Mapped[BusyKind] = mapped_column(
        str_enum(BusyKind, "calendar_busy_kind"), default=BusyKind.BUSY
    )

    source: Mapped[CalendarSource] = relationship(back_populates="busy")
