"""From an empty database to a signed-in administrator: ``create-admin`` prints a link,
the link page takes a password (keyboard only), and the password signs in (with the
second factor an administrator sets up at the first sign-in)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from scheduler.models import Person
from tests.browser.enrolment import complete_enrolment

PASSWORD = "velvet tractor minnow lantern"


def test_the_first_administrator_sets_a_password_through_the_link(
    page, db, runner, live_server
) -> None:
    assert db.session.scalar(select(func.count(Person.id))) == 0
    result = runner.invoke(args=["create-admin", "kari@uni.example", "--name", "Kari Nordmann"])
    assert result.exit_code == 0, result.output
    path = re.search(r"https://library\.test(/account/password/\S+)", result.output).group(1)
    db.session.rollback()

    page.goto(live_server + path)
    assert page.inner_text("h1") == "Choose a password"
    page.get_by_label("New password", exact=True).focus()
    page.keyboard.type("password1234")
    page.keyboard.press("Tab")
    page.keyboard.type("password1234")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "is too easy to guess" in page.inner_text("#new_password-error")

    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("New password again").fill(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server}/sign-in"
    assert "Your password is set." in page.inner_text("main")

    page.fill("input[name=email]", "kari@uni.example")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    complete_enrolment(page)  # an administrator signs in with a second factor
    assert page.url == f"{live_server}/staff/"

    page.goto(live_server + path)
    assert "This link has already been used." in page.inner_text("main")
