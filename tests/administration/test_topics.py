"""Topics, topic groups (booking pages) and their questions, through the use cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from scheduler.administration import group_questions, topic_groups, topics
from scheduler.administration.topic_groups import GroupInput
from scheduler.administration.topics import TopicInput
from scheduler.errors import Forbidden, InputError
from scheduler.models import Appointment, Mode, Role, Topic, TopicGroup


@pytest.fixture
def admin(create_person):
    return create_person(Role.ADMIN)


def _book(db, librarian, topic) -> Appointment:
    start = datetime(2027, 3, 1, 9, tzinfo=UTC)
    row = Appointment(
        librarian_id=librarian.id,
        topic_id=topic.id,
        mode=Mode.IN_PERSON,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        blocked_until=start + timedelta(minutes=30),
        manage_token_hash=f"h{topic.id}",
    )
    db.session.add(row)
    db.session.flush()
    return row


def test_admin_creates_a_topic_in_a_group_with_people(db, admin, create_person) -> None:
    group = topic_groups.save_group(
        db.session, admin, None, GroupInput(name="Health", slug="health")
    )
    ada = create_person(Role.LIBRARIAN, name="Ada")
    topic = topics.save_topic(
        db.session,
        admin,
        None,
        TopicInput(name="Nursing", slug="nursing", group_id=group.id, people_ids=[ada.id]),
    )
    assert topic.group is group
    assert topic.people == [ada]
    assert ada.topics == [topic]


def test_non_admins_are_refused(db, create_person, create_topic_group) -> None:
    leader = create_person(Role.SECTION_LEADER)
    group = create_topic_group()
    with pytest.raises(Forbidden):
        topics.save_topic(db.session, leader, None, TopicInput(name="X", slug="x"))
    with pytest.raises(Forbidden):
        group_questions.add_question(db.session, leader, group, "Your study programme?")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"slug": "taken"}, "slug"),
        ({"slug": "Bad Slug!"}, "slug"),
        ({"name": ""}, "name"),
        ({"group_id": 999999}, "group"),
        ({"people_ids": [999999]}, "people"),
    ],
)
def test_bad_topic_input_names_the_field(db, admin, create_topic, data, field) -> None:
    create_topic(slug="taken")
    data = {"name": "Law", "slug": "law", **data}
    with pytest.raises(InputError) as caught:
        topics.save_topic(db.session, admin, None, TopicInput(**data))
    assert field in caught.value.fields
    assert db.session.scalar(select(Topic).where(Topic.slug == "law")) is None


@pytest.mark.parametrize("domains", ["uni", "uni..example", "-uni.example", "uni.example/x", "a@b"])
def test_a_domain_that_is_not_a_domain_is_refused(db, admin, domains) -> None:
    with pytest.raises(InputError) as caught:
        topic_groups.save_group(
            db.session,
            admin,
            None,
            GroupInput(name="Law", slug="law", allowed_email_domains=f"uni.example, {domains}"),
        )
    assert "allowed_email_domains" in caught.value.fields
    assert db.session.scalar(select(TopicGroup).where(TopicGroup.slug == "law")) is None


def test_domains_are_cleaned(db, admin) -> None:
    group = topic_groups.save_group(
        db.session,
        admin,
        None,
        GroupInput(
            name="Law",
            slug="law",
            allowed_email_domains="@UNI.example\nstudent.uni.example, uni.example",
        ),
    )
    assert group.email_domains == ["uni.example", "student.uni.example"]


def test_questions_are_added_reordered_and_removed(db, admin, create_topic_group) -> None:
    group = create_topic_group()
    a = group_questions.add_question(db.session, admin, group, "Study programme", required=True)
    b = group_questions.add_question(db.session, admin, group, "Course code")
    c = group_questions.add_question(db.session, admin, group, "Anything else?")
    group_questions.move_question(db.session, admin, group, c.id, -1)
    assert [q.label for q in group.questions] == [
        "Study programme",
        "Anything else?",
        "Course code",
    ]
    group_questions.move_question(db.session, admin, group, a.id, -1)  # already first
    group_questions.remove_question(db.session, admin, group, a.id)
    assert [(q.position, q.label) for q in group.questions] == [
        (0, "Anything else?"),
        (1, "Course code"),
    ]
    group_questions.update_question(db.session, admin, group, b.id, "Course", required=True)
    assert [q.required for q in group.questions] == [False, True]


def test_at_most_ten_questions(db, admin, create_topic_group) -> None:
    group = create_topic_group()
    for i in range(10):
        group_questions.add_question(db.session, admin, group, f"Q{i}")
    with pytest.raises(InputError) as caught:
        group_questions.add_question(db.session, admin, group, "One too many")
    assert "label" in caught.value.fields
    assert len(group.questions) == 10


def test_a_booked_topic_and_its_group_are_deactivated_not_deleted(
    db, admin, create_topic, create_topic_group, create_person
) -> None:
    group = create_topic_group()
    topic = create_topic(group=group)
    _book(db, create_person(Role.LIBRARIAN), topic)
    removal = topics.remove_topic(db.session, admin, topic)
    assert (removal.deleted, removal.references) == (False, {"appointments": 1})
    assert db.session.get(Topic, topic.id).active is False
    removal = topic_groups.remove_group(db.session, admin, group)
    assert (removal.deleted, removal.references) == (False, {"appointments": 1})
    assert db.session.get(TopicGroup, group.id).active is False


def test_an_unused_group_is_deleted_and_its_topics_stay(
    db, admin, create_topic, create_topic_group
) -> None:
    group = create_topic_group()
    topic = create_topic(group=group)
    assert topic_groups.remove_group(db.session, admin, group).deleted
    db.session.refresh(topic)
    assert topic.group_id is None
    assert topics.remove_topic(db.session, admin, topic).deleted
