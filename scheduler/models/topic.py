"""Topics students search by, grouped into booking pages with their own questions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.models.base import Base, TimestampMixin
from scheduler.models.people import person_topics
from scheduler.models.translations import Translatable

if TYPE_CHECKING:
    from scheduler.models.people import Person


class TopicGroup(Translatable, TimestampMixin, Base):
    """A booking page for a subject area ("Health sciences", "Law", ...).

    It may ask up to ten custom questions and may restrict who can book to some
    e-mail domains (e.g. the university's own), in which case the address is verified
    by a link before the booking is confirmed.
    """

    __tablename__ = "topic_groups"
    TRANSLATABLE = ("name", "intro")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str | None] = mapped_column(Text)
    # Comma-separated domains, e.g. "uni.example,student.uni.example"; empty = anyone.
    allowed_email_domains: Mapped[str | None] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(default=0)
    # Groups and topics that bookings refer to are deactivated instead of deleted.
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Every booking waits for a link sent to the address (as restricted pages always do).
    confirm_by_email: Mapped[bool] = mapped_column(default=False, server_default=false())

    topics: Mapped[list[Topic]] = relationship(back_populates="group", order_by="Topic.name")
    questions: Mapped[list[GroupQuestion]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="GroupQuestion.position"
    )

    @property
    def email_domains(self) -> list[str]:
        raw = self.allowed_email_domains or ""
        return [d.strip().lower() for d in raw.split(",") if d.strip()]


class Topic(Translatable, TimestampMixin, Base):
    """A subject or guidance topic ("Nursing", "Reference management")."""

    __tablename__ = "topics"
    TRANSLATABLE = ("name", "description")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("topic_groups.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=True, server_default=true())

    group: Mapped[TopicGroup | None] = relationship(back_populates="topics")
    people: Mapped[list[Person]] = relationship(
        secondary=person_topics, back_populates="topics", order_by="Person.name"
    )

    def __repr__(self) -> str:
        return f"<Topic {self.slug}>"


class GroupQuestion(Translatable, Base):
    """A custom question on a topic group's booking form (at most ten per group)."""

    __tablename__ = "group_questions"
    TRANSLATABLE = ("label", "help_text")
    __table_args__ = (UniqueConstraint("group_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"))
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(300))
    help_text: Mapped[str | None] = mapped_column(String(500))
    required: Mapped[bool] = mapped_column(default=False)

    group: Mapped[TopicGroup] = relationship(back_populates="questions")
