"""The actor directory: outside services the desk refers people to, and the search over
it and the routine matrix that the desk page runs on every keystroke."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from scheduler.desk.roles import require_desk, require_leader
from scheduler.models import Actor, Library, Person, RoutineRow
from scheduler.reasons import _, input_error

_LIMITS = {
    "name": 200,
    "helps_with": 2000,
    "url": 500,
    "phone": 50,
    "opening_hours": 200,
    "languages": 200,
}


@dataclass(frozen=True)
class ActorInput:
    name: str
    helps_with: str | None = None
    url: str | None = None
    phone: str | None = None
    opening_hours: str | None = None
    languages: str | None = None


def _clean(data: ActorInput) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    errors: dict[str, str] = {}
    for field, limit in _LIMITS.items():
        text = (getattr(data, field) or "").strip()
        if len(text) > limit:
            errors[field] = _("at most %(num)s characters", num=limit)
        values[field] = text or None
    if not values["name"]:
        errors["name"] = _("is required")
    url = values["url"]
    if url and not url.lower().startswith(("https://", "http://")):
        errors["url"] = _("must start with https:// or http://")
    if errors:
        raise input_error(errors)
    return values


def library_actors(session: Session, library_id: int) -> list[Actor]:
    return list(
        session.scalars(
            select(Actor)
            .where(Actor.library_id == library_id, Actor.active.is_(True))
            .order_by(func.lower(Actor.name))
        )
    )


def save_actor(
    session: Session, actor: Person, library: Library, data: ActorInput, row: Actor | None = None
) -> Actor:
    """Add an actor to the library's directory, or change one."""
    require_leader(actor, library.id)
    values = _clean(data)
    clash = session.scalar(
        select(Actor).where(
            Actor.library_id == library.id, func.lower(Actor.name) == str(values["name"]).lower()
        )
    )
    if clash is not None and clash is not row:
        raise input_error({"name": _("is already in the directory")})
    if row is None:
        row = Actor(library_id=library.id)
        session.add(row)
    for field, value in values.items():
        setattr(row, field, value)
    row.active = True
    session.flush()
    return row


def retire_actor(session: Session, actor: Person, row: Actor) -> None:
    """Out of the directory; inquiries already referred there keep the name."""
    require_leader(actor, row.library_id)
    row.active = False
    session.flush()


@dataclass(frozen=True)
class SearchResult:
    actors: list[Actor]
    routines: list[RoutineRow]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_directory(session: Session, actor: Person, library_id: int, query: str) -> SearchResult:
    """Actors and routine rows whose words contain every word of ``query`` (any case)."""
    require_desk(actor, library_id)
    words = [w for w in (query or "").lower().split() if w][:5]
    actors = select(Actor).where(Actor.library_id == library_id, Actor.active.is_(True))
    routines = (
        select(RoutineRow)
        .outerjoin(Actor, RoutineRow.actor_id == Actor.id)
        .where(RoutineRow.library_id == library_id)
    )
    for word in words:
        pattern = f"%{_escape_like(word)}%"
        actors = actors.where(
            or_(
                *(
                    func.lower(func.coalesce(col, "")).like(pattern, escape="\\")
                    for col in (Actor.name, Actor.helps_with, Actor.languages)
                )
            )
        )
        routines = routines.where(
            or_(
                *(
                    func.lower(func.coalesce(col, "")).like(pattern, escape="\\")
                    for col in (RoutineRow.question_type, RoutineRow.solution, Actor.name)
                )
            )
        )
    return SearchResult(
        actors=list(session.scalars(actors.order_by(func.lower(Actor.name)).limit(20))),
        routines=list(
            session.scalars(routines.order_by(RoutineRow.position, RoutineRow.id).limit(20))
        ),
    )
