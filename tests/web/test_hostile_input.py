"""Input that used to make the server fail: every one is a 4xx naming the field, and
changes nothing, on SQLite and on PostgreSQL (which refuses NUL in text)."""

from __future__ import annotations

from datetime import date, time, timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from scheduler.models import DropInSession, Registration, Role
from scheduler.timeutil import local_to_utc

UNSTORABLE = "contains a character that is not allowed (a NUL or a lone surrogate)"


@pytest.fixture
def dropin(db, create_library, create_person):
    library = create_library()
    starts = local_to_utc(date.today() + timedelta(days=7), time(12), library.timezone)
    session = DropInSession(
        library=library,
        title="Zotero drop-in",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        registration_required=True,
        capacity=10,
        hosts=[create_person(Role.LIBRARIAN)],
    )
    db.session.add(session)
    db.session.flush()
    return session


def _registrations(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration))


def _form(fields: dict[str, str]) -> dict:
    """A urlencoded body that keeps lone surrogates as the bytes a hostile client sends."""
    return {
        "data": urlencode(fields, errors="surrogatepass"),
        "content_type": "application/x-www-form-urlencoded",
    }


@pytest.mark.parametrize("bad", ["Ada\x00Lovelace", "Ada\ud800"])
def test_api_text_with_nul_or_lone_surrogate_is_422_naming_the_field(db, client, dropin, bad):
    response = client.post(
        f"/api/v1/dropins/{dropin.id}/registrations",
        json={"name": bad, "email": "ada@uni.example"},
    )
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"name": UNSTORABLE}
    assert _registrations(db) == 0


def test_nested_fields_and_keys_are_named(db, client, dropin):
    response = client.post(
        "/api/v1/appointments", json={"answers": {"7": "fine", "8": "bad\x00"}, "name": "Ada"}
    )
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"answers.8": UNSTORABLE}


def test_page_form_with_nul_is_refused_in_the_pages_language(db, client, dropin):
    response = client.post(
        f"/dropins/{dropin.id}",
        headers={"Accept-Language": "nb"},
        **_form({"name": "Ada\x00", "email": "ada@uni.example"}),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "name: inneholder et tegn som ikke er tillatt" in page
    assert _registrations(db) == 0


def test_nul_in_a_query_or_a_path_is_422_not_a_database_error(db, client, login, create_person):
    login(create_person(Role.ADMIN))
    response = client.get("/admin/people?q=a%00b")
    assert response.status_code == 422
    assert "q:" in response.get_data(as_text=True)
    assert client.get("/api/v1/registrations/abc%00def").status_code == 422


def test_json_nested_50000_deep_is_400(client, dropin):
    deep = "[" * 50_000 + "]" * 50_000
    response = client.post(
        f"/api/v1/dropins/{dropin.id}/registrations", data=deep, content_type="application/json"
    )
    assert response.status_code == 400
    assert "body" in response.get_json()["fields"]
    shallow_but_too_deep = "[" * 100 + "]" * 100
    response = client.post(
        "/api/v1/appointments", data=shallow_but_too_deep, content_type="application/json"
    )
    assert response.status_code == 400


def test_a_2_mb_body_is_413_json_for_the_api(db, client, dropin):
    body = b'{"name": "' + b"x" * 2_000_000 + b'", "email": "ada@uni.example"}'
    response = client.post(
        f"/api/v1/dropins/{dropin.id}/registrations", data=body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.get_json()["error"] == "The request is too large: at most 1 MB."
    assert _registrations(db) == 0


def test_a_2_mb_form_is_413_with_a_page(db, client, dropin):
    response = client.post(
        f"/dropins/{dropin.id}",
        headers={"Accept-Language": "nb"},
        **_form({"name": "x" * 2_000_000, "email": "ada@uni.example"}),
    )
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "Forespørselen er for stor: høyst 1 MB." in response.get_data(as_text=True)
    assert _registrations(db) == 0


@pytest.mark.parametrize("raw", ["²", "9223372036854775808", "99999999999999999999"])
def test_bad_ids_in_bodies_and_paths_are_4xx(client, dropin, raw):
    response = client.post(
        f"/api/v1/dropins/{dropin.id}/registrations",
        json={"name": "Ada", "email": "ada@uni.example", "sessions": [raw]},
    )
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"sessions": "must be a list of ids"}
    assert client.post(f"/api/v1/dropins/{raw}/registrations", json={}).status_code == 404


@pytest.mark.parametrize("year", ["0001", "9999"])
def test_years_1_and_9999_are_refused_naming_the_field(client, year):
    response = client.get(f"/api/v1/slots?from={year}-01-01")
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"from"}
    response = client.post(
        "/api/v1/appointments",
        json={"librarian": "1", "topic": "1", "start": f"{year}-01-01T10:00:00+00:00"},
    )
    assert response.status_code == 422
    assert "start" in response.get_json()["fields"]


def test_a_roster_period_starting_in_year_9999_is_a_field_error(
    db, client, login, create_person, create_library
):
    library = create_library()
    login(create_person(Role.SECTION_LEADER, Role.ADMIN))
    response = client.post(
        "/staff/roster/periods",
        data={"library_id": str(library.id), "start": "9999-12-27", "weeks": "4"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "must be between" in response.get_data(as_text=True)
