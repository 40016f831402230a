"""When staff can be booked or rostered: weekly windows, exceptions, absences, preferences."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.models.base import Base, TimestampMixin, str_enum
from scheduler.models.library import Library
from scheduler.models.people import Person


class Mode(enum.StrEnum):
    """How an appointment takes place."""

    IN_PERSON = "in_person"
    ONLINE = "online"
    PHONE = "phone"


def parse_modes(raw: str | None) -> list[Mode]:
    return [Mode(m) for m in (raw or "").split(",") if m]


def join_modes(modes: list[Mode] | set[Mode] | list[str]) -> str:
    order = list(Mode)
    return ",".join(sorted({Mode(m).value for m in modes}, key=lambda v: order.index(Mode(v))))


class BookingSettings(TimestampMixin, Base):
    """A librarian's booking rules; one row per bookable person."""

    __tablename__ = "booking_settings"
    __table_args__ = (
        CheckConstraint("slot_minutes > 0", name="slot_positive"),
        CheckConstraint("buffer_minutes >= 0", name="buffer_nonnegative"),
        CheckConstraint("min_notice_minutes >= 0", name="notice_nonnegative"),
        CheckConstraint("horizon_days > 0", name="horizon_positive"),
    )

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    slot_minutes: Mapped[int] = mapped_column(default=45)
    buffer_minutes: Mapped[int] = mapped_column(default=0)
    min_notice_minutes: Mapped[int] = mapped_column(default=24 * 60)
    horizon_days: Mapped[int] = mapped_column(default=8 * 7)
    max_per_day: Mapped[int | None]
    # The librarian's own video meeting room (any https address), given to online
    # appointments unless the library makes a room per appointment.
    meeting_url: Mapped[str | None] = mapped_column(String(500))

    person: Mapped[Person] = relationship()


class AvailabilityRule(TimestampMixin, Base):
    """A weekly recurring window in which a librarian can be booked (local wall time)."""

    __tablename__ = "availability_rules"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("end_time > start_time", name="end_after_start"),
        Index("ix_availability_rules_person_weekday", "person_id", "weekday"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    weekday: Mapped[int]
    start_time: Mapped[time]
    end_time: Mapped[time]
    modes: Mapped[str] = mapped_column(String(40), default="in_person")
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]

    person: Mapped[Person] = relationship()
    library: Mapped[Library] = relationship()

    @property
    def mode_list(self) -> list[Mode]:
        return parse_modes(self.modes)


class ExceptionKind(enum.StrEnum):
    EXTRA = "extra"  # an additional window on one date
    BLOCKED = "blocked"  # not bookable on that date (whole day, or between the times)


class AvailabilityException(TimestampMixin, Base):
    """A one-off change to a librarian's weekly windows on one local date."""

    __tablename__ = "availability_exceptions"
    __table_args__ = (
        CheckConstraint(
            "(start_time IS NULL AND end_time IS NULL) OR end_time > start_time",
            name="times_ordered",
        ),
        Index("ix_availability_exceptions_person_date", "person_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    date: Mapped[date]
    kind: Mapped[ExceptionKind] = mapped_column(str_enum(ExceptionKind, "exception_kind"))
    library_id: Mapped[int | None] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    modes: Mapped[str] = mapped_column(String(40), default="in_person")
    note: Mapped[str | None] = mapped_column(String(300))

    person: Mapped[Person] = relationship()
    library: Mapped[Library | None] = relationship()


class AbsenceKind(enum.StrEnum):
    LEAVE = "leave"
    SICK = "sick"
    COURSE = "course"
    OTHER = "other"


class Absence(TimestampMixin, Base):
    """A time a person is away: blocks booking and rostering."""

    __tablename__ = "absences"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="end_after_start"),
        Index("ix_absences_person_starts", "person_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    kind: Mapped[AbsenceKind] = mapped_column(
        str_enum(AbsenceKind, "absence_kind"), default=AbsenceKind.OTHER
    )
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    person: Mapped[Person] = relationship(foreign_keys=[person_id])


class RosterPreference(TimestampMixin, Base):
    """A wish for the roster: positive weight dislikes the time, negative wants it."""

    __tablename__ = "roster_preferences"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="end_after_start"),
        Index("ix_roster_preferences_person_starts", "person_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    weight: Mapped[int]
    note: Mapped[str | None] = mapped_column(String(300))

    person: Mapped[Person] = relationship()
