"""Public pages: the listing with filters, a session page with sign-up, the manage link."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bs4 import BeautifulSoup
from icalendar import Calendar
from sqlalchemy import func, select

from scheduler.models import Registration, RegistrationStatus, SessionSeries, SessionStatus
from tests.booking.dropins.conftest import outbox

EN = {"Accept-Language": "en"}
NB = {"Accept-Language": "nb"}


def _text(response) -> str:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text(" ", strip=True)


def test_listing_shows_sessions_by_day_with_places_left(client, create_dropin, sign_up) -> None:
    dropin = create_dropin(title="Zotero drop-in", capacity=10)
    create_dropin(title="Open lab", registration_required=False)
    full = create_dropin(title="Tiny course", capacity=1)
    gone = create_dropin(title="Called off", status=SessionStatus.CANCELLED)
    sign_up(dropin, 1)
    sign_up(full, 2)
    text = _text(client.get("/dropins/", headers=EN))
    assert "9 places left of 10" in text
    assert "No registration: just come" in text
    assert "Full: join the waitlist" in text
    soup = BeautifulSoup(client.get("/dropins/", headers=EN).get_data(as_text=True), "html.parser")
    row = next(li for li in soup.select(".dropin") if gone.title in li.get_text())
    assert row.select_one(".badge.error").get_text(strip=True) == "Cancelled"
    nb = _text(client.get("/dropins/", headers=NB))
    assert "9 plasser igjen av 10" in nb


def test_listing_filters_by_topic_library_and_dates(
    client, create_dropin, create_library, create_topic
) -> None:
    law, health = create_library(name="Law Library"), create_library(name="Health Library")
    zotero = create_topic(name="Zotero")
    today = date.today()
    create_dropin(title="Law Zotero", library=law, topic=zotero, day=today + timedelta(days=1))
    create_dropin(title="Health other", library=health, day=today + timedelta(days=2))
    create_dropin(title="Far ahead", library=health, day=today + timedelta(days=100))

    def titles(query: str) -> set[str]:
        html = client.get(f"/dropins/?{query}", headers=EN).get_data(as_text=True)
        soup = BeautifulSoup(html, "html.parser")
        return {a.get_text(strip=True) for a in soup.select(".dropin h3 a")}

    assert titles("") == {"Law Zotero", "Health other"}  # eight weeks by default
    assert titles(f"topic={zotero.id}") == {"Law Zotero"}
    assert titles(f"library={health.id}") == {"Health other"}
    far = today + timedelta(days=100)
    assert titles(f"from={far.isoformat()}&to={far.isoformat()}") == {"Far ahead"}


def test_bad_filters_get_422_and_name_the_field(client) -> None:
    response = client.get("/dropins/?from=2027-13-01&to=soon&topic=x", headers=EN)
    assert response.status_code == 422
    text = _text(response)
    assert "is not a date like 2027-01-05" in text  # the same words as the API's
    assert "is not a valid id" in text
    response = client.get("/dropins/?from=2027-03-10&to=2027-03-01", headers=EN)
    assert response.status_code == 422
    assert "must not be before the start date" in _text(response)


def test_sign_up_on_the_session_page(client, db, create_dropin) -> None:
    dropin = create_dropin(
        title="Thesis café", capacity=5, question="What are you writing?", lunch=True
    )
    page = client.get(f"/dropins/{dropin.id}", headers=EN)
    assert page.status_code == 200
    assert "What are you writing?" in _text(page)
    response = client.post(
        f"/dropins/{dropin.id}",
        data={"name": "Kari", "email": "kari@uni.example", "answer": "A thesis", "lunch": "y"},
        headers=EN,
    )
    assert response.status_code == 302
    manage_url = response.headers["Location"]
    assert manage_url.startswith("/dropins/manage/")
    reg = db.session.scalar(select(Registration))
    assert (reg.name, reg.answer, reg.lunch, reg.locale) == ("Kari", "A thesis", True, "en")
    manage = client.get(manage_url, headers=EN)
    assert "You are registered." in _text(manage)
    assert "Thesis café" in _text(manage)
    assert manage.headers["Content-Security-Policy"]
    assert '<meta name="robots" content="noindex">' in manage.get_data(as_text=True)
    (mail,) = outbox(db)
    assert manage_url in mail.body_text


def test_sign_up_errors_re_render_the_form_in_the_readers_language(
    client, db, create_dropin
) -> None:
    dropin = create_dropin(capacity=5)
    response = client.post(f"/dropins/{dropin.id}", data={"name": "", "email": "nope"}, headers=NB)
    assert response.status_code == 422
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.select_one("#name-error").get_text(strip=True) == "må fylles ut"
    assert "er ikke en gyldig e-postadresse" in soup.select_one("#email-error").get_text()
    assert soup.select_one(".error-summary")
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_duplicate_and_closed_sign_ups_get_409_with_the_reason(
    client, db, create_dropin, sign_up
) -> None:
    dropin = create_dropin(capacity=5)
    sign_up(dropin, 1)
    response = client.post(
        f"/dropins/{dropin.id}",
        data={"name": "Again", "email": "student1@uni.example"},
        headers=EN,
    )
    assert response.status_code == 409
    assert "is already signed up for this session" in _text(response)
    dropin.registration_deadline = dropin.starts_at - timedelta(days=30)
    response = client.post(
        f"/dropins/{dropin.id}", data={"name": "Late", "email": "late@uni.example"}, headers=EN
    )
    assert response.status_code == 409
    assert "Registration for this session is closed." in _text(response)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


def test_a_series_page_offers_its_open_sessions(client, db, create_dropin) -> None:
    series = SessionSeries(title="Course")
    db.session.add(series)
    today = date.today()
    parts = [
        create_dropin(series=series, title="Course", capacity=3, day=today + timedelta(days=n))
        for n in (3, 10, 17)
    ]
    response = client.post(
        f"/dropins/{parts[0].id}",
        data={
            "name": "Ola",
            "email": "ola@uni.example",
            "sessions": [str(parts[0].id), str(parts[2].id)],
        },
    )
    assert response.status_code == 302
    regs = db.session.scalars(select(Registration).order_by(Registration.session_id)).all()
    assert [r.session_id for r in regs] == [parts[0].id, parts[2].id]
    assert len({r.manage_token_hash for r in regs}) == 1


def test_manage_page_cancels_and_the_waitlist_moves_up(client, db, create_dropin, sign_up) -> None:
    dropin = create_dropin(capacity=1, title="Lovdata")
    done = sign_up(dropin, 1)
    sign_up(dropin, 2)
    url = f"/dropins/manage/{done.token}"
    # The first submit asks once more and changes nothing.
    question = client.post(url, data={"sessions": [str(dropin.id)]}, headers=EN)
    assert question.status_code == 200
    assert "Cancel your registration?" in _text(question)
    assert (
        db.session.scalar(
            select(Registration.status).where(Registration.email == "student1@uni.example")
        )
        == RegistrationStatus.REGISTERED
    )
    response = client.post(url, data={"sessions": [str(dropin.id)], "confirmed": "yes"}, headers=EN)
    assert response.status_code == 302
    statuses = dict(db.session.execute(select(Registration.email, Registration.status)).all())
    assert statuses == {
        "student1@uni.example": RegistrationStatus.CANCELLED,
        "student2@uni.example": RegistrationStatus.REGISTERED,
    }
    assert "Your registration is cancelled." in _text(client.get(url, headers=EN))
    assert outbox(db, "student2@uni.example")[-1].subject == "You have a place: Lovdata"
    # Nothing chosen: nothing happens, and the page says why.
    response = client.post(url, data={}, headers=EN)
    assert response.status_code == 422


def test_unknown_manage_links_are_404(client) -> None:
    assert client.get("/dropins/manage/not-a-real-token").status_code == 404


def test_session_calendar_file(client, create_dropin) -> None:
    dropin = create_dropin(title="Zotero")
    response = client.get(f"/dropins/{dropin.id}.ics")
    assert response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == f"session-{dropin.id}@library.test"
    assert event.decoded("DTSTART") == dropin.starts_at


def test_online_links_of_sessions_with_registration_go_to_registrants_only(
    client, create_dropin
) -> None:
    secret = create_dropin(online_url="https://video.example/secret-room", capacity=5)
    open_ = create_dropin(online_url="https://video.example/open-room", registration_required=False)
    assert "secret-room" not in client.get(f"/dropins/{secret.id}").get_data(as_text=True)
    assert "open-room" in client.get(f"/dropins/{open_.id}").get_data(as_text=True)


def test_listing_links_each_session(client, create_dropin) -> None:
    dropin = create_dropin(title="Zotero")
    html = client.get("/dropins/").get_data(as_text=True)
    assert re.search(rf'href="/dropins/{dropin.id}"', html)


def test_manage_page_never_preselects_what_to_cancel(client, db, create_dropin, sign_up) -> None:
    series = SessionSeries(title="Course")
    db.session.add(series)
    parts = [
        create_dropin(series=series, capacity=3, day=date.today() + timedelta(days=n))
        for n in (3, 10)
    ]
    done = sign_up([p.id for p in parts], 1)
    soup = BeautifulSoup(
        client.get(f"/dropins/manage/{done.token}", headers=EN).get_data(as_text=True),
        "html.parser",
    )
    boxes = soup.select('input[type=checkbox][name="sessions"]')
    assert len(boxes) == 2
    assert not any(box.has_attr("checked") for box in boxes)
    single = sign_up(create_dropin(capacity=3), 2)
    soup = BeautifulSoup(
        client.get(f"/dropins/manage/{single.token}", headers=EN).get_data(as_text=True),
        "html.parser",
    )
    assert soup.select_one('input[type=hidden][name="sessions"]')
    assert "Cancel my registration" in soup.get_text()
