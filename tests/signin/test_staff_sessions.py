"""Server-side staff sessions: sign-out ends them for every copy of the cookies, sign-in
starts from a clean session, timeouts, and the list of one's sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from scheduler.models import Role, StaffSession
from scheduler.signin import sessions
from scheduler.signin.policy import SessionPolicy
from tests.factories import TEST_PASSWORD

SESSION = "__Host-session"  # PUBLIC_URL is https in the tests
REMEMBER = "__Host-remember_token"
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _sign_in(client, email: str, *, remember: bool = False) -> None:
    data = {"email": email, "password": TEST_PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/sign-in", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == "/staff/"


def _signed_in(client) -> bool:
    response = client.get("/staff/")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/sign-in")
        return False
    assert response.status_code == 200
    return True


def _copy(client, name: str) -> str:
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def test_the_old_session_cookie_is_refused_after_sign_out(app, client, create_person) -> None:
    create_person(Role.LIBRARIAN, email="kari@uni.example")
    _sign_in(client, "kari@uni.example")
    stolen = _copy(client, SESSION)
    thief = app.test_client()
    thief.set_cookie(SESSION, stolen)
    assert _signed_in(thief)  # the copy works while the session lives...

    assert client.post("/sign-out").status_code == 302
    assert not _signed_in(client)
    thief.set_cookie(SESSION, stolen)
    assert not _signed_in(thief)  # ...and not after sign-out


def test_the_old_remember_cookie_is_refused_after_sign_out(app, client, create_person) -> None:
    create_person(Role.LIBRARIAN, email="kari@uni.example")
    _sign_in(client, "kari@uni.example", remember=True)
    remembered = _copy(client, REMEMBER)
    other = app.test_client()
    other.set_cookie(REMEMBER, remembered)
    assert _signed_in(other)  # the remember cookie alone signs in (a new browser session)

    client.post("/sign-out")
    fresh = app.test_client()
    fresh.set_cookie(REMEMBER, remembered)
    assert not _signed_in(fresh)


def test_sign_in_starts_a_clean_session(client, create_person) -> None:
    create_person(Role.LIBRARIAN, email="kari@uni.example")
    with client.session_transaction() as sess:
        sess["planted"] = "by someone before sign-in"
        sess["csrf_token"] = "known-to-the-attacker"
    _sign_in(client, "kari@uni.example")
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess.get("csrf_token") != "known-to-the-attacker"
        assert sess["_user_id"]


def test_each_sign_in_is_a_row_with_only_the_token_digest(db, client, create_person) -> None:
    person = create_person(Role.LIBRARIAN, email="kari@uni.example")
    _sign_in(client, "kari@uni.example")
    with client.session_transaction() as sess:
        token = sess["_user_id"]
    row = db.session.scalars(select(StaffSession)).one()
    assert row.person_id == person.id
    assert token not in row.id
    assert row.expires_at - row.created_at == timedelta(hours=12)


@pytest.fixture
def traveller():
    with time_machine.travel(START, tick=False) as t:
        yield t


def test_idle_timeout_ends_a_session_and_activity_keeps_it(
    client, create_person, login, traveller
) -> None:
    login(create_person(Role.LIBRARIAN))
    for _step in range(4):  # 80 minutes in all, never 30 without a request
        traveller.shift(timedelta(minutes=20))
        assert _signed_in(client)
    traveller.shift(timedelta(minutes=30))
    assert not _signed_in(client)


def test_idle_timeout_is_a_setting(app_config) -> None:
    app_config["SESSION_IDLE_MINUTES"] = 5
    assert SessionPolicy.from_config(app_config).idle == timedelta(minutes=5)


def test_absolute_lifetime_ends_even_a_busy_session(client, create_person, login, traveller):
    login(create_person(Role.LIBRARIAN))
    for _step in range(11 * 3 + 2):  # every 20 minutes for 11h40
        traveller.shift(timedelta(minutes=20))
        assert _signed_in(client)
    traveller.shift(timedelta(minutes=20))  # 12 hours since sign-in
    assert not _signed_in(client)


def test_keep_me_signed_in_has_no_idle_timeout_and_ends_after_30_days(
    app, client, create_person, traveller
) -> None:
    create_person(Role.LIBRARIAN, email="kari@uni.example")
    _sign_in(client, "kari@uni.example", remember=True)
    remembered = _copy(client, REMEMBER)
    traveller.shift(timedelta(days=29))
    later = app.test_client()
    later.set_cookie(REMEMBER, remembered)
    assert _signed_in(later)
    traveller.shift(timedelta(days=1, seconds=1))
    latest = app.test_client()
    latest.set_cookie(REMEMBER, remembered)
    assert not _signed_in(latest)


def test_sessions_page_lists_and_revokes_sessions(app, db, client, create_person, login):
    person = create_person(Role.LIBRARIAN)
    login(person)
    laptop = app.test_client()
    laptop.set_cookie(SESSION, _copy(client, SESSION))
    phone = app.test_client()
    phone_headers = {
        "User-Agent": "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 Mobile",
        "Accept-Language": "en",  # the language signed in with becomes the person's own
    }
    response = phone.post(
        "/sign-in",
        data={"email": person.email, "password": TEST_PASSWORD},
        headers=phone_headers,
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert response.status_code == 302

    page = client.get("/account/sessions", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Chrome · Android" in html
    assert "192.0.2.7" in html
    assert "(this device)" in html

    phone_row = db.session.scalar(
        select(StaffSession).where(StaffSession.ip_address == "192.0.2.7")
    )
    response = client.post(f"/account/sessions/{phone_row.id}/revoke")
    assert response.status_code == 302
    assert not _signed_in(phone)
    assert _signed_in(client)

    client.post("/account/sessions/sign-out-everywhere")
    assert not _signed_in(client)
    assert not _signed_in(laptop)
    assert db.session.scalar(select(func.count()).select_from(StaffSession)) == 0


def test_a_session_of_someone_else_cannot_be_revoked(db, client, create_person, login):
    login(create_person(Role.LIBRARIAN))
    other = create_person(Role.LIBRARIAN)
    sessions.start(db.session, other, SessionPolicy(), sessions.Device())
    db.session.commit()
    theirs = db.session.scalar(select(StaffSession).where(StaffSession.person_id == other.id))
    assert client.post(f"/account/sessions/{theirs.id}/revoke").status_code == 404
    assert client.post("/account/sessions/not-an-id/revoke").status_code == 404
    assert db.session.get(StaffSession, theirs.id) is not None


def test_the_sweep_deletes_sessions_that_can_no_longer_be_used(db, create_person, traveller):
    person = create_person(Role.LIBRARIAN)
    policy = SessionPolicy()
    sessions.start(db.session, person, policy, sessions.Device())
    sessions.start(db.session, person, policy, sessions.Device(), remember=True)
    traveller.shift(timedelta(hours=1))
    assert sessions.purge_expired(db.session, policy) == 1
    traveller.shift(timedelta(days=30))
    assert sessions.purge_expired(db.session, policy) == 1
    assert db.session.scalar(select(func.count()).select_from(StaffSession)) == 0


def test_device_summary_names_browser_and_system() -> None:
    firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    assert sessions.device_summary(firefox) == "Firefox · Linux"
    assert sessions.device_summary("") == ""
