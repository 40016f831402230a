"""The public booking pages: topic -> times -> form -> confirmation, and the manage link."""

from __future__ import annotations

import re
from datetime import time, timedelta
from html import unescape

import pytest
from bs4 import BeautifulSoup
from icalendar import Calendar
from sqlalchemy import func, select

from scheduler.models import Appointment, AppointmentStatus, GroupQuestion, Mode
from tests.booking.appointments.helpers import TUESDAY, at

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _clock(frozen):
    return frozen


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def slot_links(response) -> list[str]:
    return [unescape(a["href"]) for a in soup(response).select("a.time")]


def count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Appointment))


def book_first_time(client, topic, **data):
    page = client.get(f"/book/topic/{topic.slug}", headers=EN)
    link = slot_links(page)[0]
    form = {"name": "Ola Student", "email": "ola@uni.example", "mode": "in_person"}
    form.update(data)
    return link, client.post(link, data=form, headers=EN)


def test_front_page_links_topics_to_their_booking_page(client, topic, librarian) -> None:
    html = client.get("/", headers=EN).get_data(as_text=True)
    assert f'href="/book/topic/{topic.slug}"' in html
    assert "Book a librarian" in html  # the navigation entry


def test_topic_page_shows_times_by_day_with_name_and_subjects(
    client, topic, create_librarian, create_topic
) -> None:
    other = create_topic(name="Medicine")
    create_librarian(name="Kari Nordmann", topics=[topic, other], windows=[(1, time(9), time(10))])
    create_librarian(name="Per Hansen", windows=[(1, time(10), time(11)), (2, time(9), time(10))])
    page = soup(client.get(f"/book/topic/{topic.slug}", headers=EN))
    days = page.select("section.day")
    assert [d.h2.get_text() for d in days] == [
        "Tuesday, 5 January 2027",
        "Wednesday, 6 January 2027",
    ]
    tuesday = days[0].get_text(" ", strip=True)
    assert "Kari Nordmann" in tuesday
    assert "Per Hansen" in tuesday
    # The week stays compact: each person's subjects are listed once, under the times.
    assert "Medicine, Nursing" not in tuesday
    assert "Medicine, Nursing" in page.select_one(".who-list").get_text(" ", strip=True)
    assert [a.contents[0].strip() for a in days[0].select("a.time")] == ["09:00", "10:00"]


def test_topic_page_filters_and_weeks(client, topic, create_librarian) -> None:
    create_librarian(modes="online", windows=[(1, time(9), time(10))])
    assert slot_links(client.get(f"/book/topic/{topic.slug}?mode=phone")) == []
    assert len(slot_links(client.get(f"/book/topic/{topic.slug}?mode=online"))) == 1
    next_week = client.get(f"/book/topic/{topic.slug}?from={(TUESDAY + timedelta(7)).isoformat()}")
    assert "start=2027-01-12" in "".join(slot_links(next_week))
    # A date in the past shows from today; nonsense is ignored.
    assert client.get(f"/book/topic/{topic.slug}?from=2020-01-01").status_code == 200
    assert client.get(f"/book/topic/{topic.slug}?from=soon").status_code == 200
    assert client.get("/book/topic/no-such-topic").status_code == 404


def test_booking_through_the_form_end_to_end(db, client, topic, librarian, outbox) -> None:
    _link, response = book_first_time(client, topic, message="Searching CINAHL")
    assert response.status_code == 302
    manage_url = response.headers["Location"]
    assert manage_url.startswith("/book/manage/")
    page = client.get(manage_url, headers=EN)
    assert page.headers["Cache-Control"] == "no-store"
    text = soup(page).get_text(" ", strip=True)
    assert "You are booked" in text
    assert "Tuesday, 5 January 2027, 09:00" in text
    assert librarian.name in text
    appointment = db.session.scalar(select(Appointment))
    assert appointment.patron_email == "ola@uni.example"
    assert appointment.locale == "en"
    # The e-mail leaves after the commit, with a calendar invitation and the same link.
    mails = outbox()
    to_patron = next(m for m in mails if m["To"] == "ola@uni.example")
    assert manage_url in to_patron.get_body(("plain",)).get_content()
    (invite,) = [p for p in to_patron.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert invite.get_param("method") == "REQUEST"
    cal = Calendar.from_ical(invite.get_content())
    assert cal.walk("VEVENT")[0].decoded("DTSTART") == at(TUESDAY, 9)
    assert any(m["To"] == librarian.email for m in mails)


def test_bad_form_input_is_shown_on_the_form_and_nothing_is_stored(
    db, client, topic, librarian
) -> None:
    _link, response = book_first_time(client, topic, name="", email="not an address")
    assert response.status_code == 422
    page = soup(response)
    assert page.select_one("#name-error")
    assert "name@example.com" in page.select_one("#email-error").get_text()
    assert count(db) == 0


def test_a_time_taken_meanwhile_gets_a_clear_409(db, client, topic, librarian) -> None:
    link, first = book_first_time(client, topic)
    assert first.status_code == 302
    again = client.post(
        link, data={"name": "Kari", "email": "kari@uni.example", "mode": "in_person"}, headers=EN
    )
    assert again.status_code == 409
    assert "no longer free" in again.get_data(as_text=True)
    assert count(db) == 1


def test_custom_questions_appear_and_are_required(
    db, client, topic, librarian, create_topic_group
) -> None:
    group = create_topic_group(name="Health", slug="health")
    topic.group = group
    question = GroupQuestion(group=group, position=1, label="Which course?", required=True)
    db.session.add(question)
    db.session.flush()
    link, response = book_first_time(client, topic)
    assert response.status_code == 422
    assert soup(response).select_one(f"#q_{question.id}-error")
    ok = client.post(
        link,
        data={
            "name": "Ola",
            "email": "ola@uni.example",
            "mode": "in_person",
            f"q_{question.id}": "SYK100",
        },
    )
    assert ok.status_code == 302
    assert db.session.scalar(select(Appointment)).answers[str(question.id)]["answer"] == "SYK100"


def test_restricted_group_page_and_verification_by_link(
    db, client, topic, librarian, create_topic_group, outbox
) -> None:
    topic.group = create_topic_group(
        name="Health", slug="health", allowed_email_domains="uni.example"
    )
    group_page = client.get("/book/group/health", headers=EN).get_data(as_text=True)
    assert "Only addresses at uni.example can book here" in group_page
    assert f"/book/topic/{topic.slug}" in group_page
    _link, refused = book_first_time(client, topic, email="ola@gmail.example")
    assert refused.status_code == 422
    assert "must be an address at uni.example" in refused.get_data(as_text=True)
    _link, response = book_first_time(client, topic)
    assert response.headers["Location"] == "/book/check-email"
    assert "ola@uni.example" in client.get("/book/check-email", headers=EN).get_data(as_text=True)
    (mail,) = outbox()
    verify_url = re.search(r"https://library\.test(/book/verify/\S+)", mail.get_content()).group(1)
    # Opening the link does not confirm (mail scanners open links); the button does.
    page = client.get(verify_url, headers=EN)
    assert page.status_code == 200
    assert db.session.scalar(select(Appointment)).status == AppointmentStatus.PENDING
    confirmed = client.post(verify_url, headers=EN)
    assert confirmed.status_code == 302
    assert confirmed.headers["Location"].startswith("/book/manage/")
    assert db.session.scalar(select(Appointment)).status == AppointmentStatus.BOOKED
    # Opening it again leads to the booking.
    assert client.get(verify_url).headers["Location"] == confirmed.headers["Location"]


def test_patron_cancels_from_the_manage_page(db, client, topic, librarian, outbox) -> None:
    _link, response = book_first_time(client, topic)
    manage_url = response.headers["Location"]
    # The manage page's button only asks; nothing is cancelled until the patron confirms.
    manage = soup(client.get(manage_url, headers=EN))
    ask = manage.find("a", string="Cancel the appointment")["href"]
    question = client.get(ask, headers=EN)
    assert "Cancel the appointment?" in question.get_data(as_text=True)
    assert (
        question.headers["Cache-Control"].startswith("no-store")
        or "no-store" in (question.headers["Cache-Control"])
    )
    assert db.session.scalar(select(Appointment)).status == AppointmentStatus.BOOKED
    form = soup(question).find("form", action=f"{manage_url}/cancel")
    assert form.find("button").get_text(strip=True) == "Yes, cancel it"
    cancelled = client.post(f"{manage_url}/cancel", headers=EN)
    assert cancelled.status_code == 302
    page = client.get(manage_url, headers=EN).get_data(as_text=True)
    assert "This appointment is cancelled" in page
    assert db.session.scalar(select(Appointment)).status == AppointmentStatus.CANCELLED
    mails = [m for m in outbox() if m["To"] == "ola@uni.example"]
    cancel = next(
        p for p in mails[-1].iter_attachments() if p.get_content_type() == "text/calendar"
    )
    assert cancel.get_param("method") == "CANCEL"


def test_patron_moves_to_another_time(db, client, topic, librarian) -> None:
    _link, response = book_first_time(client, topic)
    manage_url = response.headers["Location"]
    move_page = soup(client.get(f"{manage_url}/move", headers=EN))
    choices = [i["value"] for i in move_page.select("input[name=start]")]
    assert all("|" in c for c in choices)
    target = next(c for c in choices if c.startswith(at(TUESDAY, 9, 45).isoformat()))
    moved = client.post(f"{manage_url}/move", data={"start": target}, headers=EN)
    assert moved.status_code == 302
    appointment = db.session.scalar(select(Appointment))
    assert appointment.starts_at == at(TUESDAY, 9, 45)
    assert appointment.sequence == 1
    bad = client.post(f"{manage_url}/move", data={"start": "yesterday|1"}, headers=EN)
    assert bad.status_code == 422


def test_calendar_file_from_the_manage_page(client, topic, librarian) -> None:
    _link, response = book_first_time(client, topic)
    ics = client.get(f"{response.headers['Location']}/appointment.ics")
    assert ics.mimetype == "text/calendar"
    event = Calendar.from_ical(ics.data).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == at(TUESDAY, 9)


def test_unknown_manage_link_is_404(client) -> None:
    assert client.get("/book/manage/not-a-token", headers=EN).status_code == 404
    assert client.get("/book/verify/not-a-token", headers=EN).status_code == 404


def test_librarian_page_and_people_list(client, topic, librarian, create_librarian) -> None:
    hidden = create_librarian(name="Hidden Person")
    hidden.bookable = False
    people = client.get("/book/people", headers=EN).get_data(as_text=True)
    assert librarian.name in people
    assert "Hidden Person" not in people
    page = client.get(f"/book/librarian/{librarian.id}", headers=EN)
    assert page.status_code == 200
    links = slot_links(page)
    assert links
    assert all(f"topic={topic.id}" in link for link in links)
    assert client.get(f"/book/librarian/{hidden.id}").status_code == 404


def test_pages_in_norwegian(client, topic, librarian) -> None:
    html = client.get(f"/book/topic/{topic.slug}", headers={"Accept-Language": "nb"}).get_data(
        as_text=True
    )
    assert "tirsdag 5. januar 2027" in html
    assert "Bestill en bibliotekar" in html


def test_modes_on_the_form_come_from_the_slot(client, topic, create_librarian) -> None:
    create_librarian(modes="online", windows=[(1, time(9), time(10))])
    page = client.get(f"/book/topic/{topic.slug}")
    form = soup(client.get(slot_links(page)[0], headers=EN))
    assert [i["value"] for i in form.select("input[name=mode]")] == [Mode.ONLINE.value]
    # The only way to meet is chosen already, and the question is marked as required.
    (only,) = form.select("input[name=mode]")
    assert only.has_attr("checked")
    assert only.has_attr("required")
    legend = only.find_parent("fieldset").legend
    assert "How would you like to meet?" in legend.get_text()
    assert legend.find("span", class_="req") is not None


def test_several_ways_to_meet_are_not_preselected(client, topic, create_librarian) -> None:
    create_librarian(modes="in_person,online", windows=[(1, time(9), time(10))])
    page = client.get(f"/book/topic/{topic.slug}")
    form = soup(client.get(slot_links(page)[0], headers=EN))
    options = form.select("input[name=mode]")
    assert len(options) == 2
    assert not any(o.has_attr("checked") for o in options)


def test_finding_a_time_names_the_zone_and_the_first_free_time(client, topic, librarian) -> None:
    page = soup(client.get(f"/book/topic/{topic.slug}", headers=EN))
    assert "Times are shown in Oslo time." in page.get_text()
    first = page.select_one(".first-free a")
    assert "Tuesday, 5 January 2027, 09:00 with Kari Nordmann" in first.get_text(" ", strip=True)
    assert "start=2027-01-05T08:00:00" in first["href"]  # 09:00 in Oslo is 08:00 UTC
    # The date strip: seven days, Monday (today, no times left) to Sunday.
    strip = page.select(".date-strip li")
    assert len(strip) == 7
    assert strip[0].select_one(".none") is not None
    tuesday = strip[1].find("a")
    assert tuesday["href"] == "#day-2027-01-05"
    assert "4 times" in tuesday.get_text()  # 09:00, 09:45, 10:30, 11:15
    # Times come grouped by part of the day.
    assert page.select_one(".part-name").get_text() == "Morning"


def test_the_page_opens_on_the_first_week_with_a_free_time(client, topic, create_librarian) -> None:
    # Free only on Tuesdays with a 10-day notice: nothing this week.
    create_librarian(windows=[(1, time(9), time(10))], min_notice_minutes=10 * 24 * 60)
    page = soup(client.get(f"/book/topic/{topic.slug}", headers=EN))
    assert "No free times in the week you asked for." in page.get_text()
    links = slot_links(client.get(f"/book/topic/{topic.slug}", headers=EN))
    assert links
    assert all("start=2027-01-19" in link for link in links)  # two weeks on
    # A week asked for explicitly is shown as asked, even when empty.
    asked = client.get(f"/book/topic/{topic.slug}?from=2027-01-04", headers=EN)
    assert slot_links(asked) == []


def test_filter_by_person(client, topic, create_librarian) -> None:
    kari = create_librarian(name="Kari Nordmann", windows=[(1, time(9), time(10))])
    create_librarian(name="Per Hansen", windows=[(2, time(9), time(10))])
    everyone = client.get(f"/book/topic/{topic.slug}", headers=EN)
    assert {"2027-01-05", "2027-01-06"} <= {
        link.split("start=")[1][:10] for link in slot_links(everyone)
    }
    only = client.get(f"/book/topic/{topic.slug}?person={kari.id}", headers=EN)
    assert slot_links(only)
    assert all(f"librarian={kari.id}" in link for link in slot_links(only))
    assert soup(only).select_one(f"#f-person option[value='{kari.id}']").has_attr("selected")
    # Someone who does not cover the topic (or nonsense) is ignored, not an error.
    assert client.get(f"/book/topic/{topic.slug}?person=999999").status_code == 200
    assert client.get(f"/book/topic/{topic.slug}?person=%C2%B2").status_code == 200
