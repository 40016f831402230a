"""The password pages: a one-time link, changing one's own password, "forgot", and the
administrators' invitation button."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from sqlalchemy import select

from scheduler import accounts
from scheduler.models import LinkPurpose, OutboundEmail, PasswordLink, Role
from scheduler.signin import sessions
from scheduler.signin.policy import SessionPolicy
from scheduler.site import Site
from scheduler.timeutil import utcnow
from tests.factories import TEST_PASSWORD

NEW = "velvet tractor minnow lantern"
EN = {"Accept-Language": "en"}
LINK = re.compile(r"https://library\.test/account/password/([A-Za-z0-9_-]+)")


def _link(db, person, purpose=LinkPurpose.SET) -> str:
    issued = accounts.issue_link(
        db.session, person, purpose, Site(public_url="https://library.test")
    )
    db.session.commit()
    return issued.token


def _sign_in(client, email: str, password: str):
    return client.post("/sign-in", data={"email": email, "password": password}, headers=EN)


def _mails(db, to: str) -> list[OutboundEmail]:
    return list(
        db.session.scalars(
            select(OutboundEmail).where(OutboundEmail.to_address == to).order_by(OutboundEmail.id)
        )
    )


# The link page


def test_opening_a_link_changes_nothing_choosing_a_password_uses_it(
    client, db, create_person
) -> None:
    person = create_person(Role.LIBRARIAN, email="kari@uni.example")
    token = _link(db, person)
    page = client.get(f"/account/password/{token}", headers=EN)
    assert page.status_code == 200
    assert "kari@uni.example" in page.get_data(as_text=True)
    assert client.get(f"/account/password/{token}").status_code == 200  # still valid

    done = client.post(
        f"/account/password/{token}", data={"new_password": NEW, "repeat": NEW}, headers=EN
    )
    assert done.status_code == 302
    assert done.headers["Location"] == "/sign-in"
    assert _sign_in(client, "kari@uni.example", NEW).status_code == 302

    used = client.get(f"/account/password/{token}", headers=EN)
    assert used.status_code == 410
    assert "This link has already been used." in used.get_data(as_text=True)
    again = client.post(
        f"/account/password/{token}",
        data={"new_password": "another fine long phrase", "repeat": "another fine long phrase"},
    )
    assert again.status_code == 410


def test_an_expired_link_says_so(client, db, create_person) -> None:
    person = create_person(Role.LIBRARIAN)
    token = _link(db, person, LinkPurpose.RESET)
    with time_machine.travel(utcnow() + timedelta(hours=1, seconds=1)):
        page = client.get(f"/account/password/{token}", headers={"Accept-Language": "nb"})
    assert page.status_code == 410
    assert "Lenken er utløpt. Be om en ny." in page.get_data(as_text=True)  # my_bookings.po
    assert client.get("/account/password/not-a-real-token").status_code == 404


def test_a_weak_password_is_refused_on_the_field_in_the_readers_language(
    client, db, create_person
) -> None:
    person = create_person(Role.LIBRARIAN, email="kari@uni.example")
    token = _link(db, person)
    refused = client.post(
        f"/account/password/{token}",
        data={"new_password": "password1234", "repeat": "password1234"},
        headers={"Accept-Language": "nb"},
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'id="new_password-error"' in html
    assert "er for lett å gjette. Dette er et svært vanlig passord." in html
    mismatch = client.post(
        f"/account/password/{token}", data={"new_password": NEW, "repeat": NEW + "x"}, headers=EN
    )
    assert mismatch.status_code == 422
    assert "The two passwords are not the same." in mismatch.get_data(as_text=True)
    # Nothing was used up.
    assert client.get(f"/account/password/{token}").status_code == 200
    assert _sign_in(client, "kari@uni.example", TEST_PASSWORD).status_code == 302


# Changing one's own password


def test_change_needs_the_current_password(client, db, create_person, login) -> None:
    person = create_person(Role.LIBRARIAN, email="kari@uni.example")
    login(person)
    wrong = client.post(
        "/account/password",
        data={"current_password": "not it at all", "new_password": NEW, "repeat": NEW},
        headers=EN,
    )
    assert wrong.status_code == 422
    assert "is not your current password" in wrong.get_data(as_text=True)

    done = client.post(
        "/account/password",
        data={"current_password": TEST_PASSWORD, "new_password": NEW, "repeat": NEW},
        headers=EN,
    )
    assert done.status_code == 302
    # This session goes on; the old password no longer works; the owner is told.
    assert client.get("/staff/").status_code == 200
    client.post("/sign-out")
    assert _sign_in(client, "kari@uni.example", TEST_PASSWORD).status_code == 401
    assert _sign_in(client, "kari@uni.example", NEW).status_code == 302
    assert [m.subject for m in _mails(db, "kari@uni.example")] == ["Passordet ditt ble endret"]


def test_change_signs_out_other_sessions_and_ends_open_links(
    app, client, db, create_person, login
) -> None:
    person = create_person(Role.LIBRARIAN)
    token = _link(db, person, LinkPurpose.RESET)
    other = app.test_client()
    other_token = sessions.start(db.session, person, SessionPolicy(), sessions.Device())
    db.session.commit()
    with other.session_transaction() as sess:
        sess["_user_id"] = other_token
    assert other.get("/staff/").status_code == 200
    login(person)
    client.post(
        "/account/password",
        data={"current_password": TEST_PASSWORD, "new_password": NEW, "repeat": NEW},
    )
    assert other.get("/staff/").status_code == 302
    assert client.get("/staff/").status_code == 200  # this browser stays signed in
    assert client.get(f"/account/password/{token}").status_code == 410


def test_change_page_needs_a_signed_in_person(client) -> None:
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


# Forgot


def test_forgot_gives_the_same_answer_whether_or_not_the_address_exists(
    client, db, create_person
) -> None:
    create_person(Role.LIBRARIAN, email="kari@uni.example")
    known = client.post("/account/forgot", data={"email": "Kari@uni.example"}, headers=EN)
    known_page = client.get(known.headers["Location"], headers=EN).get_data(as_text=True)
    unknown = client.post("/account/forgot", data={"email": "nobody@uni.example"}, headers=EN)
    unknown_page = client.get(unknown.headers["Location"], headers=EN).get_data(as_text=True)
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert "If a staff account has that address" in known_page

    def masked(html: str) -> str:
        return re.sub(r'<input[^>]*name="csrf_token"[^>]*>', "CSRF", html)

    assert masked(known_page) == masked(unknown_page)
    # Only the real account gets a letter, with a one-hour link that works.
    assert _mails(db, "nobody@uni.example") == []
    (letter,) = _mails(db, "kari@uni.example")
    token = LINK.search(letter.body_text).group(1)
    link = db.session.scalar(select(PasswordLink))
    assert link.purpose == LinkPurpose.RESET
    assert link.expires_at - link.created_at == timedelta(hours=1)
    assert client.get(f"/account/password/{token}").status_code == 200
    # Choosing the new password tells the owner it changed.
    client.post(f"/account/password/{token}", data={"new_password": NEW, "repeat": NEW})
    assert [m.subject for m in _mails(db, "kari@uni.example")][1:] == ["Passordet ditt ble endret"]


def test_forgot_sends_at_most_three_letters_an_hour(client, db, create_person) -> None:
    create_person(Role.LIBRARIAN, email="kari@uni.example")
    for _ in range(5):
        assert client.post("/account/forgot", data={"email": "kari@uni.example"}).status_code == 302
    assert len(_mails(db, "kari@uni.example")) == 3


def test_forgot_with_a_malformed_address_says_so(client) -> None:
    response = client.post("/account/forgot", data={"email": "not an address"}, headers=EN)
    assert response.status_code == 422
    assert "is not a valid e-mail address" in response.get_data(as_text=True)
    nb = client.post(
        "/account/forgot", data={"email": "not an address"}, headers={"Accept-Language": "nb"}
    )
    assert "er ikke en gyldig e-postadresse" in nb.get_data(as_text=True)


def test_the_sign_in_page_links_to_forgot(client) -> None:
    assert 'href="/account/forgot"' in client.get("/sign-in").get_data(as_text=True)


# Invitations


def test_an_admin_invites_a_new_person_by_e_mail(client, db, create_person, login) -> None:
    admin = create_person(Role.ADMIN)
    ola = create_person(Role.LIBRARIAN, email="ola@uni.example", name="Ola")
    login(admin)
    page = client.get(f"/admin/people/{ola.id}", headers=EN).get_data(as_text=True)
    assert f'action="/admin/people/{ola.id}/invite"' in page
    assert "Invite / send a new link" in page
    response = client.post(f"/admin/people/{ola.id}/invite", headers=EN)
    assert response.status_code == 302
    (letter,) = _mails(db, "ola@uni.example")
    token = LINK.search(letter.body_text).group(1)
    assert client.get(f"/account/password/{token}").status_code == 200
    # A second invitation ends the first link.
    client.post(f"/admin/people/{ola.id}/invite")
    assert client.get(f"/account/password/{token}").status_code == 410
    assert len(_mails(db, "ola@uni.example")) == 2


def test_only_admins_invite_and_only_people_who_may_sign_in(
    client, db, create_person, login
) -> None:
    ola = create_person(Role.LIBRARIAN, email="ola@uni.example", active=False)
    login(create_person(Role.SECTION_LEADER))
    assert client.post(f"/admin/people/{ola.id}/invite").status_code == 403
    client.post("/sign-out")
    login(create_person(Role.ADMIN))
    refused = client.post(f"/admin/people/{ola.id}/invite", headers=EN)
    assert refused.status_code == 302
    assert "cannot sign in" in client.get(refused.headers["Location"], headers=EN).get_data(
        as_text=True
    )
    assert _mails(db, "ola@uni.example") == []
    assert client.post("/admin/people/999999/invite").status_code == 404


def test_the_admin_people_form_applies_the_password_rule(client, db, create_person, login) -> None:
    login(create_person(Role.ADMIN))
    response = client.post(
        "/admin/people/new",
        data={"name": "Per Hansen", "email": "per@uni.example", "password": "perhansen2027"},
        headers={"Accept-Language": "nb"},
    )
    assert response.status_code == 422
    assert "er for lett å gjette" in response.get_data(as_text=True)
    assert accounts.find_by_email(db.session, "per@uni.example") is None
