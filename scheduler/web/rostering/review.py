"""Roster review for section leaders: grid, coverage, hours, objective; edit, publish, repair.

Views parse the form, call a use case in :mod:`scheduler.rostering` and render; the
request commits once on success, so a refused edit (rendered with status 422 or 409)
changes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, gettext, ngettext
from flask_login import current_user
from sqlalchemy import select

from scheduler.booking.i18n import translator
from scheduler.errors import DomainError
from scheduler.extensions import db
from scheduler.models import (
    Person,
    PublishedShift,
    PublishedShiftStatus,
    Role,
    RosterPeriod,
    RunKind,
    ServicePoint,
)
from scheduler.rostering import edits
from scheduler.rostering.edits import RULE_LABELS, EditRefused
from scheduler.rostering.exports import roster_csv
from scheduler.rostering.periods import period_end
from scheduler.rostering.problem import pool
from scheduler.rostering.publish import compare, publish
from scheduler.rostering.reasons import translate
from scheduler.rostering.repair import start_repair
from scheduler.rostering.review import build_review, person_roster
from scheduler.rostering.roster_check import draft_pairs, roster_checker
from scheduler.rostering.runs import active_run, run_state, start_run
from scheduler.web.auth import role_required

bp = Blueprint("roster_review", __name__, url_prefix="/staff/roster")

LEADER = (Role.SECTION_LEADER,)


def _actor() -> Person:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _period_or_404(period_id: int) -> RosterPeriod:
    period = db.session.get(RosterPeriod, period_id)
    if period is None:
        abort(404)
    return period


def _link(endpoint: str, **values: Any) -> str | None:
    """A URL for an endpoint of another area, or None when that area is not installed."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def _message(exc: DomainError) -> list[str]:
    """The reasons of a refused action, in the reader's language, one per line."""
    if isinstance(exc, EditRefused):
        return [
            f"{v.rule} {translate(RULE_LABELS.get(v.rule, v.rule), gettext)}: {v.message}"
            for v in exc.violations
        ]
    reason = getattr(exc, "reason", None)
    if reason is not None:
        return [translate(reason, gettext)]
    if exc.fields:
        return [f"{name}: {translate(text, gettext)}" for name, text in exc.fields.items()]
    return [translate(exc.message, gettext)]


def _int(name: str) -> int | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        return -1  # no such row: the use case says which field is wrong


def _review_page(
    period: RosterPeriod,
    *,
    errors: list[str] | None = None,
    refused: EditRefused | None = None,
    form: str | None = None,
    status: int = 200,
) -> Any:
    review = build_review(db.session, period)
    run = active_run(db.session, period)
    diff = compare(db.session, period) if period.published_version else None
    people = sorted(
        {p.id: p for p in pool(db.session, period.library_id)}.values(), key=lambda p: p.name
    )
    html = render_template(
        "roster_review/review.html",
        period=period,
        last_day=period_end(period) - timedelta(days=1),
        review=review,
        run=run,
        run_state=run_state(run) if run else None,
        progress_url=_link("roster_runs.progress", run_id=run.id) if run else None,
        runs_url=_link("roster_runs.period_runs", period_id=period.id),
        diff=diff,
        people=people,
        errors=errors or [],
        refused=refused,
        form_name=form,
        values=request.form if request.method == "POST" else {},
        rule_labels={k: translate(v, gettext) for k, v in RULE_LABELS.items()},
    )
    return html, status


@bp.get("/periods/<int:period_id>")
@role_required(*LEADER)
def review(period_id: int) -> Any:
    return _review_page(_period_or_404(period_id))


@bp.get("/periods/<int:period_id>/people/<int:person_id>")
@role_required(*LEADER)
def person(period_id: int, person_id: int) -> Any:
    period = _period_or_404(period_id)
    someone = db.session.get(Person, person_id)
    if someone is None:
        abort(404)
    return render_template(
        "roster_review/person.html",
        period=period,
        mine=person_roster(db.session, period, someone),
        tz=period.library.timezone,
    )


def _to_review(period_id: int) -> Any:
    _period_or_404(period_id)
    return redirect(url_for(".review", period_id=period_id, _anchor="edit"))


def _edit(period: RosterPeriod, form: str, action: Any) -> Any:
    """Run an edit; on refusal show the review page with the reasons, nothing changed."""
    try:
        result = action()
    except EditRefused as exc:
        return _review_page(period, errors=_message(exc), refused=exc, form=form, status=422)
    except DomainError as exc:
        return _review_page(period, errors=_message(exc), form=form, status=exc.status)
    if result is not None and getattr(result, "overridden", False):
        flash(gettext("Saved, with your reason for breaking a rule."), "warning")
    else:
        flash(gettext("Saved."), "success")
    return redirect(url_for(".review", period_id=period.id, _anchor="edit"), 303)


@bp.route("/periods/<int:period_id>/assignments", methods=["GET", "POST"])
@role_required(*LEADER)
def add(period_id: int) -> Any:
    if request.method == "GET":  # the forms live on the review page
        return _to_review(period_id)
    period = _period_or_404(period_id)
    return _edit(
        period,
        "add",
        lambda: edits.add_assignment(
            db.session,
            period,
            shift_id=_int("shift") or -1,
            person_id=_int("person") or -1,
            actor=_actor(),
            override_reason=request.form.get("override_reason"),
        ),
    )


@bp.route("/periods/<int:period_id>/assignments/move", methods=["GET", "POST"])
@role_required(*LEADER)
def move(period_id: int) -> Any:
    if request.method == "GET":  # the forms live on the review page
        return _to_review(period_id)
    period = _period_or_404(period_id)
    return _edit(
        period,
        "move",
        lambda: edits.move_assignment(
            db.session,
            period,
            _int("assignment") or -1,
            actor=_actor(),
            to_shift_id=_int("to_shift"),
            to_person_id=_int("to_person"),
            override_reason=request.form.get("override_reason"),
        ),
    )


@bp.route("/periods/<int:period_id>/assignments/remove", methods=["GET", "POST"])
@role_required(*LEADER)
def remove(period_id: int) -> Any:
    if request.method == "GET":  # the forms live on the review page
        return _to_review(period_id)
    period = _period_or_404(period_id)
    return _edit(
        period,
        "remove",
        lambda: edits.remove_assignment(
            db.session,
            period,
            _int("assignment") or -1,
            actor=_actor(),
            override_reason=request.form.get("override_reason"),
        ),
    )


@bp.route("/periods/<int:period_id>/pins", methods=["GET", "POST"])
@role_required(*LEADER)
def pins(period_id: int) -> Any:
    if request.method == "GET":  # the forms live on the review page
        return _to_review(period_id)
    """Save the pin checkboxes; with ``action=resolve`` also re-solve the rest."""
    period = _period_or_404(period_id)
    wanted = []
    for raw in request.form.getlist("pinned"):
        try:
            wanted.append(int(raw))
        except ValueError:
            continue
    try:
        edits.set_pins(db.session, period, wanted, actor=_actor())
        if request.form.get("action") == "resolve":
            run = start_run(db.session, period, kind=RunKind.RESOLVE, actor=_actor())
            flash(gettext("Pins saved. The solver is re-solving the rest."), "success")
            target = _link("roster_runs.progress", run_id=run.id)
            return redirect(target or url_for(".review", period_id=period.id), 303)
    except DomainError as exc:
        return _review_page(period, errors=_message(exc), form="pins", status=exc.status)
    flash(gettext("Pins saved."), "success")
    return redirect(url_for(".review", period_id=period.id, _anchor="grid"), 303)


def _my_shifts_url() -> str:
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + url_for("my_shifts.index")


@bp.route("/periods/<int:period_id>/publish", methods=["GET", "POST"])
@role_required(*LEADER)
def publish_page(period_id: int) -> Any:
    """GET shows what publishing would change; POST publishes and e-mails those affected."""
    period = _period_or_404(period_id)
    if request.method == "POST":
        try:
            result = publish(
                db.session,
                period,
                actor=_actor(),
                my_shifts_url=_my_shifts_url(),
                language=str(get_locale() or "nb"),
                translator=translator,
            )
        except DomainError as exc:
            return _publish_page(period, _message(exc), exc.status)
        count = len(result.notified)
        flash(
            ngettext(
                "Published (version %(version)s). %(num)s person was told of changes.",
                "Published (version %(version)s). %(num)s people were told of changes.",
                count,
                version=result.version,
            ),
            "success",
        )
        return redirect(url_for(".review", period_id=period.id), 303)
    return _publish_page(period)


def _point_names(period: RosterPeriod) -> dict[int, str]:
    return {
        p.id: p.name
        for p in db.session.scalars(
            select(ServicePoint).where(ServicePoint.library_id == period.library_id)
        )
    }


def _names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {p.id: p.name for p in db.session.scalars(select(Person).where(Person.id.in_(ids)))}


def _publish_page(period: RosterPeriod, errors: list[str] | None = None, status: int = 200):
    diff = compare(db.session, period)
    checker = roster_checker(db.session, period, with_published=False)
    broken = checker.check(draft_pairs(db.session, period)).violations
    return (
        render_template(
            "roster_review/publish.html",
            period=period,
            diff=diff,
            names=_names({c.person_id for c in diff.changes}),
            points=_point_names(period),
            tz=period.library.timezone,
            errors=errors or [],
            run=active_run(db.session, period),
            broken=broken,
            rule_labels={k: translate(v, gettext) for k, v in RULE_LABELS.items()},
        ),
        status,
    )


def _parse_days(period: RosterPeriod) -> list[date]:
    out = []
    for raw in request.form.getlist("days"):
        try:
            out.append(date.fromisoformat(raw))
        except ValueError:
            continue
    return out


@bp.route("/periods/<int:period_id>/repair", methods=["GET", "POST"])
@role_required(*LEADER)
def repair(period_id: int) -> Any:
    """Mark someone away on days of a published roster and re-solve around them."""
    period = _period_or_404(period_id)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        person_id = _int("person")
        someone = db.session.get(Person, person_id) if person_id else None
        try:
            started = start_repair(
                db.session,
                period,
                person=someone,
                days=_parse_days(period),
                actor=_actor(),
                note=request.form.get("note"),
            )
        except DomainError as exc:
            errors, status = _message(exc), exc.status
        else:
            flash(
                gettext(
                    "Absence saved. The solver is repairing the roster; "
                    "review the changes, then publish."
                ),
                "success",
            )
            target = _link("roster_runs.progress", run_id=started.run.id)
            return redirect(target or url_for(".review", period_id=period.id), 303)
    start = period.start_date
    days = [start + timedelta(days=i) for i in range(7 * period.weeks)]
    on_roster = {
        row.person_id
        for row in db.session.scalars(
            select(PublishedShift).where(
                PublishedShift.period_id == period.id,
                PublishedShift.status == PublishedShiftStatus.CONFIRMED,
            )
        )
    }
    people = sorted(_names(on_roster).items(), key=lambda kv: kv[1])
    html = render_template(
        "roster_review/repair.html",
        period=period,
        days=days,
        people=people,
        errors=errors,
        values=request.form if request.method == "POST" else {},
        chosen_days=set(request.form.getlist("days")) if request.method == "POST" else set(),
        run=active_run(db.session, period),
    )
    return html, status


@bp.get("/periods/<int:period_id>/roster.csv")
@role_required(*LEADER)
def export_csv(period_id: int) -> Any:
    period = _period_or_404(period_id)
    name = f"roster-{period.library.slug}-{period.start_date.isoformat()}.csv"
    return Response(
        roster_csv(db.session, period),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
