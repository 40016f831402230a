"""Sign-in, failed sign-in, sign-out, password changes and people admin are recorded."""

from __future__ import annotations

from scheduler import accounts
from scheduler.models import Role
from scheduler.site import Site
from tests.factories import TEST_PASSWORD


def test_sign_in_and_sign_out(client, db, create_person, entries) -> None:
    kari = create_person(Role.LIBRARIAN, email="kari@uni.example")
    response = client.post(
        "/sign-in",
        data={"email": "kari@uni.example", "password": TEST_PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.4"},
    )
    assert response.status_code == 302
    (signed_in,) = entries("sign_in")
    assert (signed_in.actor_id, signed_in.subject, signed_in.ip) == (
        kari.id,
        f"person:{kari.id}",
        "198.51.100.4",
    )
    assert client.post("/sign-out").status_code == 302
    (signed_out,) = entries("sign_out")
    assert (signed_out.actor_id, signed_out.subject) == (kari.id, f"person:{kari.id}")


def test_failed_sign_in_keeps_the_address_but_never_the_password(
    client, db, create_person, entries
) -> None:
    kari = create_person(Role.LIBRARIAN, email="kari@uni.example")
    for email in ("kari@uni.example", "Nobody@Uni.example"):
        response = client.post(
            "/sign-in",
            data={"email": email, "password": "hunter2-hunter2"},
            environ_base={"REMOTE_ADDR": "203.0.113.9"},
        )
        assert response.status_code == 401
    known, unknown = entries("sign_in.failed")
    assert (known.actor_id, known.subject, known.ip) == (None, f"person:{kari.id}", "203.0.113.9")
    assert unknown.subject == "address:Nobody@Uni.example"
    assert "hunter2" not in repr((known.details, unknown.details, known.reason, unknown.reason))


def test_password_change_goes_through_the_log(db, create_person, entries) -> None:
    kari = create_person(Role.LIBRARIAN)
    accounts.change_password(
        db.session, kari, TEST_PASSWORD, "a much longer new passphrase 42", site=Site()
    )
    (changed,) = entries("password.changed")
    assert (changed.actor_id, changed.subject) == (kari.id, f"person:{kari.id}")


def test_role_and_library_changes_by_an_admin(
    client, db, create_person, create_library, login, entries
) -> None:
    admin = create_person(Role.ADMIN)
    library = create_library()
    ola = create_person(Role.LIBRARIAN, name="Ola", email="ola@uni.example", libraries=[library])
    login(admin)
    response = client.post(
        f"/admin/people/{ola.id}",
        data={
            "name": "Ola",
            "email": "ola@uni.example",
            "library_roles": [f"{library.id}:librarian", f"{library.id}:section_leader"],
            "min_hours_per_week": "0",
            "active": "y",
        },
    )
    assert response.status_code == 302
    (saved,) = entries("person.saved")
    assert saved.actor_id == admin.id
    assert saved.subject == f"person:{ola.id}"
    assert saved.details["roles"] == {str(library.id): ["librarian", "section_leader"]}
    assert saved.details["admin"] is False
