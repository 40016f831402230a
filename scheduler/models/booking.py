"""Appointments: a patron's booked time in a librarian's calendar."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.models.availability import Mode
from scheduler.models.base import Base, JSONType, TimestampMixin, str_enum

if TYPE_CHECKING:
    from scheduler.models.library import Library
    from scheduler.models.people import Person
    from scheduler.models.topic import Topic


def _no_buffer(context: Any) -> datetime:
    """Rows written without a buffer block exactly their own time."""
    return context.get_current_parameters()["ends_at"]


class AppointmentStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the patron to verify the e-mail address
    BOOKED = "booked"
    CANCELLED = "cancelled"


class Attendance(enum.StrEnum):
    """What became of a booked appointment, as its librarian marks it afterwards."""

    ATTENDED = "attended"
    NO_SHOW = "no_show"
    LATE_CANCEL = "late_cancel"  # called off too late to give the time to someone else


class Appointment(TimestampMixin, Base):
    """A booking. Patron name and e-mail are personal data, purged after retention.

    The manage token is shown to the patron once (in the e-mail link); only its
    hash is stored, so a database leak does not hand out cancel links.
    """

    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="end_after_start"),
        CheckConstraint("blocked_until >= ends_at", name="blocked_after_end"),
        Index("ix_appointments_librarian_starts", "librarian_id", "starts_at"),
        Index("ix_appointments_starts", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    librarian_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    library_id: Mapped[int | None] = mapped_column(ForeignKey("libraries.id", ondelete="SET NULL"))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="SET NULL"))
    mode: Mapped[Mode] = mapped_column(str_enum(Mode, "appointment_mode"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # The librarian is kept busy until then: ``ends_at`` plus the buffer that applied when
    # booked. The no-overlap constraint compares these ranges, so buffers hold under races.
    blocked_until: Mapped[datetime] = mapped_column(default=_no_buffer)
    status: Mapped[AppointmentStatus] = mapped_column(
        str_enum(AppointmentStatus, "appointment_status"), default=AppointmentStatus.BOOKED
    )
    # A pending booking (e-mail not yet verified) holds its time until then.
    hold_expires_at: Mapped[datetime | None]
    # Digest of the e-mail verification token, while the booking is pending.
    verify_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The patron's language when booking: e-mails sent later (reminders) use it.
    locale: Mapped[str | None] = mapped_column(String(8))

    patron_name: Mapped[str | None] = mapped_column(String(200))
    patron_email: Mapped[str | None] = mapped_column(String(254))
    message: Mapped[str | None] = mapped_column(Text)
    answers: Mapped[dict | None] = mapped_column(JSONType)
    manage_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Random input to the signed manage token, so that the token can be derived again for
    # later e-mails (with the app's secret key) and is known before the row is written.
    token_salt: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))

    # Set when first-line staff booked on the patron's behalf from the desk.
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None]
    cancelled_by: Mapped[str | None] = mapped_column(String(20))  # patron / librarian / staff
    cancel_message: Mapped[str | None] = mapped_column(Text)
    reminder_sent_at: Mapped[datetime | None]
    # The video meeting address of an online appointment, fixed when booked (a moved
    # appointment keeps it, so the link the patron already has still works).
    meeting_url: Mapped[str | None] = mapped_column(String(500))
    # iCalendar SEQUENCE: bumped on every change the patron or librarian should see.
    sequence: Mapped[int] = mapped_column(default=0)
    purged_at: Mapped[datetime | None]
    # Marked by the librarian afterwards, for the second line's reports.
    attendance: Mapped[Attendance | None] = mapped_column(str_enum(Attendance, "attendance"))
    attendance_marked_at: Mapped[datetime | None]

    librarian: Mapped[Person] = relationship(foreign_keys=[librarian_id])
    booked_by: Mapped[Person | None] = relationship(foreign_keys=[booked_by_id])
    library: Mapped[Library | None] = relationship()
    topic: Mapped[Topic | None] = relationship()

    @property
    def active(self) -> bool:
        return self.status != AppointmentStatus.CANCELLED


# No double booking, enforced by PostgreSQL itself: no two appointments of one librarian
# that are not cancelled may have overlapping busy ranges [starts_at, blocked_until).
# (btree_gist, created by the initial migration, lets "=" on an integer share a GiST
# index with "&&" on a range.) SQLite has no such constraint; there the booking
# transaction is serialised instead (BEGIN IMMEDIATE, see scheduler/database.py).
NO_OVERLAP_CONSTRAINT = "ex_appointments_no_overlap"
Appointment.__table__.append_constraint(
    ExcludeConstraint(
        (Appointment.__table__.c.librarian_id, "="),
        (
            func.tstzrange(
                Appointment.__table__.c.starts_at, Appointment.__table__.c.blocked_until
            ),
            "&&",
        ),
        where=text("status <> 'cancelled'"),
        using="gist",
        name=NO_OVERLAP_CONSTRAINT,
    ).ddl_if(dialect="postgresql")
)
