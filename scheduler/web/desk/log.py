"""The desk page: log an inquiry in a few taps, one-handed on a tablet.

Without JavaScript it is a plain form: each render carries a fresh UUID, so a form sent
twice is still stored once. With JavaScript (``static/js/desk_log.js``) a tap queues the
entry in the browser and the queue is sent to the API whenever the network is there.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf

from scheduler.desk import categories, current_shift, directory, inquiries, routines
from scheduler.desk.roles import DESK_ROLES, desk_library_ids
from scheduler.errors import DomainError
from scheduler.extensions import db
from scheduler.models import Inquiry, InquiryChannel, Library, ServicePoint
from scheduler.web import current_site, nav
from scheduler.web.auth import role_required
from scheduler.web.desk.shared import (
    CHANNEL_LABELS,
    DURATION_LABELS,
    actor,
    allowed_libraries,
    chosen_library,
)
from scheduler.web.forms import saved
from scheduler.web.i18n import localize

bp = Blueprint("desk", __name__, url_prefix="/desk")

nav.add("desk.log", _l("Desk log"), roles=DESK_ROLES, area="staff", order=15)


# The names the use case gives bad fields, as the page calls them.
FIELD_LABELS = {
    "service_point": _l("Service point"),
    "channel": _l("Channel"),
    "category": _l("Category"),
    "duration": _l("Duration"),
    "read_scale": _l("READ scale (optional)"),
    "referred_to": _l("Referred to"),
    "appointment": _l("Booked guidance"),
    "description": _l("What was asked"),
    "reflection": _l("Reflection"),
}


def _points(library: Library) -> list[ServicePoint]:
    return [p for p in library.service_points if p.active and p.first_line]


def _render(library: Library, libraries: list[Library], status: int = 200, **context: Any) -> Any:
    person = actor()
    now = current_site().now
    defaults = current_shift.desk_defaults(db.session, person, now)
    points = _points(library)
    chosen = context.pop("values", None) or {}
    point_id = chosen.get("service_point")
    if point_id is None and defaults.service_point is not None:
        point_id = str(defaults.service_point.id)
    channel = chosen.get("channel") or (
        defaults.channel.value if defaults.library_id == library.id else InquiryChannel.DESK.value
    )
    return (
        render_template(
            "desk/log.html",
            library=library,
            libraries=libraries,
            points=points,
            point_id=point_id,
            channel=channel,
            on_shift=defaults.service_point is not None,
            categories=categories.library_categories(db.session, library.id),
            actors=directory.library_actors(db.session, library.id),
            routines=routines.library_routines(db.session, library.id),
            handovers=current_shift.recent_handovers(db.session, person, now),
            recent=inquiries.recent_inquiries(db.session, person, now),
            channel_labels=CHANNEL_LABELS,
            duration_labels=DURATION_LABELS,
            client_uuid=str(uuid.uuid4()),
            retention_days=current_app.config["DESK_TEXT_RETENTION_DAYS"],
            chosen=chosen,
            **context,
        ),
        status,
    )


@bp.route("/", methods=["GET", "POST"])
@role_required(*DESK_ROLES)
def log() -> Any:
    libraries = allowed_libraries(desk_library_ids(actor()))
    defaults = current_shift.desk_defaults(db.session, actor(), current_site().now)
    source = request.form if request.method == "POST" else request.args
    library = chosen_library(source.get("library"), libraries, defaults.library_id)
    if request.method == "GET":
        # After a plain form post the choices that last (point, channel) come back in the
        # address; a link may preselect a guidance session booked from the desk.
        kept = {k: request.args.get(k, "") for k in ("service_point", "channel", "appointment")}
        return _render(library, libraries, values={k: v for k, v in kept.items() if v})
    values = request.form.to_dict()
    try:
        data = inquiries.read_inquiry(values)
        logged = inquiries.log_inquiry(db.session, actor(), data, current_site().now)
    except DomainError as exc:
        errors = {
            str(FIELD_LABELS.get(name, name)): localize(reason)
            for name, reason in exc.fields.items()
        }
        message = None if errors else localize(exc.message)
        return _render(library, libraries, exc.status, values=values, errors=errors, error=message)
    message = _("Logged.") if logged.created else _("Already logged.")
    return saved(
        message,
        url_for(
            ".log",
            library=library.id,
            service_point=values.get("service_point") or None,
            channel=values.get("channel") or None,
        ),
        code=303,
    )


@bp.post("/entries/<id:inquiry_id>/remove")
@role_required(*DESK_ROLES)
def remove(inquiry_id: int) -> Any:
    """Undo a wrong tap (one's own entry, within twelve hours)."""
    inquiry = db.get_or_404(Inquiry, inquiry_id)
    if inquiry.recorded_by_id != actor().id:
        abort(404)
    library_id = inquiry.library_id
    try:
        inquiries.delete_inquiry(db.session, actor(), inquiry, current_site().now)
    except DomainError as exc:
        return saved(localize(exc.message), url_for(".log", library=library_id), category="error")
    return saved(_("Entry removed."), url_for(".log", library=library_id), code=303)


@bp.get("/csrf")
@role_required(*DESK_ROLES)
def csrf() -> Any:
    """A fresh CSRF token for the queue, when the page has been open longer than its own."""
    response = jsonify({"csrf_token": generate_csrf()})
    response.headers["Cache-Control"] = "no-store"
    return response
