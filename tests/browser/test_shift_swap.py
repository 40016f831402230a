"""In a real browser: Bo offers his evening shift to Cai, Cai takes it, the section leader
approves, and both colleagues' "my shifts" pages and calendar feeds show the change."""

from __future__ import annotations

import urllib.request
from datetime import time, timedelta

from icalendar import Calendar
from sqlalchemy import select

from scheduler.calendars import tokens
from scheduler.models import Assignment, PublishedShift, Shift
from scheduler.rostering.publish import publish
from scheduler.timeutil import local_to_utc
from tests.browser.enrolment import complete_enrolment
from tests.factories import TEST_PASSWORD
from tests.rostering.review_data import make_roster, next_monday


def sign_in(browser, base: str, email: str):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/sign-in")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    if page.url.endswith("/sign-in/enrol"):  # the section leader sets up a second factor
        complete_enrolment(page)
    return page


def feed(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as resp:
        cal = Calendar.from_ical(resp.read())
    return {(ev.decoded("DTSTART"), str(ev.get("STATUS"))) for ev in cal.walk("VEVENT")}


def test_offer_take_approve_in_the_browser(
    browser, app, db, live_server, create_library, create_person
) -> None:
    monday = next_monday() + timedelta(weeks=1)
    roster = make_roster(db, create_library, create_person, monday=monday)
    roster.leader.libraries = [roster.period.library]
    thursday = monday + timedelta(days=3)
    evening = Shift(
        period=roster.period,
        service_point=roster.desk,
        starts_at=local_to_utc(thursday, time(17), "Europe/Oslo"),
        ends_at=local_to_utc(thursday, time(19), "Europe/Oslo"),
        min_staff=1,
        max_staff=1,
        skills="desk",
    )
    db.session.add(evening)
    db.session.flush()
    db.session.add(Assignment(shift_id=evening.id, person_id=roster.bo.id))
    db.session.flush()
    publish(db.session, roster.period, actor=roster.leader)
    key = app.config["SECRET_KEY"]
    _r, bo_feed = tokens.issue_token(db.session, roster.bo, key=key)
    _r, cai_feed = tokens.issue_token(db.session, roster.cai, key=key)
    row_id = db.session.scalar(
        select(PublishedShift.id).where(PublishedShift.starts_at == evening.starts_at)
    )
    starts = evening.starts_at
    db.session.commit()

    bo = sign_in(browser, live_server, "bo@uni.example")
    bo.goto(f"{live_server}/staff/my-shifts")
    with bo.expect_navigation():
        bo.click(f"#shift-{row_id} a:has-text('Offer or swap')")
    assert bo.input_value("#offer-shift") == str(row_id)  # the shift chosen on "my shifts"
    bo.check("#mode-person")
    bo.select_option("#offer-person", label="Cai")
    with bo.expect_navigation():
        bo.click("form[action$='/offer'] button[type=submit]")
    assert "Your shift is offered." in bo.inner_text("main")

    cai = sign_in(browser, live_server, "cai@uni.example")
    cai.goto(f"{live_server}/staff/shift-requests")
    assert "Bo" in cai.inner_text("#offers-heading + ul")
    with cai.expect_navigation():
        cai.click("#offers-heading + ul button:has-text('Take it')")
    assert "You accepted the shift." in cai.inner_text("main")

    lea = sign_in(browser, live_server, "lea@uni.example")
    assert lea.inner_text(".staff-nav a:has-text('Approvals') .badge").startswith("1")
    lea.goto(f"{live_server}/staff/approvals")
    with lea.expect_navigation():
        lea.click("button:has-text('Approve')")
    assert "Approved" in lea.inner_text("main")
    assert lea.locator(".staff-nav .badge").count() == 0

    # Both colleagues see it on "my shifts" and in their feeds.
    cai.goto(f"{live_server}/staff/my-shifts")
    assert "17:00" in cai.inner_text("main")
    bo.goto(f"{live_server}/staff/my-shifts")
    assert f"shift-{row_id}" not in bo.content()
    assert (starts, "CONFIRMED") in feed(f"{live_server}/feeds/{cai_feed}/shifts.ics")
    assert (starts, "CANCELLED") in feed(f"{live_server}/feeds/{bo_feed}/shifts.ics")
    for p in (bo, cai, lea):
        p.context.close()
