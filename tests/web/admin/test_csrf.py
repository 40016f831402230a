"""Administration forms need their CSRF token: without it nothing is saved (400)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from scheduler.models import Library, Role, Skill, Topic


@pytest.fixture
def app_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


@pytest.mark.parametrize(
    ("page", "data", "model"),
    [
        (
            "/admin/libraries/new",
            {"name": "L", "slug": "l", "timezone": "UTC", "position": "0"},
            Library,
        ),
        ("/admin/topics/new", {"name": "T", "slug": "t", "group": ""}, Topic),
        ("/admin/skills/new", {"code": "desk", "name": "Desk"}, Skill),
    ],
)
def test_a_form_without_its_token_saves_nothing(
    client, db, create_person, login, page, data, model
) -> None:
    login(create_person(Role.ADMIN))
    count = select(func.count()).select_from(model)
    assert client.post(page, data=data).status_code == 400
    assert db.session.scalar(count) == 0
    token = re.search(
        r'name="csrf_token"[^>]* value="([^"]+)"', client.get(page).get_data(as_text=True)
    )
    assert token
    assert client.post(page, data={**data, "csrf_token": token.group(1)}).status_code == 302
    assert db.session.scalar(count) == 1
