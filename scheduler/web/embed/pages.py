"""The embeddable booking pages and the script that places them.

The frame shows what to book and the next free times; choosing one opens the full booking
page in a new tab rather than continuing inside the frame. A form inside a frame on
another site would depend on third-party cookies (our session and CSRF token), which
Safari and Firefox block and Chrome restricts, so the booking would fail for many
visitors; in a tab of its own the patron also sees our address before typing their name
and e-mail address, and the booking pages keep refusing to be framed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Response, abort, current_app, g, render_template, request
from sqlalchemy import select

from scheduler.booking import library_online
from scheduler.booking.appointments import queries
from scheduler.booking.appointments.slots import SlotQuery, find_slots
from scheduler.extensions import db
from scheduler.models import Library
from scheduler.web import current_site
from scheduler.web.appointments.forms import MODE_LABELS
from scheduler.web.appointments.public import libraries_by_id, today_local
from scheduler.web.embed import bp

NEXT_TIMES = 6
LOOKAHEAD_DAYS = 28


def _library() -> Library | None:
    """The library named by ``?library=<slug>``: its allow-list and its times only."""
    slug = request.args.get("library")
    if not slug:
        return None
    found = db.session.scalar(select(Library).where(Library.slug == slug[:64]))
    if found is None:
        abort(404)
    return found


def _allow_framing(library: Library | None) -> None:
    """Let the sites on the allow-list frame this response: the named library's, or,
    for a page shared by every library, any library's."""
    if library is not None:
        origins = library_online.embed_origins(library)
    else:
        origins = []
        for lib in db.session.scalars(select(Library).where(Library.embed_origins.is_not(None))):
            origins.extend(o for o in library_online.embed_origins(lib) if o not in origins)
    g.frame_ancestors = origins


@bp.get("/embed/group/<slug>")
def group(slug: str) -> Any:
    found = queries.group_by_slug(db.session, slug)
    library = _library()
    if found is None:
        abort(404)
    _allow_framing(library)
    return render_template("embed/group.html", group=found, library=library)


@bp.get("/embed/topic/<slug>")
def topic(slug: str) -> Any:
    found = queries.topic_by_slug(db.session, slug)
    library = _library()
    if found is None:
        abort(404)
    _allow_framing(library)
    site = current_site()
    first = today_local()
    query = SlotQuery(
        first,
        first + timedelta(days=LOOKAHEAD_DAYS - 1),
        topic_id=found.id,
        library_id=library.id if library is not None else None,
    )
    slots = find_slots(
        db.session, query, now=site.now, default_tz=site.default_tz, busy_policy=site.busy_policy
    )[:NEXT_TIMES]
    profiles = queries.librarian_profiles(db.session, {s.librarian_id for s in slots})
    return render_template(
        "embed/topic.html",
        topic=found,
        library=library,
        slots=slots,
        profiles=profiles,
        libraries=libraries_by_id(),
        mode_labels=MODE_LABELS,
    )


@bp.get("/embed/widget.js")
def widget() -> Response:
    """The script a library puts on its own page; it reads the element's data
    attributes and puts our frame there (see docs/embedding.md)."""
    body = render_template("embed/widget.js", base=current_site().url("/embed"))
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
