"""The staff import pages: upload, see each row, apply only a clean file."""

from __future__ import annotations

import io

from sqlalchemy import select

from scheduler.models import OutboundEmail, Person, Role

HEADER = "name,email,libraries,roles,first_line,min_hours,target_hours,max_hours,skills,topics\n"
EN = {"Accept-Language": "en"}


def _upload(client, text: str, name: str = "staff.csv"):
    return client.post(
        "/admin/people/import",
        data={"file": (io.BytesIO(text.encode("utf-8-sig")), name)},
        content_type="multipart/form-data",
        headers=EN,
    )


def test_check_then_apply(client, db, create_person, create_library, login) -> None:
    login(create_person(Role.ADMIN))
    lib = create_library(slug="main", name="Main")
    text = HEADER + "Kari Nordmann,kari@uni.example,main,section_leader,yes,4,,8,,\n"
    checked = _upload(client, text)
    assert checked.status_code == 200
    html = checked.get_data(as_text=True)
    assert "kari@uni.example" in html
    assert "new person" in html
    assert db.session.scalar(select(Person).where(Person.email == "kari@uni.example")) is None
    applied = client.post("/admin/people/import/apply", data={"csv_text": text}, headers=EN)
    assert applied.status_code == 302
    kari = db.session.scalar(select(Person).where(Person.email == "kari@uni.example"))
    assert kari.roles_in(lib.id) == {Role.SECTION_LEADER, Role.FIRST_LINE}
    invitation = db.session.scalar(
        select(OutboundEmail).where(OutboundEmail.to_address == "kari@uni.example")
    )
    assert invitation is not None, "a new person is invited to choose a password"


def test_row_errors_are_shown_and_nothing_can_be_applied(
    client, db, create_person, create_library, login
) -> None:
    login(create_person(Role.ADMIN))
    create_library(slug="main", name="Main")
    text = HEADER + "Nowhere,nowhere@uni.example,atlantis,librarian,no,,,,,\n"
    checked = _upload(client, text)
    assert checked.status_code == 422
    html = checked.get_data(as_text=True)
    assert "unknown library: atlantis" in html
    assert "/admin/people/import/apply" not in html  # no Import button
    refused = client.post("/admin/people/import/apply", data={"csv_text": text}, headers=EN)
    assert refused.status_code == 422
    assert db.session.scalar(select(Person).where(Person.email == "nowhere@uni.example")) is None


def test_a_file_that_is_not_utf8_is_refused_on_the_field(client, create_person, login) -> None:
    login(create_person(Role.ADMIN))
    response = client.post(
        "/admin/people/import",
        data={"file": (io.BytesIO("name,email\nÅse,\n".encode("latin-1")), "x.csv")},
        content_type="multipart/form-data",
        headers=EN,
    )
    assert response.status_code == 422
    assert "not UTF-8" in response.get_data(as_text=True)


def test_only_admins(client, create_person, login) -> None:
    login(create_person(Role.SECTION_LEADER))
    assert client.get("/admin/people/import").status_code == 403
