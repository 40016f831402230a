"""Drop-in sessions and events with registration, capacity and waitlist."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.models.base import Base, TimestampMixin, str_enum
from scheduler.models.translations import Translatable

if TYPE_CHECKING:
    from scheduler.models.library import Library
    from scheduler.models.people import Person
    from scheduler.models.topic import Topic

session_hosts = Table(
    "session_hosts",
    Base.metadata,
    Column("session_id", ForeignKey("dropin_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
)


class SessionSeries(Translatable, TimestampMixin, Base):
    """Sessions created together (weekly for N weeks, or a list of dates)."""

    __tablename__ = "session_series"
    TRANSLATABLE = ("title",)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # Every registration waits for a link sent to the address before it is final.
    confirm_by_email: Mapped[bool] = mapped_column(default=False, server_default=false())

    sessions: Mapped[list[DropInSession]] = relationship(
        back_populates="series", order_by="DropInSession.starts_at"
    )


class SessionStatus(enum.StrEnum):
    ANNOUNCED = "announced"
    CANCELLED = "cancelled"


class DropInSession(Translatable, TimestampMixin, Base):
    """One drop-in session, course meeting or gathering."""

    __tablename__ = "dropin_sessions"
    TRANSLATABLE = ("title", "description", "question")
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="end_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_nonnegative"),
        Index("ix_dropin_sessions_starts", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("session_series.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="SET NULL"))
    description: Mapped[str | None] = mapped_column(Text)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    location: Mapped[str | None] = mapped_column(String(200))
    online_url: Mapped[str | None] = mapped_column(String(500))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int | None]
    registration_required: Mapped[bool] = mapped_column(default=False)
    registration_deadline: Mapped[datetime | None]
    waitlist_enabled: Mapped[bool] = mapped_column(default=True)
    question: Mapped[str | None] = mapped_column(String(500))
    # Food is served: the registration form asks who joins, hosts see the head count.
    lunch: Mapped[bool] = mapped_column(default=False, server_default=false())
    status: Mapped[SessionStatus] = mapped_column(
        str_enum(SessionStatus, "session_status"), default=SessionStatus.ANNOUNCED
    )
    cancelled_at: Mapped[datetime | None]
    sequence: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # People who came without registering, counted by a host.
    walk_ins: Mapped[int] = mapped_column(default=0, server_default="0")

    series: Mapped[SessionSeries | None] = relationship(back_populates="sessions")
    topic: Mapped[Topic | None] = relationship()
    library: Mapped[Library] = relationship()
    hosts: Mapped[list[Person]] = relationship(secondary=session_hosts, order_by="Person.name")
    registrations: Mapped[list[Registration]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="Registration.id"
    )

    @property
    def online(self) -> bool:
        return bool(self.online_url)

    @property
    def registration_closes_at(self) -> datetime:
        """Registration closes at the deadline, and at the latest when the session starts."""
        deadline = self.registration_deadline
        return min(deadline, self.starts_at) if deadline is not None else self.starts_at


class RegistrationStatus(enum.StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Registration(TimestampMixin, Base):
    """A person's place (or waitlist position) in one session."""

    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("manage_token_hash", "session_id"),
        Index("ix_registrations_session_status", "session_id", "status"),
        # One active registration per address and session, even under concurrent requests.
        Index(
            "uq_registrations_session_email_active",
            "session_id",
            "email",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("dropin_sessions.id", ondelete="CASCADE"))
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    answer: Mapped[str | None] = mapped_column(Text)
    status: Mapped[RegistrationStatus] = mapped_column(
        str_enum(RegistrationStatus, "registration_status")
    )
    # 1-based waitlist position while waitlisted; None otherwise.
    position: Mapped[int | None]
    # One token may cover several sessions of a series (one sign-up for all of them).
    manage_token_hash: Mapped[str] = mapped_column(String(64), index=True)
    # Waiting for the address to be confirmed: the digest of the link's token, and until
    # when the place (or waitlist position) is held; both None once confirmed.
    verify_token_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    hold_expires_at: Mapped[datetime | None]
    # Joins the lunch (sessions with ``lunch``); None where no lunch is served.
    lunch: Mapped[bool | None]
    # The language the registrant used, so later e-mails (promotion, cancellation) match.
    locale: Mapped[str | None] = mapped_column(String(8))
    cancelled_at: Mapped[datetime | None]
    purged_at: Mapped[datetime | None]
    # Moved up from the waitlist (the reports count promotions).
    promoted_at: Mapped[datetime | None]
    # Checked in by a host at the session.
    attended_at: Mapped[datetime | None]

    session: Mapped[DropInSession] = relationship(back_populates="registrations")
