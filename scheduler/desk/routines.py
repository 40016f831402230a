"""The routine matrix: type of question → our solution and wording → where we refer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from scheduler.desk.roles import require_leader
from scheduler.models import Actor, Library, Person, RoutineRow
from scheduler.reasons import _, input_error


@dataclass(frozen=True)
class RoutineInput:
    question_type: str
    solution: str
    actor_id: int | None = None


def library_routines(session: Session, library_id: int) -> list[RoutineRow]:
    return list(
        session.scalars(
            select(RoutineRow)
            .where(RoutineRow.library_id == library_id)
            .options(selectinload(RoutineRow.actor))
            .order_by(RoutineRow.position, RoutineRow.id)
        )
    )


def save_routine(
    session: Session,
    actor: Person,
    library: Library,
    data: RoutineInput,
    row: RoutineRow | None = None,
) -> RoutineRow:
    """Add a row at the end of the matrix, or change one."""
    require_leader(actor, library.id)
    question_type = (data.question_type or "").strip()
    solution = (data.solution or "").strip()
    errors: dict[str, str] = {}
    if not question_type:
        errors["question_type"] = _("is required")
    elif len(question_type) > 200:
        errors["question_type"] = _("at most %(num)s characters", num=200)
    if not solution:
        errors["solution"] = _("is required")
    elif len(solution) > 4000:
        errors["solution"] = _("at most %(num)s characters", num=4000)
    if data.actor_id is not None:
        target = session.get(Actor, data.actor_id)
        if target is None or target.library_id != library.id:
            errors["actor"] = _("does not belong to this library")
    if errors:
        raise input_error(errors)
    if row is None:
        last = session.scalar(
            select(func.coalesce(func.max(RoutineRow.position), -1)).where(
                RoutineRow.library_id == library.id
            )
        )
        row = RoutineRow(library_id=library.id, position=int(last or 0) + 1)
        session.add(row)
    row.question_type = question_type
    row.solution = solution
    row.actor_id = data.actor_id
    session.flush()
    return row


def delete_routine(session: Session, actor: Person, row: RoutineRow) -> None:
    require_leader(actor, row.library_id)
    session.delete(row)
    session.flush()
