"""Every 403 is recorded, whatever refused it, and nothing else of the request stays."""

from __future__ import annotations

from scheduler.models import Role


def test_a_role_check_refusal_is_recorded(client, create_person, login, entries) -> None:
    kari = create_person(Role.FIRST_LINE)
    login(kari)
    response = client.get("/admin/outbox/", environ_base={"REMOTE_ADDR": "192.0.2.44"})
    assert response.status_code == 403
    (refused,) = entries("forbidden")
    assert (refused.actor_id, refused.subject, refused.ip) == (
        kari.id,
        "GET /admin/outbox/",
        "192.0.2.44",
    )
    assert refused.details == {"endpoint": "outbox.index"}


def test_a_refused_write_is_recorded_with_its_method(
    client, create_library, create_person, login, entries
) -> None:
    library = create_library()
    librarian = create_person(Role.LIBRARIAN)
    login(librarian)
    response = client.post(f"/leader/setup/{library.id}/points", data={"name": "X"})
    assert response.status_code == 403
    (refused,) = entries("forbidden")
    assert refused.subject == f"POST /leader/setup/{library.id}/points"
    assert entries("roster_setup.changed") == []
