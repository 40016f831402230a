"""First-line rosters: demand rules, periods, shifts, assignments, runs, published shifts."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.models.base import Base, JSONType, TimestampMixin, str_enum, utcnow

if TYPE_CHECKING:
    from scheduler.models.jobs import Job
    from scheduler.models.library import Library, ServicePoint
    from scheduler.models.people import Person


class DemandRule(TimestampMixin, Base):
    """How many people a service point needs, turned into shifts for a period.

    For example "information desk: 2 people in 2-hour blocks 08:00-16:00 on weekdays".
    ``weekdays`` is a string of ISO weekday digits, Monday = 0 ("01234").
    """

    __tablename__ = "demand_rules"
    __table_args__ = (
        CheckConstraint("end_time > start_time", name="end_after_start"),
        CheckConstraint("block_minutes > 0", name="block_positive"),
        CheckConstraint("min_staff >= 0 AND max_staff >= min_staff", name="staff_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_point_id: Mapped[int] = mapped_column(
        ForeignKey("service_points.id", ondelete="CASCADE")
    )
    label: Mapped[str | None] = mapped_column(String(200))
    weekdays: Mapped[str] = mapped_column(String(7), default="01234")
    start_time: Mapped[time]
    end_time: Mapped[time]
    block_minutes: Mapped[int] = mapped_column(default=120)
    min_staff: Mapped[int] = mapped_column(default=1)
    max_staff: Mapped[int] = mapped_column(default=1)
    # Comma-separated skill codes every person on these shifts needs.
    skills: Mapped[str] = mapped_column(String(300), default="")
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]

    service_point: Mapped[ServicePoint] = relationship()

    @property
    def weekday_list(self) -> list[int]:
        return sorted({int(c) for c in self.weekdays})

    @property
    def skill_list(self) -> list[str]:
        return [s for s in self.skills.split(",") if s]


class PeriodStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class RosterPeriod(TimestampMixin, Base):
    """A roster for one library over whole ISO weeks starting on a Monday."""

    __tablename__ = "roster_periods"
    __table_args__ = (
        CheckConstraint("weeks > 0", name="weeks_positive"),
        Index("ix_roster_periods_library_start", "library_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    start_date: Mapped[date]
    weeks: Mapped[int]
    status: Mapped[PeriodStatus] = mapped_column(
        str_enum(PeriodStatus, "period_status"), default=PeriodStatus.DRAFT
    )
    published_at: Mapped[datetime | None]
    # Bumped on each publish; feeds and notifications compare against it.
    published_version: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    library: Mapped[Library] = relationship()
    shifts: Mapped[list[Shift]] = relationship(
        back_populates="period", cascade="all, delete-orphan", order_by="Shift.starts_at"
    )
    runs: Mapped[list[RosterRun]] = relationship(
        back_populates="period", cascade="all, delete-orphan", order_by="RosterRun.id"
    )


class Shift(Base):
    """A block of time at a service point needing ``min_staff``..``max_staff`` people."""

    __tablename__ = "shifts"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="end_after_start"),
        CheckConstraint("min_staff >= 0 AND max_staff >= min_staff", name="staff_range"),
        UniqueConstraint("period_id", "service_point_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("roster_periods.id", ondelete="CASCADE"))
    service_point_id: Mapped[int] = mapped_column(
        ForeignKey("service_points.id", ondelete="CASCADE")
    )
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    min_staff: Mapped[int] = mapped_column(default=1)
    max_staff: Mapped[int] = mapped_column(default=1)
    skills: Mapped[str] = mapped_column(String(300), default="")

    period: Mapped[RosterPeriod] = relationship(back_populates="shifts")
    service_point: Mapped[ServicePoint] = relationship()
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="shift", cascade="all, delete-orphan"
    )

    @property
    def skill_list(self) -> list[str]:
        return [s for s in self.skills.split(",") if s]


class AssignmentSource(enum.StrEnum):
    SOLVER = "solver"
    MANUAL = "manual"


class Assignment(TimestampMixin, Base):
    """A person on a shift in the working (draft) roster of a period."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("shift_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    pinned: Mapped[bool] = mapped_column(default=False)
    source: Mapped[AssignmentSource] = mapped_column(
        str_enum(AssignmentSource, "assignment_source"), default=AssignmentSource.SOLVER
    )
    # Set when a section leader kept an edit that breaks a hard rule.
    override_reason: Mapped[str | None] = mapped_column(Text)

    shift: Mapped[Shift] = relationship(back_populates="assignments")
    person: Mapped[Person] = relationship()


class RunKind(enum.StrEnum):
    GENERATE = "generate"
    RESOLVE = "resolve"  # re-solve around pins
    REPAIR = "repair"  # sick-day repair of a published roster


class RosterRun(TimestampMixin, Base):
    """One solver run for a period: the Problem sent, the Solution received, its job."""

    __tablename__ = "roster_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("roster_periods.id", ondelete="CASCADE"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    kind: Mapped[RunKind] = mapped_column(str_enum(RunKind, "run_kind"), default=RunKind.GENERATE)
    problem: Mapped[dict | None] = mapped_column(JSONType)
    solution: Mapped[dict | None] = mapped_column(JSONType)
    status: Mapped[str | None] = mapped_column(String(20))  # the solver status
    objective: Mapped[int | None]
    bound: Mapped[int | None]
    applied_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    period: Mapped[RosterPeriod] = relationship(back_populates="runs")
    job: Mapped[Job | None] = relationship()


class PublishedShiftStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class PublishedShift(Base):
    """A shift as staff see it: what "my shifts" and the calendar feeds show.

    Publishing diffs the draft roster against these rows: unchanged shifts keep their
    row (and so their calendar UID), changed ones bump ``sequence``, removed ones become
    CANCELLED and stay for a while so that subscribed calendars drop them.
    """

    __tablename__ = "published_shifts"
    __table_args__ = (
        Index("ix_published_shifts_person_starts", "person_id", "starts_at"),
        # Colleagues on the same service point and time (calendar feed summaries).
        Index("ix_published_shifts_point_starts", "service_point_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    period_id: Mapped[int | None] = mapped_column(
        ForeignKey("roster_periods.id", ondelete="SET NULL")
    )
    service_point_id: Mapped[int] = mapped_column(
        ForeignKey("service_points.id", ondelete="CASCADE")
    )
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[PublishedShiftStatus] = mapped_column(
        str_enum(PublishedShiftStatus, "published_shift_status"),
        default=PublishedShiftStatus.CONFIRMED,
    )
    sequence: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship()
    service_point: Mapped[ServicePoint] = relationship()
