"""What an administrator deactivated is no longer offered on the public pages."""

from __future__ import annotations

from sqlalchemy import select

from scheduler.models import Role

EN = {"Accept-Language": "en"}


def test_a_deactivated_topic_and_group_leave_the_booking_pages(
    client, db, create_topic, create_topic_group, create_person
) -> None:
    group = create_topic_group(name="Health sciences", slug="health")
    create_topic(name="Nursing", slug="nursing", group=group)
    create_topic(name="Old subject", slug="old", group=group, active=False)
    create_topic(name="Retired loose topic", slug="loose", active=False)
    create_topic_group(name="Closed page", slug="closed", active=False)
    html = client.get("/book/", headers=EN).get_data(as_text=True)
    assert "Nursing" in html
    for hidden in ("Old subject", "Retired loose topic", "Closed page"):
        assert hidden not in html
    assert client.get("/book/topic/nursing").status_code == 200
    assert client.get("/book/topic/old").status_code == 404
    assert client.get("/book/group/closed").status_code == 404


def test_a_deactivated_library_leaves_the_front_page_and_the_api(
    client, create_library, create_person
) -> None:
    create_library(name="Open Branch")
    create_library(name="Closed Branch", active=False)
    html = client.get("/", headers=EN).get_data(as_text=True)
    assert "Open Branch" in html
    assert "Closed Branch" not in html
    names = [lib["name"] for lib in client.get("/api/v1/libraries").get_json()]
    assert "Open Branch" in names
    assert "Closed Branch" not in names


def test_admin_list_still_shows_deactivated_rows(client, create_topic, create_person, login):
    login(create_person(Role.ADMIN))
    create_topic(name="Old subject", active=False)
    html = client.get("/admin/topics", headers=EN).get_data(as_text=True)
    assert "Old subject" in html
    assert "Reactivate" in html


def test_a_deactivated_library_is_not_offered_for_new_weekly_times(
    client, create_library, create_person, login
) -> None:
    create_library(name="Open Branch")
    create_library(name="Closed Branch", active=False)
    login(create_person(Role.LIBRARIAN))
    html = client.get("/staff/booking/availability", headers=EN).get_data(as_text=True)
    assert "Open Branch" in html
    assert "Closed Branch" not in html


def test_a_deactivated_skill_is_offered_only_where_already_chosen(
    client, db, create_person, create_library, login
) -> None:
    from scheduler.models import Skill

    library = create_library()
    login(create_person(Role.ADMIN))
    member = create_person(Role.FIRST_LINE, skills=["chat"], libraries=[library])
    create_person(skills=["desk"])
    for skill in db.session.scalars(select(Skill)):
        skill.active = False
    html = client.get(f"/leader/setup/{library.id}/demand", headers=EN).get_data(as_text=True)
    assert 'value="chat"' not in html
    assert 'value="desk"' not in html
    html = client.get(f"/leader/setup/{library.id}/pool/{member.id}", headers=EN).get_data(
        as_text=True
    )
    assert 'value="chat"' in html
    assert 'value="desk"' not in html
