"""Setting up a library from an empty database, through the pages only, until a student
books a librarian (the walk-through of docs/setting-up.md).

An administrator, made with ``scheduler create-admin --password-stdin``, signs in and
creates a library with opening hours and a closed date, a librarian, a booking page with
a question, a topic the librarian covers and a skill; the librarian makes herself
bookable with a weekly time; a student books her on the public pages. axe-core checks
every page on the way (WCAG 2.2 AA).

With ``SCHEDULER_SCREENSHOTS=docs/images/setting-up`` the walk-through also saves the guide's
screenshots there (1280 px wide).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from sqlalchemy import select

from scheduler.models import Appointment, AppointmentStatus, Person, Topic
from tests.browser.conftest import axe_violations
from tests.browser.enrolment import complete_enrolment

SHOTS = os.environ.get("SCHEDULER_SCREENSHOTS")


def shot(page, name: str) -> None:
    """Save the page as docs/images/<name>.png when screenshots are asked for."""
    if not SHOTS:
        return
    folder = Path(SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))  # the first screenful: enough to recognise the page


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button:has-text('Sign in')")
    if page.url.endswith("/sign-in/enrol"):  # an administrator sets up a second factor
        complete_enrolment(page)


def save(page, label: str = "Save") -> None:
    with page.expect_navigation():
        page.click(f"main button.primary:has-text('{label}')")
    assert "error-summary" not in page.content(), page.inner_text("main")


def test_a_library_sets_itself_up_and_a_student_books(browser, page, db, live_server, runner):
    base = live_server
    created = runner.invoke(
        args=["create-admin", "admin@uni.example", "--name", "Astrid Admin", "--password-stdin"],
        input="Blueberry tram ticket 1987\n",
    )
    assert created.exit_code == 0, created.output
    db.session.commit()

    sign_in(page, base, "admin@uni.example", "Blueberry tram ticket 1987")

    # A library, its opening hours and a closed date.
    page.goto(f"{base}/admin/libraries")
    page.click("text=Add a library")
    page.fill("#name", "Science Library")
    page.fill("#slug", "science")
    page.select_option("#timezone", "Europe/Oslo")
    page.fill("#address", "Campus Road 1")
    page.fill("#email", "science@uni.example")
    page.check("#is_main")
    shot(page, "01-library-form")
    save(page)
    assert page.inner_text("h1").startswith("Opening hours and closed dates")
    for weekday in range(7):
        page.fill(f"#hours-opens_{weekday}", "08:00")
        page.fill(f"#hours-closes_{weekday}", "20:00" if weekday < 5 else "16:00")
    save(page, "Save the opening hours")
    christmas = date(date.today().year + 1, 12, 24)
    page.fill("#closed-first", christmas.isoformat())
    page.fill("#closed-until", christmas.replace(day=26).isoformat())
    page.fill("#closed-reason", "Christmas")
    save(page, "Add")
    shot(page, "02-opening-hours")

    # A librarian (the people page; roles per library and invitations come with issue 14).
    page.goto(f"{base}/admin/people/new")
    page.fill("#name", "Kari Nordmann")
    page.fill("#email", "kari@uni.example")
    page.check("input[name=library_roles][value$=':librarian']")  # Science Library
    page.fill("#password", "Kari reads 4 maps daily")
    save(page)

    # A booking page with a question, and a topic Kari covers.
    page.goto(f"{base}/admin/topic-groups/new")
    page.fill("#name", "Health sciences")
    page.fill("#slug", "health")
    page.fill("#intro", "Guidance for nursing and health students.")
    save(page)
    page.fill("#question-label", "Your study programme")
    page.check("#question-required")
    save(page, "Add the question")
    page.locator("#questions").scroll_into_view_if_needed()
    shot(page, "03-booking-page")
    page.goto(f"{base}/admin/topics/new")
    page.fill("#name", "Nursing")
    page.fill("#slug", "nursing")
    page.select_option("#group", label="Health sciences")
    page.get_by_label("Kari Nordmann").check()
    shot(page, "04-topic-form")
    save(page)
    page.goto(f"{base}/admin/skills/new")
    page.fill("#code", "desk")
    page.fill("#name", "Information desk")
    save(page)
    shot(page, "05-skills")

    # The roster starts with a service point on the library's roster set-up page.
    page.goto(f"{base}/leader/setup/")
    page.fill("#name", "Information desk")
    save(page, "Add")
    shot(page, "10-roster-setup")

    # Kari makes herself bookable and adds a weekly time.
    kari_context = browser.new_context(
        locale="en-GB", timezone_id="Europe/Oslo", viewport={"width": 1280, "height": 900}
    )
    kari = kari_context.new_page()
    sign_in(kari, base, "kari@uni.example", "Kari reads 4 maps daily")
    kari.goto(f"{base}/staff/booking/availability")
    kari.check("#s-bookable")
    kari.fill("#s-notice_hours", "0")
    with kari.expect_navigation():
        kari.click("form:has(#s-bookable) button.primary")
    for weekday in range(7):
        kari.select_option("#w-weekday", str(weekday))
        kari.fill("#w-start", "09:00")
        kari.fill("#w-end", "12:00")
        kari.select_option("#w-library", label="Science Library")
        with kari.expect_navigation():
            kari.click("form:has(#w-weekday) button.primary")
    shot(kari, "06-availability")
    assert axe_violations(kari) == []
    kari_context.close()

    # A student books Kari on the public pages.
    student_context = browser.new_context(
        locale="en-GB", timezone_id="Europe/Oslo", viewport={"width": 1280, "height": 900}
    )
    student = student_context.new_page()
    student.goto(f"{base}/book/")
    shot(student, "07-public-booking")
    assert axe_violations(student) == []
    with student.expect_navigation():
        student.click("main a:has-text('Nursing')")
    for _ in range(3):
        if student.locator("ul.times a").count():
            break
        with student.expect_navigation():
            student.click("a:has-text('Later')")
    shot(student, "08-choose-a-time")
    assert axe_violations(student) == []
    with student.expect_navigation():
        student.locator("ul.times a").first.click()
    student.fill("#name", "Ola Student")
    student.fill("#email", "ola@student.example")
    student.get_by_label("Your study programme").fill("Bachelor in nursing")
    shot(student, "09-booking-form")
    assert axe_violations(student) == []
    with student.expect_navigation():
        student.click("main button:has-text('Book')")
    student_context.close()

    kari_id = db.session.scalar(select(Person.id).where(Person.email == "kari@uni.example"))
    nursing = db.session.scalar(select(Topic).where(Topic.slug == "nursing"))
    booked = db.session.scalars(
        select(Appointment).where(Appointment.patron_email == "ola@student.example")
    ).all()
    assert [(a.librarian_id, a.topic_id, a.status) for a in booked] == [
        (kari_id, nursing.id, AppointmentStatus.BOOKED)
    ]
    answers = list((booked[0].answers or {}).values())
    assert answers == [{"question": "Your study programme", "answer": "Bachelor in nursing"}]
