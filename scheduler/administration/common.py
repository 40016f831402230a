"""What every administration use case shares: the admin check, slugs, texts, removals."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler import access
from scheduler import audit as audit_log
from scheduler.errors import Forbidden, InputError
from scheduler.models import Person
from scheduler.reasons import _

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def require_admin(actor: Person | None) -> None:
    """Refuse with :class:`Forbidden` unless ``actor`` is an active administrator."""
    if actor is None or not actor.is_active or not access.is_admin(actor):
        raise Forbidden(_("Only administrators may change this."))


def clean_text(raw: str | None, name: str, *, max_length: int, required: bool = False) -> str:
    """Stripped text; InputError when it is required and empty, or too long."""
    value = (raw or "").strip()
    if required and not value:
        raise InputError.field(name, _("is required"))
    if len(value) > max_length:
        raise InputError.field(name, _("is longer than %(count)s characters", count=max_length))
    return value


def clean_slug(raw: str | None, name: str = "slug") -> str:
    """A web address part: lower-case letters, digits and single hyphens."""
    value = clean_text(raw, name, max_length=64, required=True).lower()
    if not SLUG.fullmatch(value):
        raise InputError.field(
            name, _("may contain only lower-case letters a-z, digits and single hyphens")
        )
    return value


def check_unique(session: Session, column, value: str, own_id: int | None, name: str) -> None:
    """Refuse ``value`` when another row already has it in ``column`` (case-blind)."""
    model = column.class_
    stmt = select(model.id).where(func.lower(column) == value.lower())
    if own_id is not None:
        stmt = stmt.where(model.id != own_id)
    if session.scalar(stmt.limit(1)) is not None:
        raise InputError.field(name, _("%(value)s is already used", value=value))


@dataclass(frozen=True)
class Removal:
    """The outcome of removing a row: deleted, or deactivated because history refers to it.

    ``references`` counts what refers to it by kind ("appointments": 12, ...), so the
    page can say "Deactivated: 12 bookings refer to it"."""

    deleted: bool
    references: dict[str, int] = field(default_factory=dict)


def count(session: Session, stmt) -> int:
    return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def audit(
    session: Session, actor: Person, action: str, subject: str, details: dict | None = None
) -> None:
    """Record who changed which part of the set-up (the audit log admins and leaders read)."""
    kind, _sep, ident = subject.partition(":")
    audit_log.record(
        session,
        action,
        actor=actor,
        subject=subject,
        details=details,
        library_id=int(ident) if kind == "library" and ident.isdigit() else None,
    )


def audit_removal(
    session: Session, actor: Person, kind: str, row_id: int, removal: Removal
) -> None:
    action = f"{kind}.deleted" if removal.deleted else f"{kind}.deactivated"
    audit(session, actor, action, f"{kind}:{row_id}", {"references": removal.references})
