"""Staff pages: create, edit one or the series, copy, cancel, registrants, CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, time, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from scheduler.models import (
    DropInSession,
    Registration,
    RegistrationStatus,
    Role,
    SessionSeries,
    SessionStatus,
)
from scheduler.timeutil import to_local
from tests.booking.dropins.conftest import TZ, outbox

EN = {"Accept-Language": "en"}


def _text(response) -> str:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text(" ", strip=True)


@pytest.fixture
def library(create_library, host):
    """The host is a librarian of this library (and so may add sessions to it)."""
    lib = create_library(name="Main")
    host.grant(Role.LIBRARIAN, lib)
    return lib


@pytest.fixture
def form(library, host):
    """A filled-in "new session" form: weekly for three weeks, 10:00-11:30."""
    first = date.today() + timedelta(days=7)
    return {
        "title": "Zotero drop-in",
        "library": str(library.id),
        "location": "Learning centre",
        "date": first.isoformat(),
        "start_time": "10:00",
        "end_time": "11:30",
        "repeat": "weekly",
        "weeks": "3",
        "hosts": [str(host.id)],
        "registration_required": "y",
        "capacity": "12",
        "waitlist_enabled": "y",
        "deadline_hours": "2",
        "question": "Which tool do you use?",
    }


def _sessions(db) -> list[DropInSession]:
    return list(db.session.scalars(select(DropInSession).order_by(DropInSession.starts_at)))


def test_a_librarian_creates_a_weekly_series(client, db, login, host, form) -> None:
    login(host)
    page = client.get("/staff/dropins/new")
    assert page.status_code == 200
    assert "js/dropins.js" in page.get_data(as_text=True)
    script = client.get("/static/js/dropins.js")
    assert script.status_code == 200
    script.close()
    response = client.post("/staff/dropins/new", data=form, headers=EN)
    assert response.status_code == 302
    sessions = _sessions(db)
    assert len(sessions) == 3
    assert len({s.series_id for s in sessions}) == 1
    assert [to_local(s.starts_at, TZ).time() for s in sessions] == [time(10)] * 3
    assert all(s.capacity == 12 and s.hosts == [host] for s in sessions)
    page = client.get(response.headers["Location"], headers=EN)
    assert "Created 3 sessions." in _text(page)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"end_time": "09:00"}, "end_time", "must be after the start time"),
        ({"title": ""}, "title", "is required"),
        ({"capacity": "ten"}, "capacity", "must be a whole number"),
        ({"weeks": "0"}, "weeks", "must be between 1 and 52"),
        ({"repeat": "dates", "dates": ""}, "dates", "gives no dates"),
        (
            {"date": (date.today() - timedelta(days=30)).isoformat(), "repeat": "once"},
            "date",
            "is in the past",
        ),
        ({"start_time": "25:00"}, "start_time", "is not a time"),
        ({"hosts": []}, "hosts", "choose at least one host"),
    ],
)
def test_bad_input_re_renders_the_form_naming_the_field(
    client, db, login, host, form, change, field, words
) -> None:
    login(host)
    response = client.post("/staff/dropins/new", data=form | change, headers=EN)
    assert response.status_code == 422
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert words in soup.select_one(f"#{field}-error").get_text()
    assert soup.select_one(".error-summary")
    assert db.session.scalar(select(func.count()).select_from(DropInSession)) == 0


def test_form_errors_are_in_norwegian_for_norwegian_readers(client, login, host, form) -> None:
    login(host)
    response = client.post(
        "/staff/dropins/new", data=form | {"end_time": "09:00"}, headers={"Accept-Language": "nb"}
    )
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert (
        soup.select_one("#end_time-error").get_text(strip=True) == "må være etter starttidspunktet"
    )


def test_edit_one_occurrence_and_then_the_series(client, db, login, host, form) -> None:
    login(host)
    client.post("/staff/dropins/new", data=form)
    first, second, _third = _sessions(db)
    page = client.get(f"/staff/dropins/{second.id}/edit")
    assert page.status_code == 200
    moved_day = to_local(second.starts_at, TZ).date() + timedelta(days=1)
    response = client.post(
        f"/staff/dropins/{second.id}/edit",
        data=form | {"date": moved_day.isoformat(), "start_time": "14:00", "end_time": "15:00"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert to_local(second.starts_at, TZ).date() == moved_day
    assert to_local(second.starts_at, TZ).time() == time(14)
    assert to_local(first.starts_at, TZ).time() == time(10)
    # Now the whole series: every upcoming one gets 13:00-14:00 on its own date.
    series_form = client.get(f"/staff/dropins/series/{first.series_id}/edit")
    assert series_form.status_code == 200
    response = client.post(
        f"/staff/dropins/series/{first.series_id}/edit",
        data=form | {"title": "Zotero clinic", "start_time": "13:00", "end_time": "14:00"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [s.title for s in _sessions(db)] == ["Zotero clinic"] * 3
    assert [to_local(s.starts_at, TZ).time() for s in _sessions(db)] == [time(13)] * 3
    assert to_local(second.starts_at, TZ).date() == moved_day  # kept its own date
    assert db.session.get(SessionSeries, first.series_id).title == "Zotero clinic"


def test_lowering_capacity_below_registrations_is_refused_on_the_page(
    client, db, login, host, form, sign_up
) -> None:
    login(host)
    client.post("/staff/dropins/new", data=form | {"repeat": "once"})
    (dropin,) = _sessions(db)
    for n in range(3):
        sign_up(dropin, n)
    response = client.post(
        f"/staff/dropins/{dropin.id}/edit",
        data=form | {"capacity": "2", "title": "Renamed"},
        headers=EN,
    )
    assert response.status_code == 422
    assert "is lower than the 3 people already registered" in _text(response)
    db.session.expire_all()
    assert (dropin.capacity, dropin.title) == (12, "Zotero drop-in")


def test_copy_prefills_and_creates_a_new_session(client, db, login, host, form) -> None:
    login(host)
    client.post("/staff/dropins/new", data=form | {"repeat": "once"})
    (source,) = _sessions(db)
    page = client.get(f"/staff/dropins/{source.id}/copy")
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    assert soup.select_one("#title")["value"] == "Zotero drop-in"
    assert soup.select_one("#deadline_hours")["value"] == "2"
    new_day = date.today() + timedelta(days=30)
    response = client.post(
        f"/staff/dropins/{source.id}/copy",
        data=form | {"repeat": "once", "date": new_day.isoformat()},
    )
    assert response.status_code == 302
    copy = _sessions(db)[-1]
    assert copy.id != source.id
    assert to_local(copy.starts_at, TZ).date() == new_day


def test_cancel_a_session_tells_registrants(client, db, login, host, create_dropin, sign_up):
    login(host)
    dropin = create_dropin(capacity=5, title="Lovdata")
    sign_up(dropin, 1)
    assert client.get(f"/staff/dropins/{dropin.id}/cancel").status_code == 200
    response = client.post(f"/staff/dropins/{dropin.id}/cancel", data={"message": "Ill"})
    assert response.status_code == 302
    db.session.expire_all()
    assert dropin.status == SessionStatus.CANCELLED
    notice = outbox(db, "student1@uni.example")[-1]
    assert notice.subject == "Cancelled: Lovdata"
    assert "Ill" in notice.body_text
    # A second cancel is refused with the reason and changes nothing.
    again = client.post(f"/staff/dropins/{dropin.id}/cancel", data={}, headers=EN)
    assert again.status_code == 409


def test_cancel_the_series(client, db, login, host, form) -> None:
    login(host)
    client.post("/staff/dropins/new", data=form)
    series_id = _sessions(db)[0].series_id
    assert client.get(f"/staff/dropins/series/{series_id}/cancel").status_code == 200
    response = client.post(f"/staff/dropins/series/{series_id}/cancel", data={})
    assert response.status_code == 302
    db.session.expire_all()
    assert {s.status for s in _sessions(db)} == {SessionStatus.CANCELLED}


def test_hosts_see_registrants_answers_and_head_count(
    client, login, host, create_dropin, sign_up
) -> None:
    dropin = create_dropin(capacity=2, question="Dietary needs?", lunch=True)
    sign_up(dropin, 1, answer="Vegan", lunch=True)
    sign_up(dropin, 2, lunch=False)
    sign_up(dropin, 3, lunch=True)  # waitlisted
    login(host)
    text = _text(client.get(f"/staff/dropins/{dropin.id}", headers=EN))
    assert "2 registered of 2" in text
    assert "1 on the waitlist" in text
    assert "1 for lunch" in text
    assert "Vegan" in text
    assert "student3@uni.example" in text
    assert "Waitlist, number 1" in text


def test_other_librarians_see_counts_but_not_names(
    client, login, create_person, create_dropin, sign_up
) -> None:
    dropin = create_dropin(capacity=2)
    sign_up(dropin, 1)
    login(create_person(Role.LIBRARIAN))
    page = client.get(f"/staff/dropins/{dropin.id}", headers=EN)
    assert page.status_code == 200
    assert "student1@uni.example" not in page.get_data(as_text=True)
    assert "1 registered" in _text(page)
    assert client.get(f"/staff/dropins/{dropin.id}/registrants.csv").status_code == 403


def test_csv_export(client, login, host, create_dropin, sign_up) -> None:
    dropin = create_dropin(capacity=1, question="Topics?", lunch=True)
    sign_up(dropin, 1, name="Åse Ødegård", answer="Zotero", lunch=True)
    sign_up(dropin, 2)
    login(host)
    response = client.get(f"/staff/dropins/{dropin.id}/registrants.csv", headers=EN)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Name", "E-mail", "Status"]
    assert rows[1][:6] == ["Åse Ødegård", "student1@uni.example", "registered", "", "Zotero", "yes"]
    assert rows[2][:4] == ["Student 2", "student2@uni.example", "waitlisted", "1"]
    nb = client.get(
        f"/staff/dropins/{dropin.id}/registrants.csv", headers={"Accept-Language": "nb"}
    )
    assert nb.data.decode("utf-8-sig").splitlines()[0].startswith("Navn,E-post,Status")


def test_a_host_removes_someone_and_the_next_moves_up(
    client, db, login, host, create_dropin, sign_up
) -> None:
    dropin = create_dropin(capacity=1)
    first = sign_up(dropin, 1).for_session(dropin.id)
    sign_up(dropin, 2)
    login(host)
    url = f"/staff/dropins/{dropin.id}/registrations/{first.id}/cancel"
    assert "Remove" in _text(client.get(url, headers=EN))
    assert client.post(url).status_code == 302
    statuses = dict(db.session.execute(select(Registration.email, Registration.status)).all())
    assert statuses["student2@uni.example"] == RegistrationStatus.REGISTERED
    other = create_dropin(capacity=1)
    assert (
        client.post(f"/staff/dropins/{other.id}/registrations/{first.id}/cancel").status_code == 404
    )


def test_staff_listing_and_nav(client, login, host, create_dropin, create_person) -> None:
    home = host.libraries[0]
    colleague = create_person(Role.LIBRARIAN, libraries=[home])
    create_dropin(title="Mine", hosts=[host])  # in a library of its own
    create_dropin(title="Theirs", hosts=[colleague], library=home)
    create_dropin(title="Elsewhere", hosts=[create_person(Role.LIBRARIAN)])
    login(host)
    html = client.get("/staff/dropins/", headers=EN).get_data(as_text=True)
    assert "Mine" in html  # hosted by them, wherever it is
    assert "Theirs" in html  # in their library
    assert "Elsewhere" not in html  # another library's, not theirs
    mine = client.get("/staff/dropins/?mine=1").get_data(as_text=True)
    assert "Mine" in mine
    assert "Theirs" not in mine
    assert 'href="/staff/dropins/"' in client.get("/staff/").get_data(as_text=True)
    assert 'href="/dropins/"' in client.get("/").get_data(as_text=True)


def test_first_line_staff_cannot_plan_sessions(client, login, create_person) -> None:
    login(create_person(Role.FIRST_LINE))
    assert client.get("/staff/dropins/new").status_code == 403
