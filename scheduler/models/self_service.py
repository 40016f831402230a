"""Staff self-service after publishing: time-off requests, swaps, open shifts, settings.

A :class:`StaffRequest` is one thing a member of staff asks for on a published roster;
what it changes is applied to the published roster only when it is approved (by the
section leader, by the library's auto-approval setting, or at once for a claim on an
open shift the leader posted). ``shift_sequence`` remembers the SEQUENCE of the
published shift the request was made on, so that an approval can tell that the shift
changed since.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.models.availability import AbsenceKind
from scheduler.models.base import Base, JSONType, TimestampMixin, str_enum

if TYPE_CHECKING:
    from scheduler.models.library import Library
    from scheduler.models.people import Person
    from scheduler.models.roster import PublishedShift, RosterPeriod, Shift


class RequestKind(enum.StrEnum):
    TIME_OFF = "time_off"
    SWAP = "swap"  # a give-away (to one colleague or anyone qualified) or a trade
    CLAIM = "claim"  # taking a posted open shift


class RequestStatus(enum.StrEnum):
    OFFERED = "offered"  # a swap waiting for a colleague to accept it
    PENDING = "pending"  # waiting for the section leader
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def open(self) -> bool:
        return self in (RequestStatus.OFFERED, RequestStatus.PENDING)


OPEN_STATUSES = ("offered", "pending")


class StaffRequest(TimestampMixin, Base):
    """A time-off request, a swap or give-away, or a claim on an open shift."""

    __tablename__ = "staff_requests"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="end_after_start"),
        Index("ix_staff_requests_library_status", "library_id", "status"),
        Index("ix_staff_requests_requester", "requester_id", "created_at"),
        # One open request per published shift: a second offer of the same shift while
        # the first is still open is refused by the database, not only by a check.
        Index(
            "uq_staff_requests_open_shift",
            "published_shift_id",
            unique=True,
            sqlite_where=text("status IN ('offered', 'pending')"),
            postgresql_where=text("status IN ('offered', 'pending')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    period_id: Mapped[int | None] = mapped_column(
        ForeignKey("roster_periods.id", ondelete="CASCADE")
    )
    kind: Mapped[RequestKind] = mapped_column(str_enum(RequestKind, "staff_request_kind"))
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus, "staff_request_status"), default=RequestStatus.PENDING
    )
    requester_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    # Time off: the local days or hours asked for; a swap or claim: the shift's times.
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    absence_kind: Mapped[AbsenceKind | None] = mapped_column(
        str_enum(AbsenceKind, "staff_request_absence_kind")
    )
    # Swap: the requester's published shift and its SEQUENCE when offered.
    published_shift_id: Mapped[int | None] = mapped_column(
        ForeignKey("published_shifts.id", ondelete="CASCADE")
    )
    shift_sequence: Mapped[int | None]
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id", ondelete="SET NULL"))
    # Swap: the named colleague (None: anyone qualified may take it).
    target_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    # Trade: the colleague's published shift given in return, and its SEQUENCE.
    trade_published_shift_id: Mapped[int | None] = mapped_column(
        ForeignKey("published_shifts.id", ondelete="CASCADE")
    )
    trade_sequence: Mapped[int | None]
    trade_shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id", ondelete="SET NULL"))
    # Who accepted the swap (or claimed the open shift).
    taker_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    open_shift_id: Mapped[int | None] = mapped_column(
        ForeignKey("open_shifts.id", ondelete="SET NULL")
    )
    # The roster objective after minus before (negative is better), when it was checked.
    objective_delta: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    auto_approved: Mapped[bool] = mapped_column(default=False)
    # What approving it changed on the published roster, per person:
    # [{"person": id, "kind": "added"|"removed"|"moved", "minutes": +/-n, ...}].
    applied: Mapped[list | None] = mapped_column(JSONType)

    library: Mapped[Library] = relationship()
    period: Mapped[RosterPeriod | None] = relationship()
    requester: Mapped[Person] = relationship(foreign_keys=[requester_id])
    target: Mapped[Person | None] = relationship(foreign_keys=[target_id])
    taker: Mapped[Person | None] = relationship(foreign_keys=[taker_id])
    decided_by: Mapped[Person | None] = relationship(foreign_keys=[decided_by_id])
    published_shift: Mapped[PublishedShift | None] = relationship(foreign_keys=[published_shift_id])
    trade_published_shift: Mapped[PublishedShift | None] = relationship(
        foreign_keys=[trade_published_shift_id]
    )
    shift: Mapped[Shift | None] = relationship(foreign_keys=[shift_id])
    trade_shift: Mapped[Shift | None] = relationship(foreign_keys=[trade_shift_id])
    open_shift: Mapped[OpenShift | None] = relationship()

    @property
    def is_trade(self) -> bool:
        return self.trade_published_shift_id is not None


class OpenShiftStatus(enum.StrEnum):
    OPEN = "open"
    FILLED = "filled"
    WITHDRAWN = "withdrawn"


class OpenShift(TimestampMixin, Base):
    """A published shift with places nobody holds, posted for qualified staff to claim.

    A claim fills a place with a conditional UPDATE (``filled < places``), so two
    simultaneous claims on the last place cannot both succeed.
    """

    __tablename__ = "open_shifts"
    __table_args__ = (
        CheckConstraint("places > 0", name="places_positive"),
        CheckConstraint("filled >= 0 AND filled <= places", name="filled_range"),
        Index(
            "uq_open_shifts_shift_open",
            "shift_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("roster_periods.id", ondelete="CASCADE"))
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"))
    places: Mapped[int] = mapped_column(default=1)
    filled: Mapped[int] = mapped_column(default=0)
    status: Mapped[OpenShiftStatus] = mapped_column(
        str_enum(OpenShiftStatus, "open_shift_status"), default=OpenShiftStatus.OPEN
    )
    note: Mapped[str | None] = mapped_column(Text)
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    library: Mapped[Library] = relationship()
    period: Mapped[RosterPeriod] = relationship()
    shift: Mapped[Shift] = relationship()


class SelfServiceSettings(Base):
    """A library's self-service policy: whether swaps may approve themselves.

    A swap that keeps every hard rule and worsens the roster objective by at most
    ``auto_approve_max_worsening`` points is approved without the leader when
    ``auto_approve_swaps`` is on.
    """

    __tablename__ = "self_service_settings"
    __table_args__ = (
        CheckConstraint("auto_approve_max_worsening >= 0", name="worsening_nonnegative"),
    )

    library_id: Mapped[int] = mapped_column(
        ForeignKey("libraries.id", ondelete="CASCADE"), primary_key=True
    )
    auto_approve_swaps: Mapped[bool] = mapped_column(default=False)
    auto_approve_max_worsening: Mapped[int] = mapped_column(default=0)
