"""A topic group's custom questions on its booking form: add, edit, reorder, remove.

At most ten per group; positions are 0, 1, 2 ... without gaps.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from scheduler.administration.common import audit, clean_text, require_admin
from scheduler.errors import InputError
from scheduler.models import GroupQuestion, Person, TopicGroup
from scheduler.reasons import _

MAX_QUESTIONS = 10


def _question(group: TopicGroup, question_id: int) -> GroupQuestion:
    found = next((q for q in group.questions if q.id == question_id), None)
    if found is None:
        raise InputError.field("question", _("no such question in this group"))
    return found


def add_question(
    session: Session,
    actor: Person,
    group: TopicGroup,
    label: str,
    help_text: str | None = None,
    required: bool = False,
) -> GroupQuestion:
    require_admin(actor)
    text = clean_text(label, "label", max_length=300, required=True)
    hint = clean_text(help_text, "help_text", max_length=500) or None
    if len(group.questions) >= MAX_QUESTIONS:
        raise InputError.field(
            "label", _("a group may ask at most %(count)s questions", count=MAX_QUESTIONS)
        )
    position = max((q.position for q in group.questions), default=-1) + 1
    question = GroupQuestion(position=position, label=text, help_text=hint, required=required)
    group.questions.append(question)
    session.flush()
    _audit(session, actor, group, "added", question.label)
    return question


def update_question(
    session: Session,
    actor: Person,
    group: TopicGroup,
    question_id: int,
    label: str,
    help_text: str | None = None,
    required: bool = False,
) -> GroupQuestion:
    require_admin(actor)
    question = _question(group, question_id)
    question.label = clean_text(label, "label", max_length=300, required=True)
    question.help_text = clean_text(help_text, "help_text", max_length=500) or None
    question.required = required
    session.flush()
    _audit(session, actor, group, "changed", question.label)
    return question


def move_question(
    session: Session, actor: Person, group: TopicGroup, question_id: int, step: int
) -> None:
    """Move a question one place up (``step`` -1) or down (+1); no-op at either end."""
    require_admin(actor)
    if step not in (-1, 1):
        raise InputError.field("step", _("must be up or down"))
    ordered = sorted(group.questions, key=lambda q: q.position)
    question = _question(group, question_id)
    i = ordered.index(question)
    j = i + step
    if not 0 <= j < len(ordered):
        return
    other = ordered[j]
    a, b = question.position, other.position
    # (group, position) is unique: park one of them while they swap.
    question.position = -1
    session.flush()
    other.position = a
    session.flush()
    question.position = b
    session.flush()
    _reorder(session, group)
    _audit(session, actor, group, "moved", question.label)


def remove_question(session: Session, actor: Person, group: TopicGroup, question_id: int) -> None:
    require_admin(actor)
    question = _question(group, question_id)
    group.questions.remove(question)
    session.flush()
    _reorder(session, group)
    _audit(session, actor, group, "removed", question.label)


def _reorder(session: Session, group: TopicGroup) -> None:
    """Close gaps in the positions, one row at a time (the unique key allows no swap)."""
    for new, question in enumerate(sorted(group.questions, key=lambda q: q.position)):
        if question.position != new:
            question.position = new
            session.flush()
    session.expire(group, ["questions"])


def _audit(session: Session, actor: Person, group: TopicGroup, what: str, label: str) -> None:
    audit(
        session,
        actor,
        f"topic_group.question_{what}",
        f"topic_group:{group.id}",
        {"question": label},
    )
