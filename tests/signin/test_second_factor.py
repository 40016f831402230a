"""Two-factor sign-in: enrolment (required for admins and section leaders), the second
step with a wrong code, a replayed code, recovery codes, the lock after wrong codes, the
rate limit, and an administrator's reset."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from sqlalchemy import func, select

from scheduler.models import Role, StaffSession
from scheduler.models.signin import SecondFactor
from scheduler.signin import second_factor, sessions
from scheduler.signin.policy import SessionPolicy
from tests.factories import TEST_PASSWORD, app_secret_box

START = datetime(2026, 3, 2, 8, 0, 10, tzinfo=UTC)  # 10 s into a 30-second step


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _password(client, email: str, **extra):
    return client.post("/sign-in", data={"email": email, "password": TEST_PASSWORD, **extra})


def _signed_in(client) -> bool:
    return client.get("/staff/").status_code == 200


@pytest.fixture
def enrolled(db, create_person, clock):
    """A librarian with an authenticator; returns (person, secret, recovery codes)."""
    person = create_person(Role.LIBRARIAN, email="kari@uni.example")
    secret = second_factor.new_secret()
    codes = second_factor.enrol(
        db.session, person, secret, pyotp.TOTP(secret).now(), app_secret_box()
    )
    db.session.commit()
    clock.shift(timedelta(seconds=30))  # the enrolment code's step is used up
    return person, secret, codes


def test_an_admin_without_a_second_factor_must_enrol_and_can_do_nothing_else(
    db, client, create_person, clock
) -> None:
    create_person(Role.ADMIN, email="admin@uni.example")
    response = _password(client, "admin@uni.example")
    assert response.headers["Location"] == "/sign-in/enrol"
    assert not _signed_in(client)
    assert client.get("/admin/people").status_code == 302
    assert client.get("/account/sessions").status_code == 302

    page = client.get("/sign-in/enrol", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "<svg" in html
    secret = re.search(r"<code>([A-Z2-7]{32})</code>", html).group(1)

    wrong = client.post("/sign-in/enrol", data={"code": "000000"})
    assert wrong.status_code == 422
    assert not _signed_in(client)

    done = client.post("/sign-in/enrol", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.get_data(as_text=True))
    assert len(set(codes)) == 10
    assert _signed_in(client)
    assert db.session.scalars(select(StaffSession)).one().second_factor
    stored = db.session.scalars(select(SecondFactor)).one().secret
    assert secret not in stored  # sealed: the database alone cannot make codes
    assert app_secret_box().open(stored) == secret


def test_a_librarian_may_sign_in_with_the_password_alone(client, create_person) -> None:
    create_person(Role.LIBRARIAN, email="kari@uni.example")
    assert _password(client, "kari@uni.example").headers["Location"] == "/staff/"
    assert _signed_in(client)


def test_the_required_roles_are_a_setting(app_config, make_app, db, create_person) -> None:
    app_config["REQUIRE_2FA_ROLES"] = ""
    create_person(Role.ADMIN, email="admin@uni.example")
    db.session.commit()
    client = make_app().test_client()
    assert _password(client, "admin@uni.example").headers["Location"] == "/staff/"


def test_second_step_refuses_a_wrong_code_and_takes_the_right_one(client, enrolled) -> None:
    _person, secret, _codes = enrolled
    response = _password(client, "kari@uni.example")
    assert response.headers["Location"] == "/sign-in/code"
    assert not _signed_in(client)
    wrong = client.post("/sign-in/code", data={"code": "123456"}, headers={"Accept-Language": "en"})
    assert wrong.status_code == 422
    assert "That code is not right." in wrong.get_data(as_text=True)
    assert not _signed_in(client)
    right = client.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
    assert right.status_code == 302
    assert right.headers["Location"] == "/staff/"
    assert _signed_in(client)


def test_a_code_is_refused_the_second_time_in_its_window(app, client, enrolled) -> None:
    _person, secret, _codes = enrolled
    code = pyotp.TOTP(secret).now()
    _password(client, "kari@uni.example")
    assert client.post("/sign-in/code", data={"code": code}).status_code == 302

    onlooker = app.test_client()
    _password(onlooker, "kari@uni.example")
    replay = onlooker.post("/sign-in/code", data={"code": code}, headers={"Accept-Language": "en"})
    assert replay.status_code == 422
    assert "That code has been used." in replay.get_data(as_text=True)
    assert not _signed_in(onlooker)


def test_a_recovery_code_works_once(app, client, enrolled) -> None:
    _person, _secret, codes = enrolled
    _password(client, "kari@uni.example")
    used = client.post("/sign-in/code", data={"code": codes[3].upper()})
    assert used.status_code == 302
    assert _signed_in(client)

    again = app.test_client()
    _password(again, "kari@uni.example")
    response = again.post("/sign-in/code", data={"code": codes[3]})
    assert response.status_code == 422
    assert not _signed_in(again)
    assert again.post("/sign-in/code", data={"code": codes[4]}).status_code == 302


def test_wrong_codes_lock_the_second_step_for_15_minutes(client, enrolled, clock) -> None:
    _person, secret, _codes = enrolled
    _password(client, "kari@uni.example")
    statuses = [
        client.post("/sign-in/code", data={"code": f"00000{n}"}).status_code for n in range(5)
    ]
    assert statuses == [422, 422, 422, 422, 429]
    locked = client.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
    assert locked.status_code == 429  # even the right code, while locked
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    assert not _signed_in(client)

    clock.shift(timedelta(minutes=15))
    _password(client, "kari@uni.example")  # the pending step has expired meanwhile
    assert client.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert _signed_in(client)


def test_the_second_step_waits_at_most_ten_minutes(client, enrolled, clock) -> None:
    _person, secret, _codes = enrolled
    _password(client, "kari@uni.example")
    clock.shift(timedelta(minutes=11))
    late = client.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
    assert late.status_code == 302
    assert late.headers["Location"] == "/sign-in"
    assert not _signed_in(client)


class TestRateLimit:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["RATELIMIT_ENABLED"] = True
        app_config["RATELIMIT_SECOND_FACTOR"] = "2 per minute"
        return app_config

    def test_second_step_attempts_are_rate_limited(self, client, enrolled) -> None:
        _password(client, "kari@uni.example")
        codes = [
            client.post("/sign-in/code", data={"code": "999999"}).status_code for _ in range(3)
        ]
        assert codes == [422, 422, 429]


def test_an_admin_resets_a_second_factor_and_the_person_is_signed_out(
    app, db, client, enrolled, create_person, login
) -> None:
    person, _secret, _codes = enrolled
    sessions.start(db.session, person, SessionPolicy(), sessions.Device())  # kari's laptop
    login(create_person(Role.SECTION_LEADER))
    assert client.post(f"/admin/people/{person.id}/two-factor/reset").status_code == 403
    assert db.session.get(SecondFactor, person.id) is not None
    count = select(func.count()).select_from(StaffSession)
    assert db.session.scalar(count.where(StaffSession.person_id == person.id)) == 1

    client.post("/sign-out")
    login(create_person(Role.ADMIN))
    assert "Reset" in client.get("/admin/people", headers={"Accept-Language": "en"}).text
    response = client.post(f"/admin/people/{person.id}/two-factor/reset")
    assert response.status_code == 302
    assert db.session.get(SecondFactor, person.id) is None
    assert db.session.scalar(count.where(StaffSession.person_id == person.id)) == 0
    # Optional for a librarian: next sign-in goes straight in, and they may enrol again.
    fresh = app.test_client()
    assert _password(fresh, "kari@uni.example").headers["Location"] == "/staff/"


def test_an_optional_factor_is_set_up_and_turned_off_from_the_account(
    db, client, create_person, login, clock
) -> None:
    person = create_person(Role.LIBRARIAN)
    login(person)
    page = client.get("/account/two-factor/enrol").get_data(as_text=True)
    secret = re.search(r"<code>([A-Z2-7]{32})</code>", page).group(1)
    assert (
        client.post(
            "/account/two-factor/enrol", data={"code": pyotp.TOTP(secret).now()}
        ).status_code
        == 200
    )
    assert second_factor.confirmed(db.session, person) is not None

    clock.shift(timedelta(seconds=30))
    assert client.post("/account/two-factor/off", data={"code": "000000"}).status_code == 422
    assert second_factor.confirmed(db.session, person) is not None
    off = client.post("/account/two-factor/off", data={"code": pyotp.TOTP(secret).now()})
    assert off.status_code == 302
    assert second_factor.confirmed(db.session, person) is None


def test_a_required_factor_cannot_be_turned_off(db, client, create_person, login, clock):
    person = create_person(Role.SECTION_LEADER)
    secret = second_factor.new_secret()
    second_factor.enrol(db.session, person, secret, pyotp.TOTP(secret).now(), app_secret_box())
    login(person)
    clock.shift(timedelta(seconds=30))
    response = client.post("/account/two-factor/off", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 422
    assert second_factor.confirmed(db.session, person) is not None


def test_new_recovery_codes_replace_the_old_ones(db, client, enrolled, login, clock) -> None:
    person, secret, old = enrolled
    login(person)
    response = client.post(
        "/account/two-factor/recovery-codes", data={"code": pyotp.TOTP(secret).now()}
    )
    new = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", response.get_data(as_text=True))
    assert len(new) == 10
    assert not set(new) & set(old)
    assert second_factor.verify(db.session, person, old[0], app_secret_box()).ok is False
    assert second_factor.verify(db.session, person, new[0], app_secret_box()).ok is True


def test_one_code_sent_at_once_from_several_browsers_signs_in_once(app, db, live_server, enrolled):
    """The replay check holds under concurrent requests (a row lock on PostgreSQL, one
    writer at a time on SQLite): of four second steps with the same code, one passes."""
    import threading
    import time

    from tests.feeds.helpers import post_form

    person, secret, _codes = enrolled
    serializer = app.session_interface.get_signing_serializer(app)
    pending = {
        "person": person.id,
        "nonce": person.session_nonce,
        "remember": False,
        "next": "",
        "at": time.time(),
    }
    cookie = f"{app.config['SESSION_COOKIE_NAME']}={serializer.dumps({'signin_pending': pending})}"
    code = pyotp.TOTP(secret).at(time.time())
    db.session.commit()
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def attempt() -> None:
        barrier.wait()
        statuses.append(post_form(f"{live_server}/sign-in/code", {"code": code}, cookie))

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [302, 422, 422, 422]
    assert db.session.scalar(select(func.count()).select_from(StaffSession)) == 1
