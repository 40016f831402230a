"""Libraries (branches), their opening hours and closed days, and service points."""

from __future__ import annotations

import enum
from datetime import date, time
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.models.base import Base, TimestampMixin, str_enum
from scheduler.models.translations import Translatable

if TYPE_CHECKING:
    from scheduler.models.people import Person


class Library(Translatable, TimestampMixin, Base):
    """One branch library. Every time shown to people is in its ``timezone``."""

    __tablename__ = "libraries"
    TRANSLATABLE = ("name",)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Oslo")
    address: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))
    # The main library is open every day and hosts the first-line desk.
    is_main: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    # An https address with ``{token}`` in it (e.g. ``https://meet.jit.si/library-{token}``):
    # every online appointment here gets its own room, made from a random token.
    meeting_url_template: Mapped[str | None] = mapped_column(String(500))
    # Web origins (``https://host[:port]``, one a line) allowed to frame the booking widget.
    embed_origins: Mapped[str | None] = mapped_column(Text)
    # A library that history refers to is deactivated instead of deleted.
    active: Mapped[bool] = mapped_column(default=True, server_default=true())

    opening_hours: Mapped[list[OpeningHours]] = relationship(
        back_populates="library",
        cascade="all, delete-orphan",
        order_by="(OpeningHours.weekday, OpeningHours.opens)",
    )
    closed_dates: Mapped[list[ClosedDate]] = relationship(
        back_populates="library", cascade="all, delete-orphan", order_by="ClosedDate.date"
    )
    service_points: Mapped[list[ServicePoint]] = relationship(
        back_populates="library", cascade="all, delete-orphan", order_by="ServicePoint.position"
    )
    staff: Mapped[list[Person]] = relationship(
        secondary="person_libraries", back_populates="libraries", viewonly=True
    )

    def __repr__(self) -> str:
        return f"<Library {self.slug}>"


class OpeningHours(Base):
    """Regular opening hours: one row per interval per weekday (0 = Monday).

    ``valid_from``/``valid_until`` allow term-time and summer hours side by side.
    """

    __tablename__ = "opening_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("closes > opens", name="closes_after_opens"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    weekday: Mapped[int]
    opens: Mapped[time]
    closes: Mapped[time]
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]

    library: Mapped[Library] = relationship(back_populates="opening_hours")


class ClosedDate(Base):
    """A whole day the library is closed (holiday); blocks booking and shifts."""

    __tablename__ = "closed_dates"
    __table_args__ = (UniqueConstraint("library_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    date: Mapped[date]
    reason: Mapped[str | None] = mapped_column(String(200))

    library: Mapped[Library] = relationship(back_populates="closed_dates")


class Channel(enum.StrEnum):
    DESK = "desk"
    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"
    BACK_OFFICE = "back_office"


class ServicePoint(TimestampMixin, Base):
    """Where (or through which channel) first-line service is given.

    Only points that are both ``first_line`` and ``ground_floor`` may carry roster
    shifts: the desk is staffed on the ground floor only (rule H5 of the roster format).
    """

    __tablename__ = "service_points"
    __table_args__ = (UniqueConstraint("library_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "channel"))
    ground_floor: Mapped[bool] = mapped_column(default=True)
    first_line: Mapped[bool] = mapped_column(default=True)
    location: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    library: Mapped[Library] = relationship(back_populates="service_points")

    @property
    def rosterable(self) -> bool:
        return self.first_line and self.ground_floor and self.active

    def __repr__(self) -> str:
        return f"<ServicePoint {self.name!r} ({self.channel})>"
