"""Demand suggested from the desk's statistics, beside today's rules in the roster
set-up preview; the leader accepts one (a new demand rule), accepts and edits it, or
ignores it (nothing changes).
"""

from __future__ import annotations

from datetime import date, time
from typing import Any, cast

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from scheduler.desk import demand_suggestions as svc
from scheduler.desk.roles import require_leader
from scheduler.errors import DomainError, Forbidden
from scheduler.extensions import db
from scheduler.inputs import Fields, parse_id, parse_number, parse_time, parse_whole
from scheduler.models import DemandRule, Library, Role
from scheduler.rostering.demand import library_rules
from scheduler.web.auth import role_required
from scheduler.web.desk.shared import actor
from scheduler.web.i18n import localize, weekday_name

bp = Blueprint("desk_demand", __name__, url_prefix="/leader/setup")


def _settings(args: Any) -> svc.SuggestionSettings:
    defaults = svc.SuggestionSettings()
    fields = Fields(args)
    weeks = fields.read("weeks", parse_whole, low=1, high=26)
    quantile = fields.read("quantile", parse_number, low=0.05, high=0.95)
    per_person = fields.read("per_person", parse_number, low=1, high=100)
    fields.check()
    return svc.SuggestionSettings(
        weeks=defaults.weeks if weeks is None else weeks,
        quantile=defaults.quantile if quantile is None else quantile,
        per_person=defaults.per_person if per_person is None else per_person,
    )


def _today_rules(rules: list[DemandRule], s: svc.SuggestedRule) -> list[DemandRule]:
    """Today's rules at the same point and day whose hours meet the suggestion's."""
    return [
        r
        for r in rules
        if r.service_point_id == s.service_point_id
        and s.weekday in r.weekday_list
        and r.start_time < s.end
        and s.start < r.end_time
    ]


def preview_context(library: Library, monday: date) -> dict[str, Any]:
    """What the preview page shows of the suggestions (``suggestion_error`` when the
    settings in the query string are bad, nothing at all for someone who may not)."""
    try:
        settings = _settings(request.args)
    except DomainError as exc:
        error = "; ".join(f"{k}: {localize(v)}" for k, v in exc.fields.items())
        return {"suggestion_error": error, "suggestion_settings": svc.SuggestionSettings()}
    try:
        found = svc.suggest_demand(db.session, actor(), library, monday, settings)
    except Forbidden:
        return {}
    rules = library_rules(db.session, library.id)
    return {
        "suggestions": found,
        "weekday_names": [weekday_name(d) for d in range(7)],
        "suggestion_settings": settings,
        "suggestion_rows": [(s, _today_rules(rules, s)) for s in found.rules],
    }


def _band(form: Any) -> svc.Band:
    fields = Fields(form)
    point = fields.read("point", parse_id)
    weekday = fields.read("weekday", parse_whole, low=0, high=6, required=True)
    start = fields.read("start", parse_time, required=True)
    end = fields.read("end", parse_time, required=True)
    people = fields.read("people", parse_whole, low=1, high=50, required=True)
    fields.check()
    # Every field is required, so after check() none is None.
    return svc.Band(*cast(tuple[int, int, time, time, int], (point, weekday, start, end, people)))


@bp.post("/<id:library_id>/suggestions/accept")
@role_required(Role.SECTION_LEADER)
def accept(library_id: int) -> Any:
    """Accept a suggestion as a demand rule; ``then=edit`` goes on to edit it."""
    library = db.get_or_404(Library, library_id)
    require_leader(actor(), library.id)  # before reading the form: another library's is a 403
    back = url_for("roster_setup.preview", library_id=library.id, week=request.form.get("week"))
    try:
        band = _band(request.form)
        rule = svc.accept_suggestion(
            db.session, actor(), library, band, _("Suggested from desk statistics")
        )
    except Forbidden:
        raise  # a 403, not a message on the preview
    except DomainError as exc:
        reasons = "; ".join(f"{k}: {localize(v)}" for k, v in exc.fields.items())
        flash(
            _("The suggestion was not added: %(reason)s", reason=reasons or localize(exc.message)),
            "error",
        )
        return redirect(back, 303)
    if request.form.get("then") == "edit":
        return redirect(
            url_for("roster_setup.edit_rule", library_id=library.id, rule_id=rule.id), 303
        )
    flash(_("The suggestion is now a demand rule."), "success")
    return redirect(back, 303)
