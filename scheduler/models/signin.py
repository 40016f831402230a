"""Staff sign-in state kept on the server: sessions, second factors, recovery codes.

A session is a row so that signing out ends it everywhere a copy of the cookie went;
only digests of the secrets are stored, so a read of the database signs nobody in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.models.base import Base, utcnow
from scheduler.models.people import Person


class StaffSession(Base):
    """One signed-in browser. ``id`` is the SHA-256 of the token in the cookie."""

    __tablename__ = "staff_sessions"
    __table_args__ = (Index("ix_staff_sessions_person_id", "person_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    # The person's session nonce when signed in: a password change rotates it.
    person_nonce: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    remember: Mapped[bool] = mapped_column(default=False)
    # Signed in with a second factor (shown in the list of sessions).
    second_factor: Mapped[bool] = mapped_column(default=False)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    ip_address: Mapped[str] = mapped_column(String(45), default="")

    person: Mapped[Person] = relationship()


class SecondFactor(Base):
    """A person's authenticator (TOTP) key, sealed; ``confirmed_at`` None while enrolling."""

    __tablename__ = "second_factors"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    # The last 30-second step a code was accepted for: the same code is not taken twice.
    last_step: Mapped[int | None]
    # Wrong codes in a row, and the lock they lead to.
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]


class RecoveryCode(Base):
    """A single-use code for when the authenticator is lost; only its digest is stored."""

    __tablename__ = "recovery_codes"
    __table_args__ = (Index("ix_recovery_codes_person_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]
