"""Roster set-up pages for section leaders: points, hours, pool, demand and a preview.

Views follow :func:`scheduler.web.forms.form_flow`: validate the form, call
:mod:`scheduler.rostering.setup`, and redirect; a refusal becomes a message on the field
it names, and the request rolls back.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, select

from scheduler import access
from scheduler.errors import InputError
from scheduler.extensions import db
from scheduler.inputs import parse_date, parse_id
from scheduler.models import Channel, DemandRule, Library, Person, Role, ServicePoint, Skill
from scheduler.rostering import setup
from scheduler.rostering.permissions import require_leader
from scheduler.timeutil import monday_of
from scheduler.web import nav
from scheduler.web.auth import role_required
from scheduler.web.desk import suggestions
from scheduler.web.forms import ConfirmForm, form_flow, saved
from scheduler.web.i18n import localize, weekday_name
from scheduler.web.rostering.forms import (
    CHANNEL_LABELS,
    ClosedDateForm,
    DemandRuleForm,
    OpeningHoursForm,
    PoolMemberForm,
    ServicePointForm,
)

bp = Blueprint("roster_setup", __name__, url_prefix="/leader/setup")

nav.add(
    "roster_setup.index", _l("Roster set-up"), roles=(Role.SECTION_LEADER,), area="staff", order=60
)

LEADER = Role.SECTION_LEADER  # admins hold every role


@bp.app_template_filter("weekday_short")
def weekday_short(weekday: int) -> str:
    return weekday_name(weekday, "abbreviated")


def _actor() -> Person:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _library(library_id: int | None) -> Library:
    """The library in the URL, which the signed-in person must lead (else 403); without
    one (links from other pages), the first library they lead, the main one first."""
    if library_id is not None:
        library = db.get_or_404(Library, library_id)
        require_leader(_actor(), library.id)
        return library
    library = db.session.scalar(_led_libraries().limit(1))
    if library is None:
        abort(404)
    return library


def _led_libraries() -> Select[tuple[Library]]:
    stmt = select(Library).order_by(Library.is_main.desc(), Library.position)
    ids = access.library_ids(_actor(), LEADER)
    return stmt if ids is None else stmt.where(Library.id.in_(ids))


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _render(template: str, library: Library, status: int = 200, **context: Any) -> Any:
    libraries = db.session.scalars(_led_libraries().order_by(None).order_by(Library.position))
    return (
        render_template(
            template,
            library=library,
            libraries=libraries,
            channel_labels=CHANNEL_LABELS,
            delete_form=ConfirmForm(),
            **context,
        ),
        status,
    )


@bp.url_defaults
def _default_library(endpoint: str, values: dict[str, Any]) -> None:
    """``url_for("roster_setup.pool")`` from other pages: the main library's page."""
    if endpoint in _LIBRARY_PAGES and "library_id" not in values:
        led = db.session.scalar(_led_libraries().limit(1)) if current_user else None
        main = db.session.scalar(
            select(Library).order_by(Library.is_main.desc(), Library.position).limit(1)
        )
        if led is None and main is None:
            abort(404)
        values["library_id"] = (led or main).id


_LIBRARY_PAGES = {f"roster_setup.{n}" for n in ("points", "hours", "pool", "demand", "preview")}


@bp.get("/")
@role_required(LEADER)
def index() -> Any:
    try:
        chosen = parse_id(request.args.get("library"), "library", required=False)
    except InputError:
        chosen = None
    library = _library(chosen) if chosen and db.session.get(Library, chosen) else _library(None)
    return redirect(url_for(".points", library_id=library.id))


# Service points -------------------------------------------------------------------------


def _to_points(library: Library, message: str) -> Any:
    return saved(message, url_for(".points", library_id=library.id))


@bp.route("/<id:library_id>/points", methods=["GET", "POST"])
@role_required(LEADER)
def points(library_id: int) -> Any:
    library = _library(library_id)
    form = ServicePointForm()
    return form_flow(
        form,
        lambda: setup.save_service_point(db.session, library, _point_input(form), actor=_actor()),
        lambda point: _to_points(library, _("Added %(name)s.", name=point.name)),
        lambda status: _render("roster_setup/points.html", library, status, form=form),
    )


def _point_input(form: ServicePointForm) -> setup.PointInput:
    return setup.PointInput(
        name=form.name.data or "",
        channel=Channel(form.channel.data),
        ground_floor=bool(form.ground_floor.data),
        first_line=bool(form.first_line.data),
        location=form.location.data,
    )


def _point(library: Library, point_id: int) -> ServicePoint:
    point = db.get_or_404(ServicePoint, point_id)
    if point.library_id != library.id:
        abort(404)
    return point


@bp.route("/<id:library_id>/points/<id:point_id>", methods=["GET", "POST"])
@role_required(LEADER)
def edit_point(library_id: int, point_id: int) -> Any:
    library = _library(library_id)
    point = _point(library, point_id)
    form = ServicePointForm(obj=point)
    if request.method == "GET":
        form.channel.data = point.channel.value
    return form_flow(
        form,
        lambda: setup.save_service_point(
            db.session, library, _point_input(form), point, actor=_actor()
        ),
        lambda saved_point: _to_points(library, _("Saved %(name)s.", name=saved_point.name)),
        lambda status: _render(
            "roster_setup/point_form.html", library, status, form=form, point=point
        ),
    )


def _confirm(library: Library, question: str, back: str) -> Any:
    """The page behind a remove button: the same question, for a link or no script."""
    return _render("roster_setup/confirm.html", library, question=question, back=back)


@bp.route("/<id:library_id>/points/<id:point_id>/remove", methods=["GET", "POST"])
@role_required(LEADER)
def remove_point(library_id: int, point_id: int) -> Any:
    library = _library(library_id)
    point = _point(library, point_id)
    if request.method == "GET":
        return _confirm(
            library,
            _("Remove the service point %(name)s?", name=point.name),
            url_for(".points", library_id=library.id),
        )
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = point.name
    if setup.remove_service_point(db.session, point, actor=_actor()):
        return _to_points(library, _("Removed %(name)s.", name=name))
    return _to_points(
        library, _("%(name)s is used by rosters, so it was taken out of use instead.", name=name)
    )


# Opening hours and closed dates ---------------------------------------------------------


@bp.route("/<id:library_id>/hours", methods=["GET", "POST"])
@role_required(LEADER)
def hours(library_id: int) -> Any:
    """Opening hours and closed dates on one page: each form posts its ``action``."""
    library = _library(library_id)
    hours_form = OpeningHoursForm(prefix="hours")
    closed_form = ClosedDateForm(prefix="closed")
    confirm = ConfirmForm()  # the delete buttons'
    action = request.form.get("action")
    form = {"add_hours": hours_form, "add_closed": closed_form}.get(action or "", confirm)

    def act() -> None:
        if action == "add_hours":
            setup.add_opening_hours(
                db.session,
                library,
                int(hours_form.weekday.data),
                hours_form.opens.data,
                hours_form.closes.data,
                hours_form.valid_from.data,
                hours_form.valid_until.data,
                actor=_actor(),
            )
        elif action == "add_closed":
            setup.add_closed_date(
                db.session, library, closed_form.date.data, closed_form.reason.data, actor=_actor()
            )
        elif action in ("delete_hours", "delete_closed"):
            row_id = parse_id(request.form.get("id"), "id")
            assert row_id is not None
            if action == "delete_hours":
                setup.delete_opening_hours(db.session, library, row_id, actor=_actor())
            else:
                setup.delete_closed_date(db.session, library, row_id, actor=_actor())
        else:
            raise InputError.field("action", _("Unknown action: reload the page and try again."))

    def render(status: int) -> Any:
        hours_form.form_errors.extend(confirm.form_errors)  # a refused delete, above the hours
        return _render(
            "roster_setup/hours.html",
            library,
            status,
            hours_form=hours_form,
            closed_form=closed_form,
            action=action,
        )

    return form_flow(
        form,
        act,
        lambda _done: saved(_("Saved."), url_for(".hours", library_id=library.id)),
        render,
    )


# The first-line pool --------------------------------------------------------------------


def _skill_choices(keep: list[str] | None = None) -> list[tuple[str, str]]:
    """Active skills, and deactivated ones only where already chosen (``keep``)."""
    kept = set(keep or ())
    return [
        (s.code, s.name)
        for s in db.session.scalars(select(Skill).order_by(Skill.code))
        if s.active or s.code in kept
    ]


def _pool_input(form: PoolMemberForm) -> setup.PoolInput:
    return setup.PoolInput(
        skills=list(form.skills.data or []),
        min_hours_per_week=float(form.min_hours_per_week.data or 0),
        target_hours_per_week=_num(form.target_hours_per_week.data),
        max_hours_per_week=_num(form.max_hours_per_week.data),
        max_hours_per_day=_num(form.max_hours_per_day.data),
    )


def _to_pool(library: Library, message: str) -> Any:
    return saved(message, url_for(".pool", library_id=library.id))


@bp.route("/<id:library_id>/pool", methods=["GET", "POST"])
@role_required(LEADER)
def pool(library_id: int) -> Any:
    library = _library(library_id)
    members = setup.pool(db.session, library)
    form = PoolMemberForm()
    form.skills.choices = _skill_choices()
    in_pool = {p.id for p in members}
    candidates = [
        p
        for p in db.session.scalars(
            select(Person).where(Person.active.is_(True)).order_by(Person.name)
        )
        if p.id not in in_pool
    ]
    form.person_id.choices = [(p.id, f"{p.name} ({p.email})") for p in candidates]

    def add() -> Person:
        person = db.session.get(Person, form.person_id.data)
        assert person is not None  # a valid choice
        setup.save_pool_member(db.session, library, person, _pool_input(form), actor=_actor())
        return person

    return form_flow(
        form,
        add,
        lambda person: _to_pool(
            library, _("%(name)s is in the first-line pool.", name=person.name)
        ),
        lambda status: _render(
            "roster_setup/pool.html", library, status, form=form, members=members
        ),
    )


def _member(library: Library, person_id: int) -> Person:
    person = db.get_or_404(Person, person_id)
    if Role.FIRST_LINE not in person.roles_in(library.id):
        abort(404)
    return person


@bp.route("/<id:library_id>/pool/<id:person_id>", methods=["GET", "POST"])
@role_required(LEADER)
def edit_member(library_id: int, person_id: int) -> Any:
    library = _library(library_id)
    person = _member(library, person_id)
    form = PoolMemberForm(obj=person)
    del form.person_id
    form.skills.choices = _skill_choices(person.skill_codes)
    if request.method == "GET":
        form.skills.data = person.skill_codes
    return form_flow(
        form,
        lambda: setup.save_pool_member(
            db.session, library, person, _pool_input(form), actor=_actor()
        ),
        lambda _saved: _to_pool(library, _("Saved %(name)s.", name=person.name)),
        lambda status: _render(
            "roster_setup/member_form.html", library, status, form=form, person=person
        ),
    )


@bp.route("/<id:library_id>/pool/<id:person_id>/remove", methods=["GET", "POST"])
@role_required(LEADER)
def remove_member(library_id: int, person_id: int) -> Any:
    library = _library(library_id)
    person = _member(library, person_id)
    if request.method == "GET":
        return _confirm(
            library,
            _("Take %(name)s out of the first-line pool?", name=person.name),
            url_for(".pool", library_id=library.id),
        )
    if not ConfirmForm().validate_on_submit():
        abort(400)
    setup.remove_pool_member(db.session, library, person, actor=_actor())
    return _to_pool(library, _("%(name)s is no longer in the pool.", name=person.name))


# Demand rules and the preview -----------------------------------------------------------


def _demand_form(library: Library, rule: DemandRule | None = None) -> DemandRuleForm:
    form = DemandRuleForm(obj=rule)
    points = [p for p in library.service_points if p.active]
    form.service_point_id.choices = [(p.id, p.name) for p in points]
    form.skills.choices = _skill_choices(rule.skill_list if rule is not None else None)
    if rule is not None and request.method == "GET":
        form.weekdays.data = [str(d) for d in rule.weekday_list]
        form.skills.data = rule.skill_list
    return form


def _demand_input(form: DemandRuleForm) -> setup.DemandInput:
    return setup.DemandInput(
        service_point_id=int(form.service_point_id.data),
        weekdays=[int(d) for d in form.weekdays.data or []],
        start_time=form.start_time.data,
        end_time=form.end_time.data,
        block_minutes=int(form.block_minutes.data),
        min_staff=int(form.min_staff.data),
        max_staff=int(form.max_staff.data),
        skills=list(form.skills.data or []),
        label=form.label.data,
        valid_from=form.valid_from.data,
        valid_until=form.valid_until.data,
    )


def _to_demand(library: Library, message: str) -> Any:
    return saved(message, url_for(".demand", library_id=library.id))


@bp.route("/<id:library_id>/demand", methods=["GET", "POST"])
@role_required(LEADER)
def demand(library_id: int) -> Any:
    library = _library(library_id)
    form = _demand_form(library)
    return form_flow(
        form,
        lambda: setup.save_demand_rule(
            db.session, library, _demand_input(form), None, actor=_actor()
        ),
        lambda _rule: _to_demand(library, _("Demand rule added.")),
        lambda status: _render(
            "roster_setup/demand.html",
            library,
            status,
            form=form,
            rules=setup.library_rules(db.session, library.id),
        ),
    )


def _rule(library: Library, rule_id: int) -> DemandRule:
    rule = db.get_or_404(DemandRule, rule_id)
    if rule.service_point.library_id != library.id:
        abort(404)
    return rule


@bp.route("/<id:library_id>/demand/<id:rule_id>", methods=["GET", "POST"])
@role_required(LEADER)
def edit_rule(library_id: int, rule_id: int) -> Any:
    library = _library(library_id)
    rule = _rule(library, rule_id)
    form = _demand_form(library, rule)
    return form_flow(
        form,
        lambda: setup.save_demand_rule(
            db.session, library, _demand_input(form), rule, actor=_actor()
        ),
        lambda _rule: _to_demand(library, _("Demand rule saved.")),
        lambda status: _render(
            "roster_setup/rule_form.html", library, status, form=form, rule=rule
        ),
    )


@bp.route("/<id:library_id>/demand/<id:rule_id>/delete", methods=["GET", "POST"])
@role_required(LEADER)
def delete_rule(library_id: int, rule_id: int) -> Any:
    library = _library(library_id)
    rule = _rule(library, rule_id)
    if request.method == "GET":
        return _confirm(
            library,
            _(
                "Delete the demand rule for %(point)s, %(start)s-%(end)s?",
                point=rule.service_point.name,
                start=rule.start_time.strftime("%H:%M"),
                end=rule.end_time.strftime("%H:%M"),
            ),
            url_for(".demand", library_id=library.id),
        )
    if not ConfirmForm().validate_on_submit():
        abort(400)
    setup.delete_demand_rule(db.session, library, rule, actor=_actor())
    return _to_demand(library, _("Demand rule deleted."))


@bp.get("/<id:library_id>/preview")
@role_required(LEADER)
def preview(library_id: int) -> Any:
    library = _library(library_id)
    error = None
    try:
        day = parse_date(request.args.get("week"), "week") or date.today()
    except InputError as exc:
        day, error = date.today(), f"week: {localize(exc.fields['week'])}"
    monday = monday_of(day)
    try:
        specs = setup.preview_week(db.session, library, monday)
    except InputError as exc:
        specs, error = [], localize(exc.message)
    grid = setup.week_grid(specs, monday)
    return _render(
        "roster_setup/preview.html",
        library,
        422 if error else 200,
        monday=monday,
        grid=grid,
        specs=specs,
        error=error,
        points={p.id: p for p in library.service_points},
        # Demand suggested from the desk's statistics, beside today's rules.
        **suggestions.preview_context(library, monday),
    )
