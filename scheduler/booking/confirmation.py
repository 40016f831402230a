"""When a booking or a registration must wait for a link sent to the address.

Anyone can type any address, and each booking or registration makes the library write
to it. A topic group or a drop-in series may ask for confirmation every time; otherwise
an address gets :attr:`~scheduler.site.Site.daily_unconfirmed` bookings and
registrations a day (together, the last 24 hours) without it, and each one beyond waits
until the link is followed, holding its time or place for ``site.hold_minutes``. This
is on top of the per-client rate limits, which count requests, not addresses.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.models import Appointment, Registration
from scheduler.site import Site


def made_today(session: Session, email: str, site: Site) -> int:
    """Bookings (not the desk's) and sign-ups (several sessions at once count once) that
    ``email`` made in the last 24 hours, confirmed or not."""
    since = site.now - timedelta(days=1)
    bookings = session.scalar(
        select(func.count()).where(
            Appointment.patron_email == email,
            Appointment.booked_by_id.is_(None),
            Appointment.created_at >= since,
        )
    )
    signups = session.scalar(
        select(func.count(func.distinct(Registration.manage_token_hash))).where(
            Registration.email == email, Registration.created_at >= since
        )
    )
    return int(bookings or 0) + int(signups or 0)


def must_confirm(session: Session, email: str, site: Site, *, always: bool) -> bool:
    """Whether this booking or sign-up waits for the address to be confirmed."""
    return always or made_today(session, email, site) >= site.daily_unconfirmed
