"""Administration of people and roles."""

from __future__ import annotations

from sqlalchemy import select

from scheduler.models import AuditEntry, Person, Role


def test_admin_creates_a_person_with_roles(client, db, create_person, login) -> None:
    login(create_person(Role.ADMIN))
    response = client.post(
        "/admin/people/new",
        data={
            "name": "Ola Nordmann",
            "email": "Ola@Uni.example",
            "roles": ["librarian", "first_line"],
            "active": "y",
            "password": "long enough password",
        },
    )
    assert response.status_code == 302
    ola = db.session.scalar(select(Person).where(Person.email == "ola@uni.example"))
    assert ola.roles == {Role.LIBRARIAN, Role.FIRST_LINE}
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.subject == f"person:{ola.id}"))


def test_duplicate_email_is_refused_and_nothing_changes(client, db, create_person, login) -> None:
    login(create_person(Role.ADMIN))
    create_person(email="taken@uni.example")
    before = db.session.query(Person).count()
    response = client.post(
        "/admin/people/new",
        data={"name": "Someone", "email": "taken@uni.example", "roles": ["librarian"]},
        headers={"Accept-Language": "en"},
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
        data={"name": me.name, "email": me.email, "roles": ["librarian"], "active": "y"},
    )
    assert response.status_code == 422
    assert Role.ADMIN in me.roles


def test_people_search(client, create_person, login) -> None:
    login(create_person(Role.ADMIN))
    create_person(name="Solveig Strand")
    create_person(name="Per Hansen")
    html = client.get("/admin/people?q=solv").get_data(as_text=True)
    assert "Solveig Strand" in html
    assert "Per Hansen" not in html
