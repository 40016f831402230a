"""Drop-ins on the web: the public listing and sign-up (``public``), staff planning
(``staff``), and the forms both use (``forms``).

Views parse the request, call :mod:`scheduler.booking.dropins` and render. What both
audiences need (the site context, today's date, the rate limit on public writes) lives
here, so the two page modules never import each other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Flask, current_app

from scheduler.booking.dropins.notices import Site
from scheduler.extensions import limiter
from scheduler.timeutil import to_local, utcnow

# How far ahead the listing looks by default, and at most.
DEFAULT_WEEKS = 8
MAX_DAYS = 366


def site() -> Site:
    """The deployment's public address, zone and language, for links and e-mails."""
    return Site.from_config(current_app.config)


def today_local() -> date:
    return to_local(utcnow(), current_app.config["TIMEZONE"]).date()


def _public_write_limit() -> str:
    return current_app.config["RATELIMIT_PUBLIC_WRITE"]


def public_write_limit(view: Callable[..., Any]) -> Callable[..., Any]:
    """Rate-limit POSTs per client: sign-up and cancelling are public writes."""
    return limiter.limit(_public_write_limit, methods=["POST"])(view)


def register(app: Flask) -> None:
    """The public and the staff drop-in pages."""
    from scheduler.web.dropins import public, staff

    app.register_blueprint(public.bp)
    app.register_blueprint(staff.bp)
