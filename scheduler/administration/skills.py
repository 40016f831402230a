"""Skills a shift may require (desk, chat, phone, ...): list, create, edit, remove.

Demand rules and shifts name a skill by its code, so a skill they refer to keeps its
code and is deactivated instead of deleted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from scheduler.administration.common import (
    Removal,
    audit,
    audit_removal,
    check_unique,
    clean_text,
    count,
    require_admin,
)
from scheduler.errors import InputError
from scheduler.models import DemandRule, Person, Shift, Skill
from scheduler.models.people import person_skills
from scheduler.reasons import _

CODE = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")


@dataclass(frozen=True)
class SkillInput:
    code: str
    name: str


def list_skills(session: Session, actor: Person, q: str = "") -> list[Skill]:
    require_admin(actor)
    stmt = select(Skill).order_by(Skill.code)
    q = q.strip().lower()
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(func.lower(Skill.name).like(like), Skill.code.like(like)))
    return list(session.scalars(stmt))


def _uses_code(column, code: str):
    """SQL: the comma-separated ``column`` contains ``code``."""
    return ("," + column + ",").like(f"%,{code},%")


def skill_references(session: Session, skill: Skill) -> dict[str, int]:
    found = {
        "people": count(
            session, select(person_skills.c.person_id).where(person_skills.c.skill_id == skill.id)
        ),
        "demand_rules": count(
            session, select(DemandRule.id).where(_uses_code(DemandRule.skills, skill.code))
        ),
        "shifts": count(session, select(Shift.id).where(_uses_code(Shift.skills, skill.code))),
    }
    return {kind: n for kind, n in found.items() if n}


def save_skill(session: Session, actor: Person, skill: Skill | None, data: SkillInput) -> Skill:
    """Create (``skill`` None) or change a skill; a code in use by rules or shifts stays."""
    require_admin(actor)
    code = clean_text(data.code, "code", max_length=64, required=True).lower()
    if not CODE.fullmatch(code):
        raise InputError.field(
            "code", _("may contain only lower-case letters a-z, digits, hyphens and underscores")
        )
    name = clean_text(data.name, "name", max_length=200, required=True)
    check_unique(session, Skill.code, code, skill.id if skill else None, "code")
    if skill is not None and code != skill.code:
        used = {k: n for k, n in skill_references(session, skill).items() if k != "people"}
        if used:
            raise InputError.field(
                "code", _("cannot change: demand rules or shifts name this skill by its code")
            )
    if skill is None:
        skill = Skill()
        session.add(skill)
    skill.code, skill.name = code, name
    session.flush()
    audit(session, actor, "skill.saved", f"skill:{skill.id}", {"code": code})
    return skill


def remove_skill(session: Session, actor: Person, skill: Skill) -> Removal:
    """Delete a skill nobody has and no rule or shift asks for; otherwise deactivate it."""
    require_admin(actor)
    references = skill_references(session, skill)
    removal = Removal(deleted=not references, references=references)
    audit_removal(session, actor, "skill", skill.id, removal)
    if references:
        skill.active = False
    else:
        session.delete(skill)
    session.flush()
    return removal


def reactivate_skill(session: Session, actor: Person, skill: Skill) -> Skill:
    require_admin(actor)
    skill.active = True
    audit(session, actor, "skill.reactivated", f"skill:{skill.id}")
    session.flush()
    return skill
