"""Drop-ins on the web: the public listing and sign-up (``public``), staff planning
(``staff``), and the forms both use (``forms``).

Views parse the request, call :mod:`scheduler.booking.dropins` and render. What both
audiences need (the site context, today's date, the rate limit on public writes) lives
here, so the two page modules never import each other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

from flask import Flask, current_app

from scheduler.extensions import limiter
from scheduler.inputs import Fields, parse_date_range, parse_id
from scheduler.site import Site
from scheduler.timeutil import to_local, utcnow

# How far ahead the listing looks by default, and at most.
DEFAULT_WEEKS = 8
MAX_DAYS = 366


def site() -> Site:
    """The deployment's public address, zone and language, for links and e-mails."""
    return Site.from_config(current_app.config)


def today_local() -> date:
    return to_local(utcnow(), current_app.config["TIMEZONE"]).date()


def listing_filters(values: Mapping[str, Any]) -> tuple[dict[str, Any], Fields]:
    """The listing's filters (``topic``, ``library``, ``from``, ``to``) from a query string,
    for the page and the API alike; ``fields.errors`` says what was wrong with them."""
    fields = Fields(values)
    topic_id = fields.read("topic", parse_id, required=False)
    library_id = fields.read("library", parse_id, required=False)
    today = today_local()
    start, end = fields.attempt(
        lambda: parse_date_range(
            values.get("from"),
            values.get("to"),
            default_start=today,
            default_days=7 * DEFAULT_WEEKS,
            max_days=MAX_DAYS,
        )
    ) or (today, today + timedelta(weeks=DEFAULT_WEEKS))
    filters = {"topic_id": topic_id, "library_id": library_id, "start": start, "end": end}
    return filters, fields


def _public_write_limit() -> str:
    return current_app.config["RATELIMIT_PUBLIC_WRITE"]


def public_write_limit(view: Callable[..., Any]) -> Callable[..., Any]:
    """Rate-limit POSTs per client: sign-up and cancelling are public writes."""
    return limiter.limit(_public_write_limit, methods=["POST"])(view)


def register(app: Flask) -> None:
    """The public and the staff drop-in pages."""
    from scheduler.web.dropins import calendar, public, staff

    app.register_blueprint(calendar.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(staff.bp)
