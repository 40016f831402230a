"""Administration of people: roles per library, hours, topics, deactivation."""

from __future__ import annotations

from sqlalchemy import select

from scheduler.models import AuditEntry, Person, Role

EN = {"Accept-Language": "en"}


def test_admin_creates_a_person_with_roles_per_library(
    client, db, create_person, create_library, create_topic, login
) -> None:
    login(create_person(Role.ADMIN))
    main, law = create_library(name="Main"), create_library(name="Law")
    topic = create_topic(name="Law and sources")
    page = client.get("/admin/people/new", headers=EN).get_data(as_text=True)
    assert f'value="{law.id}:section_leader"' in page  # the grid: library x role
    response = client.post(
        "/admin/people/new",
        data={
            "name": "Ola Nordmann",
            "email": "Ola@Uni.example",
            "library_roles": [f"{main.id}:first_line", f"{law.id}:librarian"],
            "min_hours_per_week": "4",
            "target_hours_per_week": "6",
            "max_hours_per_week": "8",
            "topics": [str(topic.id)],
            "bookable": "y",
            "active": "y",
            "password": "long enough password",
        },
    )
    assert response.status_code == 302
    ola = db.session.scalar(select(Person).where(Person.email == "ola@uni.example"))
    assert ola.roles_in(main.id) == {Role.FIRST_LINE}
    assert ola.roles_in(law.id) == {Role.LIBRARIAN}
    assert not ola.is_admin
    assert (ola.min_hours_per_week, ola.target_hours_per_week, ola.max_hours_per_week) == (4, 6, 8)
    assert ola.bookable
    assert [t.name for t in ola.topics] == ["Law and sources"]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.subject == f"person:{ola.id}"))
    listing = client.get("/admin/people", headers=EN).get_data(as_text=True)
    assert "Law: Librarian / subject specialist" in listing


def test_editing_roles_takes_them_away_in_one_library_only(
    client, db, create_person, create_library, login
) -> None:
    login(create_person(Role.ADMIN))
    a, b = create_library(), create_library()
    kari = create_person(Role.SECTION_LEADER, libraries=[a, b])
    response = client.post(
        f"/admin/people/{kari.id}",
        data={
            "name": kari.name,
            "email": kari.email,
            "library_roles": [f"{b.id}:section_leader"],
            "min_hours_per_week": "0",
            "active": "y",
        },
    )
    assert response.status_code == 302
    db.session.refresh(kari)
    assert kari.roles_in(a.id) == set()
    assert kari.roles_in(b.id) == {Role.SECTION_LEADER}


def test_hours_out_of_order_are_refused_on_the_field(
    client, db, create_person, create_library, login
) -> None:
    login(create_person(Role.ADMIN))
    lib = create_library()
    response = client.post(
        "/admin/people/new",
        data={
            "name": "Someone",
            "email": "hours@uni.example",
            "library_roles": [f"{lib.id}:first_line"],
            "min_hours_per_week": "8",
            "target_hours_per_week": "10",
            "max_hours_per_week": "6",
        },
        headers=EN,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "must be at least the minimum" in html
    assert "must lie between the minimum and the maximum" in html
    assert db.session.scalar(select(Person).where(Person.email == "hours@uni.example")) is None


def test_deactivating_keeps_the_person(client, db, create_person, login) -> None:
    login(create_person(Role.ADMIN))
    gone = create_person(Role.LIBRARIAN)
    response = client.post(
        f"/admin/people/{gone.id}",
        data={"name": gone.name, "email": gone.email, "min_hours_per_week": "0"},
    )
    assert response.status_code == 302
    db.session.refresh(gone)
    assert gone.active is False


def test_duplicate_email_is_refused_and_nothing_changes(client, db, create_person, login) -> None:
    login(create_person(Role.ADMIN))
    create_person(email="taken@uni.example")
    before = db.session.query(Person).count()
    response = client.post(
        "/admin/people/new",
        data={"name": "Someone", "email": "taken@uni.example"},
        headers=EN,
    )
    assert response.status_code == 422
    assert "already used" in response.get_data(as_text=True)
    assert db.session.query(Person).count() == before


def test_short_password_is_refused(client, db, create_person, login) -> None:
    login(create_person(Role.ADMIN))
    response = client.post(
        "/admin/people/new",
        data={"name": "Someone", "email": "new@uni.example", "password": "short"},
    )
    assert response.status_code == 422
    assert db.session.scalar(select(Person).where(Person.email == "new@uni.example")) is None


def test_admin_cannot_remove_own_admin_role(client, db, create_person, login) -> None:
    me = create_person(Role.ADMIN)
    login(me)
    response = client.post(
        f"/admin/people/{me.id}",
        data={"name": me.name, "email": me.email, "active": "y"},
    )
    assert response.status_code == 422
    db.session.refresh(me)
    assert me.is_admin


def test_only_admins_manage_people(client, create_person, login) -> None:
    login(create_person(Role.SECTION_LEADER))
    assert client.get("/admin/people").status_code == 403
    assert client.post("/admin/people/new", data={"name": "X", "email": "x@y.z"}).status_code == 403


def test_people_search(client, create_person, login) -> None:
    login(create_person(Role.ADMIN))
    create_person(name="Solveig Strand")
    create_person(name="Per Hansen")
    html = client.get("/admin/people?q=solv").get_data(as_text=True)
    assert "Solveig Strand" in html
    assert "Per Hansen" not in html
