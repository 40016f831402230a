"""The activity calendar page: every drop-in and event across branches as a month, a
week or a list, filtered and searchable, with subscribe links for the same filter.

Server-rendered on purpose: it works without JavaScript, prints, and a table with a
caption and column headers is what screen readers know how to walk (a calendar widget
from npm would add weight and its own accessibility gaps; see docs/dropins.md).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from scheduler.booking.dropins.calendar import by_day, calendar_range, clamp, read_filter
from scheduler.booking.dropins.queries import list_sessions, local_date
from scheduler.extensions import db
from scheduler.models import Library, Topic
from scheduler.web import nav
from scheduler.web.dropins import today_local
from scheduler.web.feeds import absolute_url, webcal
from scheduler.web.i18n import localize

bp = Blueprint("activity", __name__)

nav.add("activity.calendar", _l("Activity calendar"), order=70)


@bp.get("/calendar")
def calendar() -> Any:
    today = today_local()
    chosen, fields = read_filter(request.args, today)
    errors = {name: localize(reason) for name, reason in fields.errors.items()}
    span = calendar_range(chosen.view, chosen.anchor)
    grid_start = span.weeks[0][0] if span.weeks else span.start
    grid_end = span.weeks[-1][-1] if span.weeks else span.end
    zone = current_app.config["TIMEZONE"]
    items = list_sessions(
        db.session,
        start=grid_start,
        end=grid_end,
        library_id=chosen.library_id,
        topic_id=chosen.topic_id,
        include_cancelled=True,
        default_tz=zone,
    )
    days = by_day((i for i in items if chosen.keeps(i)), lambda s: local_date(s, zone))
    libraries = db.session.scalars(select(Library).order_by(Library.position, Library.name)).all()
    topics = db.session.scalars(select(Topic).order_by(Topic.name)).all()

    def link(**changes: Any) -> str:
        """This page with some parameters changed (and the empty ones left out)."""
        values = {
            "view": chosen.view,
            "date": chosen.anchor.isoformat(),
            "library": chosen.library_id,
            "topic": chosen.topic_id,
            "kind": chosen.kind if chosen.kind != "all" else None,
            "q": chosen.q or None,
        }
        values.update(changes)
        query = urlencode({k: v for k, v in values.items() if v not in (None, "")})
        return url_for("activity.calendar") + (f"?{query}" if query else "")

    subscribe = _subscribe_links(libraries, topics, chosen.library_id, chosen.topic_id)
    return render_template(
        "dropins/calendar.html",
        chosen=chosen,
        span=span,
        days=days,
        today=today,
        errors=errors,
        libraries=libraries,
        topics=topics,
        link=link,
        previous=clamp(span.previous),
        following=clamp(span.next),
        subscribe=subscribe,
    ), (422 if errors else 200)


def _subscribe_links(
    libraries: list[Library], topics: list[Topic], library_id: int | None, topic_id: int | None
) -> dict[str, str]:
    """The public feed for the same library and topic (feeds name them by slug)."""
    values = {}
    library = next((lib for lib in libraries if lib.id == library_id), None)
    topic = next((t for t in topics if t.id == topic_id), None)
    if library is not None:
        values["library"] = library.slug
    if topic is not None:
        values["topic"] = topic.slug
    https = absolute_url("feeds.public_dropins", **values)
    return {"https": https, "webcal": webcal(https)}
