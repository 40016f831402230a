"""Skill administration: admins only, field errors, deactivation when in use."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from scheduler.models import Role, Skill

EN = {"Accept-Language": "en"}


@pytest.fixture
def admin(create_person, login):
    person = create_person(Role.ADMIN)
    login(person)
    return person


def test_non_admin_gets_403(client, create_person, login) -> None:
    login(create_person(Role.SECTION_LEADER))
    assert client.get("/admin/skills").status_code == 403
    assert client.post("/admin/skills/new", data={"code": "x", "name": "X"}).status_code == 403


def test_admin_adds_a_skill_and_a_bad_code_is_refused(client, db, admin) -> None:
    assert (
        client.post("/admin/skills/new", data={"code": "chat", "name": "Chat"}).status_code == 302
    )
    response = client.post("/admin/skills/new", data={"code": "chat", "name": "Chat 2"}, headers=EN)
    assert response.status_code == 422
    assert 'id="code-error"' in response.get_data(as_text=True)
    response = client.post("/admin/skills/new", data={"code": "a b", "name": "AB"}, headers=EN)
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Skill)) == 1


def test_a_skill_people_have_is_deactivated(client, db, admin, create_person) -> None:
    create_person(Role.FIRST_LINE, skills=["desk"])
    skill = db.session.scalar(select(Skill).where(Skill.code == "desk"))
    response = client.post(f"/admin/skills/{skill.id}/remove", headers=EN, follow_redirects=True)
    assert "Deactivated Desk: 1 person refer to it." in response.get_data(as_text=True)
    assert db.session.get(Skill, skill.id).active is False
    html = client.get("/admin/skills", headers=EN).get_data(as_text=True)
    assert "Deactivated" in html
    assert "Reactivate" in html
