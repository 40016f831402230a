"""What the desk page preselects: the service point and channel of the person's shift now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.models import (
    Appointment,
    AppointmentStatus,
    Channel,
    InquiryChannel,
    Person,
    PublishedShift,
    PublishedShiftStatus,
    ServicePoint,
)

# A hand-over is logged right after the booking; older bookings are not offered.
HANDOVER_WINDOW = timedelta(hours=4)


@dataclass(frozen=True)
class DeskDefaults:
    """The preselected choices; ``service_point`` is None when no shift is on now."""

    library_id: int | None
    service_point: ServicePoint | None
    channel: InquiryChannel


def channel_of(point: ServicePoint | None) -> InquiryChannel:
    """A point's channel as an inquiry channel (a back office mostly answers the phone)."""
    if point is None:
        return InquiryChannel.DESK
    if point.channel == Channel.BACK_OFFICE:
        return InquiryChannel.PHONE
    try:
        return InquiryChannel(point.channel.value)
    except ValueError:
        return InquiryChannel.DESK


def current_shift(session: Session, person: Person, now: datetime) -> PublishedShift | None:
    """The person's published shift going on at ``now``, if any."""
    return session.scalar(
        select(PublishedShift)
        .where(
            PublishedShift.person_id == person.id,
            PublishedShift.status == PublishedShiftStatus.CONFIRMED,
            PublishedShift.starts_at <= now,
            PublishedShift.ends_at > now,
        )
        .order_by(PublishedShift.starts_at)
        .limit(1)
    )


def desk_defaults(session: Session, person: Person, now: datetime) -> DeskDefaults:
    """Preselect from the current shift; without one, the person's first library."""
    shift = current_shift(session, person, now)
    if shift is not None:
        point = shift.service_point
        return DeskDefaults(point.library_id, point, channel_of(point))
    library_id = person.libraries[0].id if person.libraries else None
    return DeskDefaults(library_id, None, InquiryChannel.DESK)


def recent_handovers(session: Session, person: Person, now: datetime) -> list[Appointment]:
    """Guidance the person booked from the desk in the last hours, to link to an inquiry."""
    return list(
        session.scalars(
            select(Appointment)
            .where(
                Appointment.booked_by_id == person.id,
                Appointment.status != AppointmentStatus.CANCELLED,
                Appointment.created_at >= now - HANDOVER_WINDOW,
            )
            .order_by(Appointment.created_at.desc())
            .limit(10)
        )
    )
