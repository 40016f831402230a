"""The leader's look at the free text of the log before it is purged: what was asked,
what staff thought, and whether it may be kept (marked anonymised)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from scheduler.desk.roles import require_leader
from scheduler.models import Inquiry, Person

LIMIT = 200


def texts_to_review(session: Session, actor: Person, library_id: int) -> list[Inquiry]:
    """The newest entries of the library that still carry a description or reflection."""
    require_leader(actor, library_id)
    return list(
        session.scalars(
            select(Inquiry)
            .where(
                Inquiry.library_id == library_id,
                or_(Inquiry.description.is_not(None), Inquiry.reflection.is_not(None)),
            )
            .options(selectinload(Inquiry.category))
            .order_by(Inquiry.asked_at.desc(), Inquiry.id.desc())
            .limit(LIMIT)
        )
    )
