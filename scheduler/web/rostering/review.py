"""Roster review for section leaders: grid, coverage, hours, objective; edit, publish, repair.

Views parse the form, call a use case in :mod:`scheduler.rostering` and render; the
request commits once on success, so a refused edit (rendered with status 422 or 409)
changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext, ngettext
from flask_login import current_user
from sqlalchemy import select

from scheduler import audit
from scheduler.errors import DomainError
from scheduler.extensions import db
from scheduler.inputs import parse_date, parse_id, parse_ids
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
from scheduler.rostering.candidates import shift_candidates
from scheduler.rostering.edits import RULE_LABELS, EditRefused
from scheduler.rostering.exports import roster_csv
from scheduler.rostering.periods import period_end
from scheduler.rostering.problem import pool
from scheduler.rostering.publish import compare, publish
from scheduler.rostering.quality import roster_quality
from scheduler.rostering.repair import start_repair
from scheduler.rostering.review import build_review, person_roster
from scheduler.rostering.roster_check import draft_pairs, roster_checker
from scheduler.rostering.runs import SolverSettings, active_run, run_state, start_run
from scheduler.web import current_site
from scheduler.web.auth import role_required
from scheduler.web.i18n import localize, page_language
from scheduler.web.rostering.loading import leader_period

bp = Blueprint("roster_review", __name__, url_prefix="/staff/roster")

LEADER = (Role.SECTION_LEADER,)
VIEWS = ("grid", "pins", "coverage", "hours", "quality")


def _actor() -> Person:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _message(exc: DomainError) -> list[str]:
    """The reasons of a refused action, in the reader's language, one per line."""
    if isinstance(exc, EditRefused):
        return edits.refused_text(exc, gettext)
    reason = getattr(exc, "reason", None)
    if reason is not None:
        return [localize(reason)]
    if exc.fields:
        return [f"{name}: {localize(text)}" for name, text in exc.fields.items()]
    return [localize(exc.message)]


def _id(name: str) -> int | None:
    """A row id from the posted form; a bad one is refused naming the field."""
    return parse_id(request.form.get(name), name, required=False)


def _review_page(
    period: RosterPeriod,
    *,
    errors: list[str] | None = None,
    refused: EditRefused | None = None,
    form: str | None = None,
    status: int = 200,
) -> Any:
    review = build_review(db.session, period)
    view = request.args.get("view", "grid") if not form else "grid"
    if view not in VIEWS:
        view = "grid"
    quality = (
        roster_quality(db.session, period, review.objective.total)
        if view == "quality" and review.objective
        else None
    )
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
        view=view,
        quality=quality,
        run=run,
        run_state=run_state(run) if run else None,
        progress_url=url_for("roster_runs.progress", run_id=run.id) if run else None,
        runs_url=url_for("roster_runs.period_runs", period_id=period.id),
        diff=diff,
        people=people,
        errors=errors or [],
        refused=refused,
        form_name=form,
        values=request.form if request.method == "POST" else {},
        rule_labels={k: localize(v) for k, v in RULE_LABELS.items()},
        refused_words=[localize(RULE_LABELS.get(r, r)) for r in refused.rules] if refused else [],
    )
    return html, status


@bp.get("/periods/<id:period_id>")
@role_required(*LEADER)
def review(period_id: int) -> Any:
    return _review_page(leader_period(period_id))


@bp.get("/periods/<id:period_id>/people/<id:person_id>")
@role_required(*LEADER)
def person(period_id: int, person_id: int) -> Any:
    period = leader_period(period_id)
    someone = db.get_or_404(Person, person_id)
    return render_template(
        "roster_review/person.html",
        period=period,
        mine=person_roster(db.session, period, someone),
        tz=period.library.timezone,
    )


def _to_review(period_id: int) -> Any:
    leader_period(period_id)
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
    back = parse_id(request.form.get("back"), "back", required=False)
    if back is not None:  # edited from a shift's page: stay there
        return redirect(url_for(".shift", period_id=period.id, shift_id=back), 303)
    return redirect(url_for(".review", period_id=period.id, _anchor="edit"), 303)


@bp.get("/periods/<id:period_id>/shifts/<id:shift_id>")
@role_required(*LEADER)
def shift(period_id: int, shift_id: int) -> Any:
    """One shift from the grid: its people, and everyone who could take a place."""
    period = leader_period(period_id)
    review = build_review(db.session, period, with_objective=False)
    view = next((s for s in review.shifts if s.id == shift_id), None)
    if view is None:
        return _review_page(period, errors=[gettext("This shift is not part of the period.")],
                            status=404)  # fmt: skip
    return render_template(
        "roster_review/shift.html",
        period=period,
        shift=view,
        candidates=shift_candidates(db.session, period, shift_id),
        rule_labels={k: localize(v) for k, v in RULE_LABELS.items()},
        run=active_run(db.session, period),
        tz=period.library.timezone,
    )


@bp.route("/periods/<id:period_id>/assignments", methods=["GET", "POST"])
@role_required(*LEADER)
def add(period_id: int) -> Any:
    if request.method == "GET":  # the forms live on the review page
        return _to_review(period_id)
    period = leader_period(period_id)
    return _edit(
        period,
        "add",
        lambda: edits.add_assignment(
            db.session,
            period,
            shift_id=_id("shift") or -1,
            person_id=_id("person") or -1,
            actor=_actor(),
            override_reason=request.form.get("override_reason"),
        ),
    )


@bp.route("/periods/<id:period_id>/assignments/move", methods=["GET", "POST"])
@role_required(*LEADER)
def move(period_id: int) -> Any:
    if request.method == "GET":  # the forms live on the review page
        return _to_review(period_id)
    period = leader_period(period_id)
    return _edit(
        period,
        "move",
        lambda: edits.move_assignment(
            db.session,
            period,
            _id("assignment") or -1,
            actor=_actor(),
            to_shift_id=_id("to_shift"),
            to_person_id=_id("to_person"),
            override_reason=request.form.get("override_reason"),
        ),
    )


@bp.route("/periods/<id:period_id>/assignments/remove", methods=["GET", "POST"])
@role_required(*LEADER)
def remove(period_id: int) -> Any:
    if request.method == "GET":  # the forms live on the review page
        return _to_review(period_id)
    period = leader_period(period_id)
    return _edit(
        period,
        "remove",
        lambda: edits.remove_assignment(
            db.session,
            period,
            _id("assignment") or -1,
            actor=_actor(),
            override_reason=request.form.get("override_reason"),
        ),
    )


@bp.route("/periods/<id:period_id>/pins", methods=["GET", "POST"])
@role_required(*LEADER)
def pins(period_id: int) -> Any:
    if request.method == "GET":  # the forms live on the review page
        return _to_review(period_id)
    """Save the pin checkboxes; with ``action=resolve`` also re-solve the rest."""
    period = leader_period(period_id)
    try:
        wanted = parse_ids(request.form.getlist("pinned"), "pinned")
        edits.set_pins(db.session, period, wanted, actor=_actor())
        if request.form.get("action") == "resolve":
            run = start_run(
                db.session,
                period,
                kind=RunKind.RESOLVE,
                actor=_actor(),
                settings=SolverSettings.from_config(current_app.config),
            )
            flash(gettext("Pins saved. The solver is re-solving the rest."), "success")
            return redirect(url_for("roster_runs.progress", run_id=run.id), 303)
    except DomainError as exc:
        return _review_page(period, errors=_message(exc), form="pins", status=exc.status)
    flash(gettext("Pins saved."), "success")
    return redirect(url_for(".review", period_id=period.id, _anchor="grid"), 303)


def _my_shifts_url() -> str:
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + url_for("my_shifts.index")


@bp.route("/periods/<id:period_id>/publish", methods=["GET", "POST"])
@role_required(*LEADER)
def publish_page(period_id: int) -> Any:
    """GET shows what publishing would change; POST publishes and e-mails those affected."""
    period = leader_period(period_id)
    if request.method == "POST":
        try:
            result = publish(
                db.session,
                period,
                actor=_actor(),
                my_shifts_url=_my_shifts_url(),
                # People who chose no language get the publisher's.
                site=replace(current_site(), language=page_language()),
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
            rule_labels={k: localize(v) for k, v in RULE_LABELS.items()},
        ),
        status,
    )


def _days() -> list[date]:
    """The days ticked on the repair form (each a date; a bad one is refused)."""
    days = []
    for raw in request.form.getlist("days"):
        day = parse_date(raw, "days")
        if day is not None:
            days.append(day)
    return days


@bp.route("/periods/<id:period_id>/repair", methods=["GET", "POST"])
@role_required(*LEADER)
def repair(period_id: int) -> Any:
    """Mark someone away on days of a published roster and re-solve around them."""
    period = leader_period(period_id)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            person_id = _id("person")
            someone = db.session.get(Person, person_id) if person_id else None
            started = start_repair(
                db.session,
                period,
                person=someone,
                days=_days(),
                actor=_actor(),
                note=request.form.get("note"),
                settings=SolverSettings.from_config(current_app.config),
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
            return redirect(url_for("roster_runs.progress", run_id=started.run.id), 303)
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


@bp.get("/periods/<id:period_id>/roster.csv")
@role_required(*LEADER)
def export_csv(period_id: int) -> Any:
    period = leader_period(period_id)
    name = f"roster-{period.library.slug}-{period.start_date.isoformat()}.csv"
    text = roster_csv(db.session, period)
    audit.record(
        db.session,
        audit.Action.EXPORT_ROSTER,
        actor=current_user,
        subject=f"roster_period:{period.id}",
        details={"format": "csv", "rows": text.count("\r\n") - 1},
        library_id=period.library_id,
    )
    return Response(
        text,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
