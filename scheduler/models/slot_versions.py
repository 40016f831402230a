"""A version number per librarian, bumped in the transaction of every write that changes
when that librarian can be booked; the free-slot cache trusts an entry only while the
version it was computed at is still current (see scheduler.booking.slot_cache)."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.models.base import Base

# The row that stands for "every librarian" (closed dates, a library's time zone).
EVERYONE = 0


class AvailabilityVersion(Base):
    __tablename__ = "availability_versions"

    # A person's id, or EVERYONE; no foreign key: row 0 is nobody, and a deleted person's
    # row is harmless.
    librarian_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
