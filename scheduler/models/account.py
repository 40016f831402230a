"""Account security: one-time password links and the per-account sign-in throttle."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.models.base import Base, str_enum, utcnow
from scheduler.models.people import Person


class LinkPurpose(enum.StrEnum):
    """Why a password link was made: a first password (invitation, ``create-admin``) or a
    reset asked for on the "forgot" page; they differ in how long they live."""

    SET = "set"
    RESET = "reset"


class PasswordLink(Base):
    """A one-time link to choose a password. Only the SHA-256 of its 192-bit token is
    stored, so a copy of the database cannot be used to take over an account."""

    __tablename__ = "password_links"
    __table_args__ = (Index("ix_password_links_person_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[LinkPurpose] = mapped_column(str_enum(LinkPurpose, "password_link_purpose"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    # Set when the link is redeemed, or ended by a newer link or a password change.
    used_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    person: Mapped[Person] = relationship(foreign_keys=[person_id])


class SignInThrottle(Base):
    """Failed sign-ins for one e-mail address, whether or not an account has it (so the
    answer never tells which addresses exist). Only a digest of the address is kept."""

    __tablename__ = "sign_in_throttles"

    email_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
