"""Staff self-service on the web: requests from "my shifts" (``requests``), the section
leader's approvals inbox (``approvals``) and the monthly hours statement (``hours``).

Views parse the form, call :mod:`scheduler.rostering` (swaps, time_off, open_shifts,
approvals, hours_statement) and render; a refused action re-renders the page with the
reasons and a 4xx status, so the request's transaction rolls back and nothing changes.
"""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import gettext

from scheduler.errors import DomainError
from scheduler.rostering.published_changes import ChangeRefused, refusal_lines
from scheduler.rostering.request_state import Context, Links
from scheduler.web import current_site
from scheduler.web.i18n import localize


def register(app: Flask) -> None:
    from scheduler.web.self_service import approvals, hours, requests

    for module in (requests, approvals, hours):
        app.register_blueprint(module.bp)


def context() -> Context:
    """The site and the absolute links that e-mails about requests point to."""
    site = current_site()
    return Context(
        site,
        Links(
            my_shifts=site.url(url_for("self_service.index")),
            approvals=site.url(url_for("approvals.inbox")),
        ),
    )


def reasons(exc: DomainError) -> list[str]:
    """A refusal in the reader's language, one line per reason."""
    if isinstance(exc, ChangeRefused):
        return refusal_lines(exc.violations, gettext)
    if exc.fields:
        return [f"{name}: {localize(text)}" for name, text in exc.fields.items()]
    return [localize(exc.message)]
