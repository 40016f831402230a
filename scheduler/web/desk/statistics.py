"""The library's numbers for its leaders: a heat map of inquiries by weekday and hour,
weekly trend, channels, categories, referrals and hand-overs, with filters and CSV.

Pictures are SVG drawn by the template, each with the table of its numbers beside it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import lazy_gettext as _l

from scheduler.desk.roles import leader_library_ids
from scheduler.desk.statistics import (
    MAX_DAYS,
    Statistics,
    StatsFilter,
    library_statistics,
    statistics_csv,
)
from scheduler.errors import DomainError
from scheduler.extensions import db
from scheduler.inputs import Fields, parse_date_range, parse_id
from scheduler.models import InquiryChannel, Library, Role
from scheduler.reasons import _ as reason
from scheduler.reasons import input_error
from scheduler.timeutil import to_local
from scheduler.web import current_site, nav
from scheduler.web.auth import role_required
from scheduler.web.desk.shared import CHANNEL_LABELS, actor, allowed_libraries, chosen_library
from scheduler.web.i18n import localize, weekday_name

bp = Blueprint("desk_stats", __name__, url_prefix="/leader/desk")

nav.add(
    "desk_stats.statistics",
    _l("Desk statistics"),
    roles=(Role.SECTION_LEADER,),
    area="staff",
    order=63,
)

# Eight weeks back from today unless the leader chooses.
DEFAULT_DAYS = 55


def _channel(raw: object, field: str) -> InquiryChannel | None:
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    try:
        return InquiryChannel(text)
    except ValueError:
        allowed = ", ".join(c.value for c in InquiryChannel)
        raise input_error({field: reason("must be one of %(allowed)s", allowed=allowed)}) from None


def _filters(library: Library) -> StatsFilter:
    """The filters in the query string; every bad one reported at once."""
    today = to_local(current_site().now, library.timezone).date()
    args = request.args
    fields = Fields(args)
    dates = fields.attempt(
        lambda: parse_date_range(
            args.get("from"),
            args.get("to"),
            default_start=today - timedelta(days=DEFAULT_DAYS),
            default_days=DEFAULT_DAYS,
            max_days=MAX_DAYS,
        )
    )
    point_id = fields.read("point", parse_id, required=False)
    if point_id is not None and point_id not in {p.id for p in library.service_points}:
        fields.errors["point"] = reason("does not belong to this library")
    channel = fields.attempt(lambda: _channel(args.get("channel"), "channel"))
    fields.check()
    assert dates is not None
    return StatsFilter(library.id, dates[0], dates[1], point_id, channel)


def _library() -> Library:
    libraries = allowed_libraries(leader_library_ids(actor()))
    return chosen_library(request.args.get("library"), libraries)


@bp.get("/statistics")
@role_required(Role.SECTION_LEADER)
def statistics() -> Any:
    library = _library()
    error: str | None = None
    try:
        filters = _filters(library)
        stats = library_statistics(db.session, actor(), filters)
    except DomainError as exc:
        if exc.status == 403:
            abort(403)
        error = "; ".join(f"{k}: {localize(v)}" for k, v in exc.fields.items()) or localize(
            exc.message
        )
        today = to_local(current_site().now, library.timezone).date()
        filters = StatsFilter(library.id, today - timedelta(days=DEFAULT_DAYS), today)
        stats = Statistics()
    return (
        render_template(
            "desk/statistics.html",
            library=library,
            libraries=allowed_libraries(leader_library_ids(actor())),
            filters=filters,
            stats=stats,
            error=error,
            channel_labels=CHANNEL_LABELS,
            weekdays=[weekday_name(d, "abbreviated") for d in range(7)],
            points=[p for p in library.service_points if p.first_line],
            args=request.args,
        ),
        422 if error else 200,
    )


@bp.get("/statistics.csv")
@role_required(Role.SECTION_LEADER)
def statistics_export() -> Any:
    """One line per inquiry of the filtered period (no free text)."""
    library = _library()
    filters = _filters(library)
    body = statistics_csv(db.session, actor(), filters)
    name = f"inquiries-{library.slug}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
