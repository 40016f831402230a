"""The desk log with the network cut: taps queue in the browser, nothing is lost, and
each entry is stored once when the network is back (also one sent twice)."""

from __future__ import annotations

import time

from sqlalchemy import select

from scheduler.models import Channel, Inquiry, InquiryCategory, Role, ServicePoint
from tests.factories import TEST_PASSWORD

QUEUE = "() => JSON.parse(localStorage.getItem('desk-log-queue') || '[]')"


def _wait_for(predicate, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def _stored(db) -> list[Inquiry]:
    db.session.rollback()
    return list(db.session.scalars(select(Inquiry).order_by(Inquiry.id)))


def test_inquiries_logged_offline_are_sent_once_when_the_network_returns(
    browser, db, live_server, create_library, create_person
) -> None:
    library = create_library(name="Main library")
    db.session.add(ServicePoint(library=library, name="Information desk", channel=Channel.DESK))
    reference = InquiryCategory(library=library, name="Reference", position=0)
    printing = InquiryCategory(library=library, name="Printing", position=1)
    db.session.add_all([reference, printing])
    staff = create_person(Role.FIRST_LINE, email="frida@uni.example", libraries=[library])
    db.session.commit()

    # A tablet-sized window; bypass_csp only lets the test read and edit localStorage.
    context = browser.new_context(
        locale="en-GB", viewport={"width": 800, "height": 1280}, bypass_csp=True
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server}/sign-in")
        page.fill("input[name=email]", staff.email)
        page.fill("input[name=password]", TEST_PASSWORD)
        with page.expect_navigation():
            page.click("main button[type=submit]")
        page.goto(f"{live_server}/desk/")

        # Online: one tap on a category, one on the button.
        page.click("label.tap:has-text('Printing')")
        page.click("button.desk-submit")
        # "Logged. 1 waiting to be sent." shows first; wait for the server's answer.
        page.wait_for_function(
            "document.getElementById('desk-status').textContent.includes('Logged and sent')"
        )
        assert len(_stored(db)) == 1

        # The network goes; two more inquiries are logged at the desk.
        context.set_offline(True)
        page.click("label.tap:has-text('Reference')")
        page.click("button.desk-submit")
        page.click("label.tap:has-text('Printing')")
        page.click("label.tap:has-text('5-15 min')")
        page.click("button.desk-submit")
        page.wait_for_function(
            "document.getElementById('desk-status').textContent.includes('No network')"
        )
        queued = page.evaluate(QUEUE)
        assert len(queued) == 2
        assert len(_stored(db)) == 1
        # As if an answer had been lost: the first queued entry goes out twice.
        page.evaluate(
            "() => { const q = JSON.parse(localStorage.getItem('desk-log-queue'));"
            " q.push(q[0]); localStorage.setItem('desk-log-queue', JSON.stringify(q)); }"
        )

        context.set_offline(False)
        _wait_for(lambda: page.evaluate(QUEUE) == [])
        stored = _stored(db)
        assert len(stored) == 3
        assert len({i.client_uuid for i in stored}) == 3
        assert {i.client_uuid for i in stored[1:]} == {e["client_uuid"] for e in queued}
        assert [(i.category_id, i.duration.value) for i in stored] == [
            (printing.id, "under_5"),
            (reference.id, "under_5"),
            (printing.id, "5_15"),
        ]
    finally:
        context.close()
