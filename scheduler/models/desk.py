"""The desk's own knowledge: logged inquiries, their categories, the actors the desk refers
people to, the routine matrix, and question inventory campaigns.

No patron identity is stored anywhere here. The free texts of an inquiry (description,
reflection) may still name someone by accident, so they are purged after the retention
period unless a leader has marked them anonymised.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.models.base import Base, TimestampMixin, str_enum, utcnow

if TYPE_CHECKING:
    from scheduler.models.booking import Appointment
    from scheduler.models.library import Library, ServicePoint
    from scheduler.models.people import Person


class InquiryChannel(enum.StrEnum):
    """How the question reached us (a service point's back office takes no inquiries)."""

    DESK = "desk"
    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"


class DurationBand(enum.StrEnum):
    """How long the inquiry took, in the bands desks count in (one tap, not a timer)."""

    UNDER_5 = "under_5"
    FROM_5_TO_15 = "5_15"
    FROM_15_TO_30 = "15_30"
    OVER_30 = "over_30"


class InquiryCategory(Base):
    """One entry of a library's own list of question categories."""

    __tablename__ = "inquiry_categories"
    __table_args__ = (UniqueConstraint("library_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    library: Mapped[Library] = relationship()


class Actor(TimestampMixin, Base):
    """An outside service the desk refers people to (tax office, bank e-ID support ...)."""

    __tablename__ = "desk_actors"
    __table_args__ = (UniqueConstraint("library_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    helps_with: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(50))
    opening_hours: Mapped[str | None] = mapped_column(String(200))
    languages: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)

    library: Mapped[Library] = relationship()


class RoutineRow(TimestampMixin, Base):
    """A row of the routine matrix: type of question → what we do (and say) → refer to."""

    __tablename__ = "desk_routines"

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    question_type: Mapped[str] = mapped_column(String(200))
    solution: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("desk_actors.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(default=0)

    library: Mapped[Library] = relationship()
    actor: Mapped[Actor | None] = relationship()


class Inquiry(Base):
    """One question answered by first-line staff, logged in a tap or five.

    ``client_uuid`` is made by the browser when the tap happens, so that a queued entry
    sent again (the network came back, the answer was lost) is stored once.
    """

    __tablename__ = "inquiries"
    __table_args__ = (
        CheckConstraint("read_scale IS NULL OR read_scale BETWEEN 1 AND 6", name="read_range"),
        Index("ix_inquiries_library_asked", "library_id", "asked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    service_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_points.id", ondelete="SET NULL")
    )
    channel: Mapped[InquiryChannel] = mapped_column(str_enum(InquiryChannel, "inquiry_channel"))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("inquiry_categories.id", ondelete="SET NULL")
    )
    duration: Mapped[DurationBand] = mapped_column(str_enum(DurationBand, "duration_band"))
    read_scale: Mapped[int | None]
    referred_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("desk_actors.id", ondelete="SET NULL")
    )
    # The guidance appointment the desk booked for this patron (a hand-over).
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="SET NULL")
    )
    handed_over: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str | None] = mapped_column(Text)
    reflection: Mapped[str | None] = mapped_column(Text)
    # A leader read the free text and found no personal data in it: it is kept.
    anonymised: Mapped[bool] = mapped_column(default=False)
    text_purged_at: Mapped[datetime | None]
    asked_at: Mapped[datetime]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    library: Mapped[Library] = relationship()
    service_point: Mapped[ServicePoint | None] = relationship()
    category: Mapped[InquiryCategory | None] = relationship()
    referred_to: Mapped[Actor | None] = relationship()
    appointment: Mapped[Appointment | None] = relationship()
    recorded_by: Mapped[Person | None] = relationship()


class Campaign(TimestampMixin, Base):
    """A question inventory: for a period, staff write down the questions that chafe."""

    __tablename__ = "desk_campaigns"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    library: Mapped[Library] = relationship()
    questions: Mapped[list[CampaignQuestion]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="CampaignQuestion.id"
    )


class CampaignQuestion(TimestampMixin, Base):
    """A question written down during a campaign, with the writer's reflection."""

    __tablename__ = "desk_campaign_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("desk_campaigns.id", ondelete="CASCADE"))
    asked_on: Mapped[date]
    question: Mapped[str] = mapped_column(Text)
    reflection: Mapped[str | None] = mapped_column(Text)
    # "Should the library really help with this?"
    chafing: Mapped[bool] = mapped_column(default=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("inquiry_categories.id", ondelete="SET NULL")
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("desk_actors.id", ondelete="SET NULL"))
    reviewed: Mapped[bool] = mapped_column(default=False)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    campaign: Mapped[Campaign] = relationship(back_populates="questions")
    category: Mapped[InquiryCategory | None] = relationship()
    actor: Mapped[Actor | None] = relationship()
