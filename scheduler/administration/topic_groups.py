"""Topic groups (the public booking pages): name, slug, intro, who may book, order."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
from scheduler.models import Appointment, Person, Topic, TopicGroup
from scheduler.reasons import _

# A host name with at least two labels and a top-level label of letters (uni.example).
_DOMAIN = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


@dataclass(frozen=True)
class GroupInput:
    name: str
    slug: str
    intro: str | None = None
    # Separated by commas, spaces or new lines; empty: anyone may book.
    allowed_email_domains: str | None = None
    position: int = 0
    # Every booking waits for a link sent to the address (scheduler.booking.confirmation).
    confirm_by_email: bool = False


def parse_domains(raw: str | None, name: str = "allowed_email_domains") -> list[str]:
    """The e-mail domains, lower-cased and without duplicates; InputError on a non-domain."""
    domains: list[str] = []
    for part in re.split(r"[\s,;]+", (raw or "").strip().lower()):
        if not part:
            continue
        part = part.removeprefix("@")
        if not _DOMAIN.fullmatch(part):
            raise InputError.field(name, _("%(value)s is not a domain name", value=part))
        if part not in domains:
            domains.append(part)
    if len(",".join(domains)) > 500:
        raise InputError.field(name, _("is longer than %(count)s characters", count=500))
    return domains


def list_groups(session: Session, actor: Person, q: str = "") -> list[TopicGroup]:
    require_admin(actor)
    stmt = (
        select(TopicGroup)
        .options(selectinload(TopicGroup.topics), selectinload(TopicGroup.questions))
        .order_by(TopicGroup.position, TopicGroup.name)
    )
    q = q.strip().lower()
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(func.lower(TopicGroup.name).like(like), TopicGroup.slug.like(like)))
    return list(session.scalars(stmt))


def save_group(
    session: Session, actor: Person, group: TopicGroup | None, data: GroupInput
) -> TopicGroup:
    """Create (``group`` None) or change a topic group."""
    require_admin(actor)
    name = clean_text(data.name, "name", max_length=200, required=True)
    slug = clean_slug(data.slug)
    check_unique(session, TopicGroup.slug, slug, group.id if group else None, "slug")
    intro = clean_text(data.intro, "intro", max_length=5000) or None
    domains = parse_domains(data.allowed_email_domains)
    if not 0 <= data.position <= 10_000:
        raise InputError.field("position", _("must be between 0 and 10000"))
    if group is None:
        group = TopicGroup()
        session.add(group)
    group.name, group.slug, group.intro, group.position = name, slug, intro, data.position
    group.allowed_email_domains = ",".join(domains) or None
    group.confirm_by_email = bool(data.confirm_by_email)
    session.flush()
    audit(
        session,
        actor,
        "topic_group.saved",
        f"topic_group:{group.id}",
        {"domains": domains, "confirm_by_email": group.confirm_by_email},
    )
    return group


def group_references(session: Session, group_id: int) -> dict[str, int]:
    """Bookings of the group's topics (their answers are to the group's questions)."""
    topics = select(Topic.id).where(Topic.group_id == group_id)
    n = count(session, select(Appointment.id).where(Appointment.topic_id.in_(topics)))
    return {"appointments": n} if n else {}


def remove_group(session: Session, actor: Person, group: TopicGroup) -> Removal:
    """Delete a group no booking refers to (its topics become ungrouped); else deactivate."""
    require_admin(actor)
    references = group_references(session, group.id)
    removal = Removal(deleted=not references, references=references)
    audit_removal(session, actor, "topic_group", group.id, removal)
    if references:
        group.active = False
    else:
        for topic in list(group.topics):
            topic.group = None
        session.delete(group)
    session.flush()
    return removal


def reactivate_group(session: Session, actor: Person, group: TopicGroup) -> TopicGroup:
    require_admin(actor)
    group.active = True
    audit(session, actor, "topic_group.reactivated", f"topic_group:{group.id}")
    session.flush()
    return group
