"""A published roster for self-service tests, two weeks ahead so that every shift is future.

The roster of ``review_data`` (Anna Mon 08–12, Bo Tue 08–12, Cai Wed 08–12, Cai away on
Monday; everyone 4–8 h a week), plus Bo on the optional Thursday 08–10 desk shift, so
that Bo has 6 hours and can give one shift away without falling below his minimum.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from scheduler.models import Assignment, OutboundEmail, PublishedShift, PublishedShiftStatus
from scheduler.rostering.publish import publish
from scheduler.rostering.request_state import Context, Links
from scheduler.site import Site
from tests.rostering.review_data import Roster, make_roster, next_monday

CTX = Context(Site(public_url="https://library.test"), Links(my_shifts="https://x/my-shifts"))


def published_roster_world(db, create_library, create_person, *, weeks_ahead: int = 1) -> Roster:
    roster = make_roster(
        db, create_library, create_person, monday=next_monday() + timedelta(weeks=weeks_ahead)
    )
    roster.leader.libraries = [roster.period.library]  # the section leader of this library
    db.session.add(Assignment(shift_id=roster.shifts["desk-thu-08"].id, person_id=roster.bo.id))
    db.session.flush()
    publish(db.session, roster.period, actor=roster.leader)
    db.session.commit()
    return roster


def row(db, roster: Roster, key: str, person) -> PublishedShift:
    shift = roster.shifts[key]
    return db.session.scalar(
        select(PublishedShift).where(
            PublishedShift.person_id == person.id,
            PublishedShift.starts_at == shift.starts_at,
            PublishedShift.service_point_id == shift.service_point_id,
        )
    )


def confirmed(db, person) -> list[tuple]:
    """(starts_at, service point) of the person's confirmed published shifts."""
    rows = db.session.scalars(
        select(PublishedShift)
        .where(
            PublishedShift.person_id == person.id,
            PublishedShift.status == PublishedShiftStatus.CONFIRMED,
        )
        .order_by(PublishedShift.starts_at)
    )
    return [(r.starts_at, r.service_point_id) for r in rows]


def mail_count(db) -> int:
    return len(list(db.session.scalars(select(OutboundEmail.id))))


def mails_since(db, count: int) -> list[OutboundEmail]:
    return list(db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id)))[count:]
