"""Topics students book by: name, slug, description, booking page (group), who covers it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from scheduler.administration.common import (
    Removal,
    audit,
    audit_removal,
    check_unique,
    clean_slug,
    clean_text,
    count,
    require_admin,
)
from scheduler.errors import InputError
from scheduler.models import Appointment, DropInSession, Person, Topic, TopicGroup
from scheduler.reasons import _


@dataclass(frozen=True)
class TopicInput:
    name: str
    slug: str
    description: str | None = None
    group_id: int | None = None
    people_ids: Sequence[int] = field(default_factory=tuple)


def list_topics(session: Session, actor: Person, q: str = "") -> list[Topic]:
    """Every topic (deactivated ones too) by name; ``q`` searches name and slug."""
    require_admin(actor)
    stmt = (
        select(Topic)
        .options(selectinload(Topic.people), selectinload(Topic.group))
        .order_by(Topic.name)
    )
    q = q.strip().lower()
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(func.lower(Topic.name).like(like), Topic.slug.like(like)))
    return list(session.scalars(stmt))


def save_topic(session: Session, actor: Person, topic: Topic | None, data: TopicInput) -> Topic:
    """Create (``topic`` None) or change a topic and the people who cover it."""
    require_admin(actor)
    name = clean_text(data.name, "name", max_length=200, required=True)
    slug = clean_slug(data.slug)
    check_unique(session, Topic.slug, slug, topic.id if topic else None, "slug")
    description = clean_text(data.description, "description", max_length=5000) or None
    group = None
    if data.group_id is not None:
        group = session.get(TopicGroup, data.group_id)
        if group is None:
            raise InputError.field("group", _("no such topic group"))
    wanted = set(data.people_ids)
    people = list(session.scalars(select(Person).where(Person.id.in_(wanted)))) if wanted else []
    if len(people) != len(wanted):
        raise InputError.field("people", _("no such person"))
    if topic is None:
        topic = Topic()
        session.add(topic)
    topic.name, topic.slug, topic.description, topic.group = name, slug, description, group
    topic.people = sorted(people, key=lambda p: p.name)
    session.flush()
    audit(
        session,
        actor,
        "topic.saved",
        f"topic:{topic.id}",
        {"slug": slug, "people": sorted(p.id for p in people)},
    )
    return topic


def topic_references(session: Session, topic_id: int) -> dict[str, int]:
    found = {
        "appointments": count(
            session, select(Appointment.id).where(Appointment.topic_id == topic_id)
        ),
        "dropin_sessions": count(
            session, select(DropInSession.id).where(DropInSession.topic_id == topic_id)
        ),
    }
    return {kind: n for kind, n in found.items() if n}


def remove_topic(session: Session, actor: Person, topic: Topic) -> Removal:
    """Delete a topic no booking or session refers to; otherwise deactivate it."""
    require_admin(actor)
    references = topic_references(session, topic.id)
    removal = Removal(deleted=not references, references=references)
    audit_removal(session, actor, "topic", topic.id, removal)
    if references:
        topic.active = False
    else:
        session.delete(topic)
    session.flush()
    return removal


def reactivate_topic(session: Session, actor: Person, topic: Topic) -> Topic:
    require_admin(actor)
    topic.active = True
    audit(session, actor, "topic.reactivated", f"topic:{topic.id}")
    session.flush()
    return topic
