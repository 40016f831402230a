"""Sign-in, sign-out, sessions and the role checks on staff pages."""

from __future__ import annotations

import re

import pytest

from scheduler import accounts
from scheduler.models import Role
from tests.factories import TEST_PASSWORD


def test_sign_in_with_the_right_password(client, create_person) -> None:
    person = create_person(Role.LIBRARIAN, email="kari@uni.example")
    response = client.post(
        "/sign-in", data={"email": "Kari@Uni.example", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert person.last_login_at is not None


def test_wrong_password_and_unknown_email_look_the_same(client, create_person) -> None:
    create_person(Role.LIBRARIAN, email="kari@uni.example")
    wrong = client.post(
        "/sign-in",
        data={"email": "kari@uni.example", "password": "nope-nope-nope"},
        headers={"Accept-Language": "en"},
    )
    unknown = client.post(
        "/sign-in",
        data={"email": "nobody@uni.example", "password": "nope-nope-nope"},
        headers={"Accept-Language": "en"},
    )
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong e-mail or password." in wrong.get_data(as_text=True)
    # Apart from the echoed e-mail address and the CSRF tokens (which carry a timestamp),
    # the two pages are identical.
    assert _masked(wrong, "kari@uni.example") == _masked(unknown, "nobody@uni.example")
    assert client.get("/staff/").status_code == 302


def _masked(response, email: str) -> str:
    html = response.get_data(as_text=True).replace(email, "X")
    return re.sub(r'<input[^>]*name="csrf_token"[^>]*>', "CSRF", html)


def test_inactive_people_cannot_sign_in(client, create_person) -> None:
    create_person(Role.ADMIN, email="gone@uni.example", active=False)
    response = client.post(
        "/sign-in", data={"email": "gone@uni.example", "password": TEST_PASSWORD}
    )
    assert response.status_code == 401


def test_empty_form_is_rejected_with_field_errors(client) -> None:
    response = client.post("/sign-in", data={}, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html


def test_sign_out_needs_post_and_ends_the_session(client, create_person, login) -> None:
    login(create_person(Role.LIBRARIAN))
    assert client.get("/sign-out").status_code == 405
    assert client.post("/sign-out").status_code == 302
    assert client.get("/staff/").status_code == 302


def test_password_change_signs_out_other_sessions(client, db, create_person, login) -> None:
    person = create_person(Role.LIBRARIAN)
    login(person)
    assert client.get("/staff/").status_code == 200
    accounts.set_password(person, "a whole new password")
    db.session.commit()
    assert client.get("/staff/").status_code == 302


def test_next_parameter_cannot_redirect_off_site(client, create_person) -> None:
    create_person(Role.LIBRARIAN, email="kari@uni.example")
    for target, expected in [
        ("//evil.example/x", "/staff/"),
        ("https://evil.example", "/staff/"),
        ("/admin/people", "/admin/people"),
    ]:
        response = client.post(
            f"/sign-in?next={target}", data={"email": "kari@uni.example", "password": TEST_PASSWORD}
        )
        assert response.headers["Location"] == expected
        client.post("/sign-out")


def test_anonymous_staff_page_redirects_to_sign_in(client) -> None:
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


def test_staff_page_without_role_is_403(client, create_person, login) -> None:
    login(create_person())  # an account with no role at all
    assert client.get("/staff/").status_code == 403
    assert client.get("/admin/people").status_code == 403


def test_admin_page_needs_admin(client, create_person, login) -> None:
    login(create_person(Role.SECTION_LEADER))
    assert client.get("/admin/people").status_code == 403
    client.post("/sign-out")
    login(create_person(Role.ADMIN))
    assert client.get("/admin/people").status_code == 200


def test_session_cookie_is_httponly_and_samesite(client, create_person) -> None:
    create_person(Role.LIBRARIAN, email="kari@uni.example")
    response = client.post(
        "/sign-in", data={"email": "kari@uni.example", "password": TEST_PASSWORD}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_passwords_are_stored_as_argon2id(create_person) -> None:
    person = create_person()
    assert person.password_hash.startswith("$argon2id$")
    assert TEST_PASSWORD not in person.password_hash


@pytest.fixture
def app_config(app_config):
    app_config["RATELIMIT_ENABLED"] = True
    app_config["RATELIMIT_SIGN_IN"] = "3 per minute"
    return app_config


def test_sign_in_attempts_are_rate_limited(client) -> None:
    codes = [
        client.post("/sign-in", data={"email": "a@b.example", "password": "x"}).status_code
        for _ in range(4)
    ]
    assert codes[:3] == [401, 401, 401]
    assert codes[3] == 429
