"""Writing content in each language: who may, what is stored, and bad input."""

from __future__ import annotations

from scheduler.models import Role

EN = {"Accept-Language": "en"}


def test_an_admin_writes_a_topic_in_swedish_and_the_page_shows_it(
    client, db, login, create_person, create_topic
) -> None:
    topic = create_topic(name="Nursing", slug="nursing")
    db.session.commit()
    login(create_person(Role.ADMIN))
    url = f"/staff/translations/topic/{topic.id}"
    page = client.get(url, headers=EN)
    assert page.status_code == 200
    assert 'name="name_sv"' in page.get_data(as_text=True)
    saved = client.post(url, data={"name_sv": "Omvårdnad", "description_sv": ""}, headers=EN)
    assert saved.status_code == 303
    db.session.expire_all()
    assert topic.translations == {"sv": {"name": "Omvårdnad"}}
    swedish = client.get("/book/topic/nursing", headers={"Accept-Language": "sv"})
    assert "Omvårdnad" in swedish.get_data(as_text=True)


def test_a_text_too_long_names_the_field_and_changes_nothing(
    client, db, login, create_person, create_library
) -> None:
    library = create_library(name="Main")
    db.session.commit()
    login(create_person(Role.ADMIN))
    response = client.post(
        f"/staff/translations/library/{library.id}",
        data={"name_sv": "x" * 201, "name_nb": "Hovedbiblioteket"},
        headers=EN,
    )
    assert response.status_code == 422
    assert "name_sv" in response.get_data(as_text=True)
    db.session.expire_all()
    assert library.translations is None  # the good language was not kept either


def test_only_administrators_translate_libraries_and_unknown_kinds_are_404(
    client, db, login, create_person, create_library
) -> None:
    library = create_library(name="Main")
    db.session.commit()
    login(create_person(Role.SECTION_LEADER, libraries=[library]))
    url = f"/staff/translations/library/{library.id}"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"name_sv": "X"}).status_code == 403
    assert client.get("/staff/translations/planet/1").status_code == 404
    assert client.get(f"/staff/translations/library/{library.id + 99}").status_code == 404
