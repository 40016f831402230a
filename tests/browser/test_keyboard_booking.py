"""A student books a librarian with the keyboard alone, and sees where the focus is."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select

from scheduler.models import Appointment, AppointmentStatus, OutboundEmail

FOCUSED_STYLE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {tag: el.tagName, cls: el.className, text: el.textContent.trim(), id: el.id, type: el.type,
          outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
}"""


def _tab_until(page, predicate, limit: int = 80) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_STYLE)
        # Every stop on the way has a visible focus indicator.
        assert focused["outline"] != "none", focused
        assert focused["width"] >= 2, focused
        if predicate(focused):
            return focused
    raise AssertionError("never reached the element with the keyboard")


def test_booking_with_the_keyboard_only(page, demo_site, db) -> None:
    base, _sign_ins = demo_site
    page.goto(f"{base}/book/topic/systematic-reviews")
    assert page.inner_text("h1") == "Systematic reviews"
    chosen = _tab_until(page, lambda f: "time" in f["cls"].split())
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.inner_text("h1") == "Book a time"

    _tab_until(
        page, lambda f: f["tag"] == "INPUT" and page.evaluate("document.activeElement.id") == "name"
    )
    page.keyboard.type("Ada Lovelace")
    page.keyboard.press("Tab")
    page.keyboard.type("ada@uni.example")
    _tab_until(
        page,
        lambda f: f["tag"] == "INPUT" and page.evaluate("document.activeElement.type") == "radio",
    )
    page.keyboard.press("Space")
    _tab_until(page, lambda f: f["tag"] == "TEXTAREA")
    page.keyboard.type("A search strategy for my thesis on nursing homes.")
    _tab_until(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Book")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert "Ada Lovelace" in page.content() or "ada@uni.example" in page.content()
    booked = db.session.scalars(
        select(Appointment).where(Appointment.patron_email == "ada@uni.example")
    ).all()
    assert len(booked) == 1
    # Health sciences takes university addresses only: the time is held until the
    # student follows the link in the e-mail.
    assert booked[0].status == AppointmentStatus.PENDING
    local_start = booked[0].starts_at.astimezone(ZoneInfo(booked[0].library.timezone))
    assert chosen["text"].startswith(local_start.strftime("%H:%M"))
    # The verification e-mail is stored for the job worker, addressed to the student.
    assert db.session.scalar(
        select(OutboundEmail.to_address).where(OutboundEmail.to_address == "ada@uni.example")
    )


def test_skip_link_is_first_and_moves_focus_to_main(page, demo_site) -> None:
    base, _ = demo_site
    page.goto(f"{base}/")
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED_STYLE)
    assert first["text"] == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
