"""Setting up the second factor in the browser, as an administrator or section leader
does at their first sign-in: read the key under the QR code, answer with a code."""

from __future__ import annotations

import pyotp


def complete_enrolment(page) -> None:
    """On the enrolment page after the password: turn the factor on, save the codes."""
    assert page.url.endswith("/sign-in/enrol"), page.url
    secret = page.inner_text("figcaption code").strip()
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.inner_text("h1") == "Your recovery codes"
    assert page.locator(".recovery-codes li").count() == 10
    with page.expect_navigation():
        page.click("text=I have saved them, continue")
