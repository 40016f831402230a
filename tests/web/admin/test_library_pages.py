"""The libraries pages: admins only, field errors on bad input, nothing saved, CSRF on."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import func, select

from scheduler.models import ClosedDate, Library, OpeningHours, Role, RosterPeriod

EN = {"Accept-Language": "en"}


@pytest.fixture
def admin(create_person, login):
    person = create_person(Role.ADMIN)
    login(person)
    return person


def _form(**kw) -> dict:
    data = {
        "name": "Law Library",
        "slug": "law",
        "timezone": "Europe/Oslo",
        "address": "",
        "email": "",
        "position": "3",
    }
    data.update(kw)
    return data


def _libraries(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Library))


@pytest.mark.parametrize("role", [Role.SECTION_LEADER, Role.LIBRARIAN, Role.FIRST_LINE])
def test_non_admins_get_403(client, create_person, login, create_library, role) -> None:
    login(create_person(role))
    lib = create_library()
    for url in [
        "/admin/libraries",
        "/admin/libraries/new",
        f"/admin/libraries/{lib.id}",
        f"/admin/libraries/{lib.id}/hours",
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post("/admin/libraries/new", data=_form()).status_code == 403
    assert client.post(f"/admin/libraries/{lib.id}/remove").status_code == 403


def test_admin_adds_a_library_then_its_hours(client, db, admin) -> None:
    response = client.post("/admin/libraries/new", data=_form(is_main="y"))
    assert response.status_code == 302
    lib = db.session.scalar(select(Library).where(Library.slug == "law"))
    assert (lib.name, lib.position, lib.is_main) == ("Law Library", 3, True)
    assert response.headers["Location"].endswith(f"/admin/libraries/{lib.id}/hours")
    hours = {"action": "hours", "hours-opens_0": "08:00", "hours-closes_0": "16:00"}
    assert client.post(f"/admin/libraries/{lib.id}/hours", data=hours).status_code == 302
    rows = db.session.scalars(select(OpeningHours).where(OpeningHours.library_id == lib.id)).all()
    assert [(r.weekday, r.opens, r.closes) for r in rows] == [(0, time(8), time(16))]
    page = client.get(f"/admin/libraries/{lib.id}/hours", headers=EN).get_data(as_text=True)
    assert 'value="08:00"' in page


@pytest.mark.parametrize(
    ("change", "field_id", "message"),
    [
        ({"slug": "taken"}, "slug", "already used"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Not a valid choice"),
        ({"email": "nobody"}, "email", "not a valid e-mail address"),
        ({"slug": "Law Library"}, "slug", "lower-case letters"),
    ],
)
def test_bad_input_shows_on_the_field_and_saves_nothing(
    client, db, admin, create_library, change, field_id, message
) -> None:
    create_library(slug="taken")
    before = _libraries(db)
    response = client.post("/admin/libraries/new", data=_form(**change), headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field_id}-error"' in html
    assert message in html
    assert _libraries(db) == before


def test_time_zone_is_chosen_from_the_iana_list(client, admin) -> None:
    html = client.get("/admin/libraries/new").get_data(as_text=True)
    assert '<option value="America/Argentina/Buenos_Aires">' in html
    assert '<option selected value="Europe/Oslo">' in html or 'value="Europe/Oslo" selected' in html


def test_closing_before_opening_is_shown_on_that_day(client, db, admin, create_library) -> None:
    lib = create_library()
    before = db.session.scalar(
        select(func.count()).select_from(OpeningHours).where(OpeningHours.library_id == lib.id)
    )
    response = client.post(
        f"/admin/libraries/{lib.id}/hours",
        data={"action": "hours", "hours-opens_2": "18:00", "hours-closes_2": "09:00"},
        headers=EN,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="hours-closes_2-error"' in html
    assert "must be after the opening time" in html
    after = db.session.scalar(
        select(func.count()).select_from(OpeningHours).where(OpeningHours.library_id == lib.id)
    )
    assert after == before == 7


def test_closed_dates_range_and_reversed_range(client, db, admin, create_library) -> None:
    lib = create_library()
    url = f"/admin/libraries/{lib.id}/hours"
    response = client.post(
        url,
        data={
            "action": "closed",
            "closed-first": "2027-05-03",
            "closed-until": "2027-05-01",
            "closed-reason": "Spring",
        },
        headers=EN,
    )
    assert response.status_code == 422
    assert 'id="closed-until-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ClosedDate)) == 0
    data = {"action": "closed", "closed-first": "2027-05-01", "closed-until": "2027-05-03"}
    assert client.post(url, data=data).status_code == 302
    days = db.session.scalars(select(ClosedDate.date).order_by(ClosedDate.date)).all()
    assert days == [date(2027, 5, 1), date(2027, 5, 2), date(2027, 5, 3)]
    row = db.session.scalar(select(ClosedDate).where(ClosedDate.date == date(2027, 5, 2)))
    assert client.post(url, data={"action": "remove_closed", "id": row.id}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ClosedDate)) == 2


def test_removing_a_library_with_history_deactivates_and_says_so(
    client, db, admin, create_library
) -> None:
    lib = create_library(name="Old Branch")
    db.session.add(RosterPeriod(library=lib, start_date=date(2027, 1, 4), weeks=1))
    response = client.post(f"/admin/libraries/{lib.id}/remove", headers=EN, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Deactivated Old Branch: 1 roster period refer to it." in html
    assert db.session.get(Library, lib.id).active is False
    client.post(f"/admin/libraries/{lib.id}/reactivate")
    assert db.session.get(Library, lib.id).active is True


def test_search(client, admin, create_library) -> None:
    create_library(name="Medical Library", slug="med")
    create_library(name="Law Library", slug="law")
    html = client.get("/admin/libraries?q=medical").get_data(as_text=True)
    assert "Medical Library" in html
    assert "Law Library" not in html


def test_the_pages_speak_bokmaal(client, admin, create_library) -> None:
    lib = create_library(name="Realfagsbiblioteket")
    html = client.get("/admin/libraries", headers={"Accept-Language": "nb"}).get_data(as_text=True)
    assert "Legg til et bibliotek" in html
    html = client.get(
        f"/admin/libraries/{lib.id}/hours", headers={"Accept-Language": "nb"}
    ).get_data(as_text=True)
    assert "Åpningstider og stengte dager" in html
