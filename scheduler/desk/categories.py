"""The library's own list of question categories (what the desk taps after an inquiry)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.desk.roles import require_leader
from scheduler.models import InquiryCategory, Library, Person
from scheduler.reasons import _, input_error


def library_categories(
    session: Session, library_id: int, *, active_only: bool = True
) -> list[InquiryCategory]:
    query = select(InquiryCategory).where(InquiryCategory.library_id == library_id)
    if active_only:
        query = query.where(InquiryCategory.active.is_(True))
    return list(session.scalars(query.order_by(InquiryCategory.position, InquiryCategory.name)))


def add_category(session: Session, actor: Person, library: Library, name: str) -> InquiryCategory:
    """Add a category at the end of the list (or take a removed one back into use)."""
    require_leader(actor, library.id)
    name = (name or "").strip()
    if not name:
        raise input_error({"name": _("is required")})
    if len(name) > 100:
        raise input_error({"name": _("at most %(num)s characters", num=100)})
    existing = session.scalar(
        select(InquiryCategory).where(
            InquiryCategory.library_id == library.id,
            func.lower(InquiryCategory.name) == name.lower(),
        )
    )
    if existing is not None:
        if existing.active:
            raise input_error({"name": _("is already a category")})
        existing.active = True
        session.flush()
        return existing
    last = session.scalar(
        select(func.coalesce(func.max(InquiryCategory.position), -1)).where(
            InquiryCategory.library_id == library.id
        )
    )
    category = InquiryCategory(library_id=library.id, name=name, position=int(last or 0) + 1)
    session.add(category)
    session.flush()
    return category


def retire_category(session: Session, actor: Person, category: InquiryCategory) -> None:
    """Take a category off the desk's buttons; logged inquiries keep it."""
    require_leader(actor, category.library_id)
    category.active = False
    session.flush()
