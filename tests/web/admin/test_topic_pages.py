"""Topic and booking-page (topic group) administration: admins only, field errors."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from scheduler.models import GroupQuestion, Role, Topic, TopicGroup

EN = {"Accept-Language": "en"}


@pytest.fixture
def admin(create_person, login):
    person = create_person(Role.ADMIN)
    login(person)
    return person


@pytest.mark.parametrize("role", [Role.SECTION_LEADER, Role.LIBRARIAN, Role.FIRST_LINE])
def test_non_admins_get_403(
    client, create_person, login, create_topic, create_topic_group, role
) -> None:
    login(create_person(role))
    topic, group = create_topic(), create_topic_group()
    for url in [
        "/admin/topics",
        "/admin/topics/new",
        f"/admin/topics/{topic.id}",
        "/admin/topic-groups",
        f"/admin/topic-groups/{group.id}",
    ]:
        assert client.get(url).status_code == 403, url
    response = client.post(
        f"/admin/topic-groups/{group.id}/questions", data={"action": "add", "question-label": "Q"}
    )
    assert response.status_code == 403
    assert client.post(f"/admin/topics/{topic.id}/remove").status_code == 403


def test_admin_creates_a_group_with_a_question_and_a_topic(
    client, db, admin, create_person
) -> None:
    ada = create_person(Role.LIBRARIAN, name="Ada Librarian")
    response = client.post(
        "/admin/topic-groups/new",
        data={
            "name": "Health sciences",
            "slug": "health",
            "intro": "Book a health librarian.",
            "allowed_email_domains": "uni.example",
            "position": "0",
        },
    )
    assert response.status_code == 302
    group = db.session.scalar(select(TopicGroup).where(TopicGroup.slug == "health"))
    assert group.email_domains == ["uni.example"]
    url = f"/admin/topic-groups/{group.id}/questions"
    data = {"action": "add", "question-label": "Study programme", "question-required": "y"}
    assert client.post(url, data=data).status_code == 302
    client.post(url, data={"action": "add", "question-label": "Course code"})
    second = db.session.scalar(select(GroupQuestion).where(GroupQuestion.label == "Course code"))
    assert client.post(url, data={"action": "up", "question": second.id}).status_code == 302
    labels = db.session.scalars(
        select(GroupQuestion.label)
        .where(GroupQuestion.group_id == group.id)
        .order_by(GroupQuestion.position)
    ).all()
    assert labels == ["Course code", "Study programme"]
    response = client.post(
        "/admin/topics/new",
        data={"name": "Nursing", "slug": "nursing", "group": str(group.id), "people": [ada.id]},
    )
    assert response.status_code == 302
    topic = db.session.scalar(select(Topic).where(Topic.slug == "nursing"))
    assert (topic.group_id, [p.id for p in topic.people]) == (group.id, [ada.id])
    page = client.get(f"/admin/topics/{topic.id}").get_data(as_text=True)
    assert (
        f'value="{ada.id}" checked' in page
        or f'checked id="people-0" name="people" type="checkbox" value="{ada.id}"' in page
    )


def test_a_domain_that_is_not_a_domain_shows_on_the_field(client, db, admin) -> None:
    response = client.post(
        "/admin/topic-groups/new",
        data={
            "name": "Law",
            "slug": "law",
            "allowed_email_domains": "uni.example, not_a domain",
            "position": "0",
        },
        headers=EN,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="allowed_email_domains-error"' in html
    assert "is not a domain name" in html
    assert db.session.scalar(select(func.count()).select_from(TopicGroup)) == 0


def test_duplicate_topic_slug_shows_on_the_field(client, db, admin, create_topic) -> None:
    create_topic(slug="law")
    response = client.post(
        "/admin/topics/new", data={"name": "Law 2", "slug": "law", "group": ""}, headers=EN
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="slug-error"' in html
    assert "already used" in html
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 1


def test_an_empty_question_is_refused(client, db, admin, create_topic_group) -> None:
    group = create_topic_group()
    response = client.post(
        f"/admin/topic-groups/{group.id}/questions",
        data={"action": "add", "question-label": " "},
        headers=EN,
    )
    assert response.status_code == 422
    assert 'id="question-label-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(GroupQuestion)) == 0


def test_topics_search(client, admin, create_topic) -> None:
    create_topic(name="Reference management")
    create_topic(name="Nursing")
    html = client.get("/admin/topics?q=refer").get_data(as_text=True)
    assert "Reference management" in html
    assert "Nursing" not in html


def test_a_refused_question_edit_shows_on_that_question(
    client, db, admin, create_topic_group
) -> None:
    group = create_topic_group()
    client.post(
        f"/admin/topic-groups/{group.id}/questions",
        data={"action": "add", "question-label": "Study programme"},
    )
    question = db.session.scalar(select(GroupQuestion))
    response = client.post(
        f"/admin/topic-groups/{group.id}/questions",
        data={"action": "update", "question": question.id, f"q{question.id}-label": ""},
        headers=EN,
    )
    assert response.status_code == 422
    assert f'id="q{question.id}-label-error"' in response.get_data(as_text=True)
    db.session.refresh(question)
    assert question.label == "Study programme"
