"""The journeys of issue 18 in a real browser: the activity calendar (with and without
JavaScript), booking the first free time, the patron's bookings link, and editing a
shift from the roster grid. axe-core checks every page visited (see conftest.py)."""

from __future__ import annotations

import re

from sqlalchemy import select

from scheduler.jobs.runner import run_pending
from scheduler.models import Appointment, Assignment, OutboundEmail
from tests.browser.enrolment import complete_enrolment
from tests.factories import TEST_PASSWORD
from tests.rostering.review_data import make_roster


def test_the_activity_calendar_three_views_and_a_filter(page, demo_site) -> None:
    base, _sign_ins = demo_site
    page.goto(f"{base}/calendar")
    assert page.inner_text("h1") == "Activity calendar"
    assert page.locator("table.cal-month td").count() >= 28
    month_events = page.locator("table.cal-month .cal-event").count()
    assert month_events > 0
    with page.expect_navigation():
        page.click(".cal-views >> text=Week")
    assert page.locator(".cal-week section").count() == 7
    with page.expect_navigation():
        page.click(".cal-views >> text=List")
    assert page.locator(".dropin-day").count() > 0
    # A library filter keeps only that library's events, and the subscribe link follows.
    first_library = page.locator("#cal-library option").nth(1)
    name = first_library.inner_text()
    page.select_option("#cal-library", first_library.get_attribute("value"))
    with page.expect_navigation():
        page.click("form[role=search] button[type=submit]")
    wheres = page.locator(".cal-where").all_inner_texts()
    assert wheres
    assert set(wheres) == {name}
    assert "library=" in page.input_value("#feed-calendar")


def test_the_calendar_works_without_javascript(browser, demo_site) -> None:
    base, _sign_ins = demo_site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{base}/calendar?view=week")
        assert page.locator(".cal-week section").count() == 7
        with page.expect_navigation():
            page.click("a[rel=next]")
        assert "view=week" in page.url
        with page.expect_navigation():
            page.click(".cal-views >> text=Month")
        assert page.locator("table.cal-month").count() == 1
    finally:
        context.close()


def test_booking_the_first_free_time(page, demo_site, db) -> None:
    base, _sign_ins = demo_site
    page.goto(f"{base}/book/topic/systematic-reviews")
    assert "Times are shown in Oslo time." in page.inner_text("#zone-note")
    with page.expect_navigation():
        page.click(".first-free a")
    assert page.inner_text("h1") == "Book a time"
    page.fill("#name", "Grace Hopper")
    page.fill("#email", "grace@uni.example")
    if page.locator("input[name=mode]:checked").count() == 0:
        page.locator("input[name=mode]").first.check()
    with page.expect_navigation():
        page.click("main button[type=submit] >> text=Book")
    booked = db.session.scalar(
        select(Appointment).where(Appointment.patron_email == "grace@uni.example")
    )
    assert booked is not None


def test_my_bookings_by_link(page, demo_site, db, app) -> None:
    base, _sign_ins = demo_site
    page.goto(f"{base}/book/topic/law")  # open to any address: no confirmation step
    with page.expect_navigation():
        page.click(".first-free a")
    page.fill("#name", "Ada Lovelace")
    page.fill("#email", "ada@uni.example")
    if page.locator("input[name=mode]:checked").count() == 0:
        page.locator("input[name=mode]").first.check()
    with page.expect_navigation():
        page.click("main button[type=submit] >> text=Book")
    page.goto(f"{base}/my-bookings/")
    page.fill("#email", "ada@uni.example")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "a link to them is on its way" in page.inner_text("main")
    run_pending(app)
    db.session.expire_all()
    mail = db.session.scalars(
        select(OutboundEmail).where(
            OutboundEmail.to_address == "ada@uni.example",
            OutboundEmail.subject == "Your bookings with the library",
        )
    ).one()
    path = re.search(r"(/my-bookings/\S+)", mail.body_text).group(1)
    page.goto(base + path)
    assert page.locator("#appointments-heading ~ table tbody tr").count() == 1
    with page.expect_navigation():
        page.click("text=Move or cancel")
    assert page.inner_text("h1").startswith("Your appointment")


def test_editing_a_shift_in_the_grid(page, app, db, create_library, create_person, live_server):
    roster = make_roster(db, create_library, create_person)
    db.session.commit()
    page.goto(f"{live_server}/sign-in")
    page.fill("input[name=email]", roster.leader.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    complete_enrolment(page)  # a section leader sets up a second factor first
    page.goto(f"{live_server}/staff/roster/periods/{roster.period.id}")
    shift = roster.shifts["desk-thu-08"]
    with page.expect_navigation():
        page.click(f"a[href$='/shifts/{shift.id}']")
    assert page.locator("table.candidates tbody tr").count() >= 1
    first = page.locator("table.candidates tbody tr").first
    assert "fits every rule" in first.inner_text()
    with page.expect_navigation():
        first.locator("button").click()
    assert "Saved." in page.inner_text("main"), page.inner_text("main")
    on_shift = page.locator("ul.people-on-shift li").all_inner_texts()
    db.session.rollback()
    assert db.session.scalar(select(Assignment).where(Assignment.shift_id == shift.id)), on_shift


def test_a_full_booking_in_swedish_with_its_online_meeting_in_the_ics(
    browser, demo_site, db
) -> None:
    """A student whose browser speaks Swedish asks for times online and books the first
    free one; the pages are Swedish, and the calendar file carries the meeting room (URL
    and CONFERENCE, as calendar apps look for it). (Without the filter the first free
    time may be one held in person only, depending on the hour the test runs.)"""
    from icalendar import Calendar

    from tests.browser.conftest import axe_violations

    base, _sign_ins = demo_site
    context = browser.new_context(locale="sv-SE", extra_http_headers={"Accept-Language": "sv"})
    page = context.new_page()
    try:
        page.goto(f"{base}/book/topic/law")
        assert page.get_attribute("html", "lang") == "sv"
        assert axe_violations(page) == []
        page.select_option("#f-mode", "online")
        with page.expect_navigation():
            page.click("form.filters button[type=submit]")
        with page.expect_navigation():
            page.click(".first-free a")
        assert page.inner_text("h1") == "Boka en tid"
        page.fill("#name", "Selma Lagerlöf")
        page.fill("#email", "selma@uni.example")
        page.locator("input[name=mode][value=online]").check()
        assert axe_violations(page) == []
        with page.expect_navigation():
            page.click("main button[type=submit] >> text=Boka")
        assert "Lägg till i min kalender" in page.inner_text("main")
        assert axe_violations(page) == []
        ics_link = page.get_attribute("a:has-text('Lägg till i min kalender')", "href")
        body = page.request.get(base + ics_link if ics_link.startswith("/") else ics_link).body()
        event = next(c for c in Calendar.from_ical(body).walk() if c.name == "VEVENT")
        url = str(event["URL"])
        assert url.startswith("https://")
        assert str(event["CONFERENCE"]) == url
        booked = db.session.scalar(
            select(Appointment).where(Appointment.patron_email == "selma@uni.example")
        )
        assert booked.meeting_url == url
        assert booked.locale == "sv"
    finally:
        context.close()
