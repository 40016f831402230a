"""Book a librarian on the web: public pages, the manage link, librarians' and desk pages.

One blueprint (``appointments``), one module per audience: ``public`` (topic -> times -> form ->
confirmation), ``manage`` (the patron's link: view, cancel, move; e-mail verification),
``staff`` (a librarian's appointments and availability) and ``desk`` (first-line staff
booking for a patron). Views parse, call ``scheduler.booking`` and render.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, current_app, request
from flask_babel import lazy_gettext as _l

from scheduler.extensions import limiter
from scheduler.models import Role
from scheduler.web import nav

bp = Blueprint("appointments", __name__)

nav.add("appointments.index", _l("Book a librarian"), order=10)
_LIBRARIAN, _DESK = (Role.LIBRARIAN,), (Role.FIRST_LINE,)
nav.add(
    "appointments.appointments", _l("My appointments"), roles=_LIBRARIAN, area="staff", order=10
)
nav.add(
    "appointments.availability", _l("My availability"), roles=_LIBRARIAN, area="staff", order=11
)
nav.add("appointments.desk", _l("Book for a patron"), roles=_DESK, area="staff", order=12)


def _public_write_limit() -> str:
    return current_app.config["RATELIMIT_PUBLIC_WRITE"]


def public_write_limit(view: Callable[..., Any]) -> Callable[..., Any]:
    """Rate-limit POSTs per client, one budget shared by every booking page and API write."""
    return limiter.shared_limit(_public_write_limit, scope="booking-write", methods=["POST"])(view)


def no_store(response: Any) -> Any:
    """Pages behind a secret link are never cached (shared computers, proxies)."""
    response.headers["Cache-Control"] = "no-store"
    return response


def wants_language_from_browser() -> str | None:
    return request.accept_languages.best_match(current_app.config["LANGUAGES"])


def register(app: Flask) -> None:
    """Every appointment page (the modules add their routes to ``bp``)."""
    from scheduler.web.appointments import calendars, desk, manage, public, staff  # noqa: F401

    app.register_blueprint(bp)
