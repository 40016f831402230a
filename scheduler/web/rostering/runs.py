"""Roster periods and solver runs for section leaders: create, generate, watch, stop.

Views stay thin: they parse the form, call :mod:`scheduler.rostering.periods` or
:mod:`scheduler.rostering.runs`, and render. The progress page polls a small JSON
endpoint every second (and refreshes itself without JavaScript).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from scheduler.errors import InputError
from scheduler.extensions import db
from scheduler.inputs import Fields, parse_date, parse_id, parse_number, parse_whole
from scheduler.models import Library, RosterPeriod, RunKind, Shift
from scheduler.models.people import Role
from scheduler.rostering.periods import MAX_WEEKS, PeriodError, create_period, period_end
from scheduler.rostering.runs import (
    RunError,
    SolverSettings,
    active_run,
    latest_runs,
    run_state,
    start_run,
    stop_run,
)
from scheduler.timeutil import monday_of, to_local, utcnow
from scheduler.web import nav
from scheduler.web.auth import role_required
from scheduler.web.forms import saved
from scheduler.web.i18n import localize
from scheduler.web.rostering.loading import leader_period, leader_run, only_led

bp = Blueprint("roster_runs", __name__, url_prefix="/staff/roster")

LEADER = (Role.SECTION_LEADER,)

nav.add("roster_runs.periods", _l("Rosters"), roles=LEADER, area="staff", order=40)

# Where a section leader changes what a roster is made of: the set-up pages.
SETUP_LINKS = (
    ("roster_setup.pool", _l("First-line pool and contract hours")),
    ("roster_setup.demand", _l("Demand rules (shifts needed)")),
    ("roster_setup.hours", _l("Opening hours and closed days")),
    ("roster_setup.points", _l("Service points (first line, ground floor)")),
)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"last_day": lambda p: period_end(p) - timedelta(days=1)}


def review_url(period_id: int) -> str:
    return url_for("roster_review.review", period_id=period_id)


def setup_links(library_id: int) -> list[dict[str, str]]:
    return [
        {"url": url_for(endpoint, library_id=library_id), "label": str(label)}
        for endpoint, label in SETUP_LINKS
    ]


def _periods_page(errors: dict[str, str] | None = None, values: dict | None = None, status=200):
    periods = list(
        db.session.scalars(
            only_led(select(RosterPeriod), RosterPeriod.library_id).order_by(
                RosterPeriod.start_date.desc(), RosterPeriod.id.desc()
            )
        )
    )
    libraries = list(
        db.session.scalars(
            only_led(select(Library), Library.id).order_by(Library.position, Library.name)
        )
    )
    today = to_local(utcnow(), current_app.config["TIMEZONE"]).date()
    defaults = {
        "library_id": next((str(lib.id) for lib in libraries if lib.is_main), ""),
        "start": (monday_of(today) + timedelta(days=7)).isoformat(),
        "weeks": "4",
    }
    defaults.update(values or {})
    return (
        render_template(
            "roster_runs/periods.html",
            periods=periods,
            runs=latest_runs(db.session, [p.id for p in periods]),
            libraries=libraries,
            errors=errors or {},
            values=defaults,
            max_weeks=MAX_WEEKS,
            period_end=period_end,
            review_url=review_url,
            run_state=run_state,
        ),
        status,
    )


@bp.route("/periods", methods=["GET", "POST"])
@role_required(*LEADER)
def periods() -> Any:
    """The periods list; POST creates a period from the form on it."""
    if request.method == "POST":
        return _create()
    return _periods_page()


def _create() -> Any:
    values = {k: request.form.get(k, "") for k in ("library_id", "start", "weeks")}
    fields = Fields(request.form)
    library_id = fields.read("library_id", parse_id)
    start = fields.read("start", parse_date, required=True)
    weeks = fields.read("weeks", parse_whole, required=True)
    errors = {name: localize(reason) for name, reason in fields.errors.items()}
    library = db.session.get(Library, library_id) if library_id is not None else None
    if library is None:
        errors["library_id"] = gettext("Choose a library.")
    if not errors and library is not None and start is not None and weeks is not None:
        try:
            period = create_period(db.session, library, start, weeks, current_user)
        except PeriodError as exc:
            errors[exc.field_name] = localize(exc.reason)
        else:
            count = db.session.scalar(
                select(db.func.count()).select_from(Shift).where(Shift.period_id == period.id)
            )
            message = gettext(
                "Roster period created with %(count)s shifts. Generate a roster next.",
                count=count,
            )
            return saved(message, url_for(".period_runs", period_id=period.id), code=303)
    return _periods_page(errors, values, 422)


def _runs_page(period: RosterPeriod, error: str | None = None, status: int = 200) -> Any:
    runs = list(reversed(period.runs))
    shift_count = db.session.scalar(
        select(db.func.count()).select_from(Shift).where(Shift.period_id == period.id)
    )
    return (
        render_template(
            "roster_runs/period_runs.html",
            period=period,
            runs=runs,
            active=active_run(db.session, period),
            shift_count=shift_count,
            error=error,
            time_limit=request.form.get("time_limit") or "",
            default_limit=int(float(current_app.config.get("SOLVER_TIME_LIMIT", 60))),
            period_end=period_end,
            review_url=review_url,
            run_state=run_state,
        ),
        status,
    )


@bp.route("/periods/<id:period_id>/runs", methods=["GET", "POST"])
@role_required(*LEADER)
def period_runs(period_id: int) -> Any:
    """A period's runs; POST starts a new one (Generate)."""
    period = leader_period(period_id)
    if request.method == "POST":
        return _generate(period)
    return _runs_page(period)


def _generate(period: RosterPeriod) -> Any:
    try:
        limit = parse_number(request.form.get("time_limit"), "time_limit")
    except InputError:
        return _runs_page(period, gettext("time limit: give a number of seconds (1 to 3600)."), 422)
    try:
        kind = RunKind(request.form.get("kind", RunKind.GENERATE.value))
    except ValueError:
        return _runs_page(period, gettext("kind: not a kind of run."), 422)
    try:
        run = start_run(
            db.session,
            period,
            kind=kind,
            actor=current_user,
            time_limit=limit,
            settings=SolverSettings.from_config(current_app.config),
        )
    except RunError as exc:
        return _runs_page(period, localize(exc.reason), 409)
    return redirect(url_for(".progress", run_id=run.id), 303)


@bp.get("/runs/<id:run_id>")
@role_required(*LEADER)
def progress(run_id: int) -> Any:
    run = leader_run(run_id)
    return render_template(
        "roster_runs/progress.html",
        run=run,
        period=run.period,
        state=run_state(run),
        review_url=review_url(run.period_id),
        setup_links=setup_links(run.period.library_id),
        period_end=period_end,
    )


@bp.get("/runs/<id:run_id>/state.json")
@role_required(*LEADER)
def state(run_id: int) -> Any:
    run = leader_run(run_id)
    data = run_state(run)
    data["review_url"] = review_url(run.period_id)
    response = jsonify(data)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/runs/<id:run_id>/stop", methods=["GET", "POST"])
@role_required(*LEADER)
def stop(run_id: int) -> Any:
    """GET asks for confirmation (a link target); POST stops the run."""
    run = leader_run(run_id)
    if request.method == "GET":
        return render_template("roster_runs/stop.html", run=run, state=run_state(run))
    if stop_run(db.session, run, actor=current_user):
        flash(gettext("Stopping: the best roster found so far will be kept."), "info")
    else:
        flash(gettext("This run has already finished."), "info")
    return redirect(url_for(".progress", run_id=run.id), 303)
