"""What a signed-in person sees is never kept by a cache, and over HTTPS the cookies are
Secure, ``__Host-`` prefixed, and HSTS is sent."""

from __future__ import annotations

import sqlite3

import pytest

from scheduler.models import Role
from tests.factories import TEST_PASSWORD
from tests.web.test_security import _fill


def _staff_get_routes(app):
    """Every GET page or file behind sign-in: role routes, and login_required ones."""
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        blueprint = rule.endpoint.partition(".")[0]
        if getattr(view, "required_roles", None) is not None or blueprint in (
            "staff",
            "admin",
            "account",
        ):
            yield rule


def test_every_staff_leader_and_admin_response_is_no_store(app, client, create_person, login):
    login(create_person(Role.ADMIN, Role.SECTION_LEADER, Role.LIBRARIAN, Role.FIRST_LINE))
    walked = []
    for rule in _staff_get_routes(app):
        response = client.get(_fill(rule))
        assert response.headers.get("Cache-Control") == "no-store", (
            f"{rule.rule} answered {response.status_code} without no-store"
        )
        walked.append(rule.rule)
    assert len(walked) >= 20
    assert "/account/sessions" in walked
    # Even a public page is not cached while someone is signed in (it shows their name).
    assert client.get("/").headers.get("Cache-Control") == "no-store"


def test_public_pages_stay_cacheable_for_visitors(client) -> None:
    assert "no-store" not in (client.get("/").headers.get("Cache-Control") or "")
    assert client.get("/sign-in").headers["Cache-Control"] == "no-store"


def test_a_patrons_bookings_and_data_export_are_no_store(client) -> None:
    for path in (
        "/my-bookings/",
        "/my-bookings/not-a-token",
        "/my-bookings/not-a-token/export.json",
    ):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_a_csv_of_personal_data_is_no_store_even_without_a_session(app) -> None:
    from flask import Response

    app.add_url_rule(
        "/test-export.csv", "test_export", lambda: Response("a,b\n", mimetype="text/csv")
    )
    assert app.test_client().get("/test-export.csv").headers["Cache-Control"] == "no-store"


def test_https_cookies_are_secure_host_prefixed_and_hsts_is_sent(client, create_person):
    create_person(Role.LIBRARIAN, email="kari@uni.example")  # PUBLIC_URL is https in tests
    response = client.post(
        "/sign-in", data={"email": "kari@uni.example", "password": TEST_PASSWORD, "remember": "y"}
    )
    cookies = response.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("__Host-session="))
    remember = next(c for c in cookies if c.startswith("__Host-remember_token="))
    for cookie in (session, remember):
        assert "; Secure" in cookie
        assert "; Path=/" in cookie
        assert "Domain=" not in cookie
        assert "HttpOnly" in cookie
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_plain_http_keeps_plain_cookies_and_no_hsts(app_config, make_app) -> None:
    app_config["PUBLIC_URL"] = "http://localhost:8000"
    app = make_app()
    response = app.test_client().get("/sign-in")
    assert "Strict-Transport-Security" not in response.headers
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "Secure" not in cookie


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_syncs_every_commit_by_default(app_config, make_app) -> None:
    del app_config["SQLITE_SYNCHRONOUS"]  # the production default
    app = make_app()
    from scheduler.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    db_file = app_config["DATABASE_URL"].removeprefix("sqlite:///")
    assert sqlite3.connect(db_file).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
