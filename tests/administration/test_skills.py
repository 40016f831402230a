"""Skills through the use cases: codes that rules and shifts use are kept."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select

from scheduler.administration import skills
from scheduler.administration.skills import SkillInput
from scheduler.errors import Forbidden, InputError
from scheduler.models import DemandRule, Role, Skill


@pytest.fixture
def admin(create_person):
    return create_person(Role.ADMIN)


def test_admin_creates_and_renames_a_skill(db, admin) -> None:
    skill = skills.save_skill(db.session, admin, None, SkillInput(code="Chat", name="Chat"))
    assert skill.code == "chat"
    skills.save_skill(db.session, admin, skill, SkillInput(code="chat-en", name="Chat (English)"))
    assert (skill.code, skill.name) == ("chat-en", "Chat (English)")


def test_non_admin_is_refused(db, create_person) -> None:
    with pytest.raises(Forbidden):
        skills.save_skill(
            db.session, create_person(Role.SECTION_LEADER), None, SkillInput("desk", "Desk")
        )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (SkillInput("desk", "Another desk"), "code"),
        (SkillInput("two words", "X"), "code"),
        (SkillInput("phone", ""), "name"),
    ],
)
def test_bad_input_names_the_field(db, admin, data, field) -> None:
    skills.save_skill(db.session, admin, None, SkillInput("desk", "Desk"))
    with pytest.raises(InputError) as caught:
        skills.save_skill(db.session, admin, None, data)
    assert field in caught.value.fields
    assert db.session.scalars(select(Skill.code)).all() == ["desk"]


def test_a_skill_a_rule_asks_for_keeps_its_code_and_is_deactivated(
    db, admin, create_service_point
) -> None:
    skill = skills.save_skill(db.session, admin, None, SkillInput("chat", "Chat"))
    unused = skills.save_skill(db.session, admin, None, SkillInput("phone", "Phone"))
    db.session.add(
        DemandRule(
            service_point=create_service_point(),
            weekdays="01234",
            start_time=time(9),
            end_time=time(15),
            skills="desk,chat",
        )
    )
    db.session.flush()
    with pytest.raises(InputError) as caught:
        skills.save_skill(db.session, admin, skill, SkillInput("chat2", "Chat"))
    assert "code" in caught.value.fields
    removal = skills.remove_skill(db.session, admin, skill)
    assert (removal.deleted, removal.references) == (False, {"demand_rules": 1})
    assert skill.active is False
    assert skills.remove_skill(db.session, admin, unused).deleted
