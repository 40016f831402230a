"""The desk's guide: the actor directory and the routine matrix, searched from the desk
and printed for it; and the leader's pages that keep them (and the categories) up to date.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from scheduler.desk import categories, directory, routines
from scheduler.desk.roles import DESK_ROLES, desk_library_ids, leader_library_ids
from scheduler.extensions import db
from scheduler.models import Actor, InquiryCategory, Library, Role, RoutineRow
from scheduler.web import nav
from scheduler.web.auth import role_required
from scheduler.web.desk.forms import ActorForm, CategoryForm, RoutineForm
from scheduler.web.desk.shared import actor, allowed_libraries, chosen_library
from scheduler.web.forms import ConfirmForm, form_flow, saved

bp = Blueprint("desk_guide", __name__, url_prefix="/desk")

LEADER = Role.SECTION_LEADER

nav.add("desk_guide.manage", _l("Desk guide"), roles=(LEADER,), area="staff", order=62)


def _library(library_id: int, ids: set[int] | None) -> Library:
    library = db.get_or_404(Library, library_id)
    if ids is not None and library.id not in ids:
        abort(404)
    return library


@bp.get("/<id:library_id>/guide")
@role_required(*DESK_ROLES)
def guide(library_id: int) -> Any:
    """Search results for ``q``; without it, the whole guide, ready to print."""
    library = _library(library_id, desk_library_ids(actor()))
    query = (request.args.get("q") or "").strip()[:200]
    found = directory.search_directory(db.session, actor(), library.id, query)
    return render_template("desk/guide.html", library=library, query=query, found=found)


def _manage_library(library_id: int | None) -> Library:
    libraries = allowed_libraries(leader_library_ids(actor()))
    if library_id is None:
        return chosen_library(request.args.get("library"), libraries)
    return _library(library_id, leader_library_ids(actor()))


def _render(template: str, library: Library, status: int = 200, **context: Any) -> Any:
    libraries = allowed_libraries(leader_library_ids(actor()))
    return (
        render_template(
            template, library=library, libraries=libraries, delete_form=ConfirmForm(), **context
        ),
        status,
    )


@bp.get("/manage")
@role_required(LEADER)
def manage() -> Any:
    """The directory of the library chosen (``?library=``), or of the first one led."""
    library = _manage_library(None)
    return redirect(url_for(".actors", library_id=library.id))


# Actors ---------------------------------------------------------------------------------


def _actor_input(form: ActorForm) -> directory.ActorInput:
    return directory.ActorInput(
        name=form.name.data or "",
        helps_with=form.helps_with.data,
        url=form.url.data,
        phone=form.phone.data,
        opening_hours=form.opening_hours.data,
        languages=form.languages.data,
    )


@bp.route("/<id:library_id>/actors", methods=["GET", "POST"])
@role_required(LEADER)
def actors(library_id: int) -> Any:
    library = _manage_library(library_id)
    form = ActorForm()
    return form_flow(
        form,
        lambda: directory.save_actor(db.session, actor(), library, _actor_input(form)),
        lambda row: saved(
            _("Added %(name)s.", name=row.name), url_for(".actors", library_id=library.id)
        ),
        lambda status: _render(
            "desk/actors.html",
            library,
            status,
            form=form,
            actors=directory.library_actors(db.session, library.id),
        ),
    )


def _actor_row(library: Library, actor_id: int) -> Actor:
    row = db.get_or_404(Actor, actor_id)
    if row.library_id != library.id:
        abort(404)
    return row


@bp.route("/<id:library_id>/actors/<id:actor_id>", methods=["GET", "POST"])
@role_required(LEADER)
def edit_actor(library_id: int, actor_id: int) -> Any:
    library = _manage_library(library_id)
    row = _actor_row(library, actor_id)
    form = ActorForm(obj=row)
    return form_flow(
        form,
        lambda: directory.save_actor(db.session, actor(), library, _actor_input(form), row),
        lambda saved_row: saved(
            _("Saved %(name)s.", name=saved_row.name), url_for(".actors", library_id=library.id)
        ),
        lambda status: _render("desk/actor_form.html", library, status, form=form, row=row),
    )


@bp.post("/<id:library_id>/actors/<id:actor_id>/remove")
@role_required(LEADER)
def remove_actor(library_id: int, actor_id: int) -> Any:
    library = _manage_library(library_id)
    row = _actor_row(library, actor_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    directory.retire_actor(db.session, actor(), row)
    return saved(
        _("Removed %(name)s from the directory.", name=row.name),
        url_for(".actors", library_id=library.id),
    )


# Routine matrix -------------------------------------------------------------------------


def _routine_form(library: Library, row: RoutineRow | None = None) -> RoutineForm:
    form = RoutineForm(obj=row)
    form.actor_id.choices = [("", _("Nobody"))] + [
        (str(a.id), a.name) for a in directory.library_actors(db.session, library.id)
    ]
    if row is not None and request.method == "GET":
        form.actor_id.data = str(row.actor_id or "")
    return form


def _routine_input(form: RoutineForm) -> routines.RoutineInput:
    raw = form.actor_id.data
    return routines.RoutineInput(
        question_type=form.question_type.data or "",
        solution=form.solution.data or "",
        actor_id=int(raw) if raw else None,
    )


@bp.route("/<id:library_id>/routines", methods=["GET", "POST"])
@role_required(LEADER)
def routine_matrix(library_id: int) -> Any:
    library = _manage_library(library_id)
    form = _routine_form(library)
    return form_flow(
        form,
        lambda: routines.save_routine(db.session, actor(), library, _routine_input(form)),
        lambda _row: saved(_("Routine added."), url_for(".routine_matrix", library_id=library.id)),
        lambda status: _render(
            "desk/routines.html",
            library,
            status,
            form=form,
            rows=routines.library_routines(db.session, library.id),
        ),
        renames={"actor": "actor_id"},
    )


def _routine_row(library: Library, row_id: int) -> RoutineRow:
    row = db.get_or_404(RoutineRow, row_id)
    if row.library_id != library.id:
        abort(404)
    return row


@bp.route("/<id:library_id>/routines/<id:row_id>", methods=["GET", "POST"])
@role_required(LEADER)
def edit_routine(library_id: int, row_id: int) -> Any:
    library = _manage_library(library_id)
    row = _routine_row(library, row_id)
    form = _routine_form(library, row)
    return form_flow(
        form,
        lambda: routines.save_routine(db.session, actor(), library, _routine_input(form), row),
        lambda _row: saved(_("Routine saved."), url_for(".routine_matrix", library_id=library.id)),
        lambda status: _render("desk/routine_form.html", library, status, form=form, row=row),
        renames={"actor": "actor_id"},
    )


@bp.post("/<id:library_id>/routines/<id:row_id>/remove")
@role_required(LEADER)
def remove_routine(library_id: int, row_id: int) -> Any:
    library = _manage_library(library_id)
    row = _routine_row(library, row_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    routines.delete_routine(db.session, actor(), row)
    return saved(_("Routine removed."), url_for(".routine_matrix", library_id=library.id))


# Categories -----------------------------------------------------------------------------


@bp.route("/<id:library_id>/categories", methods=["GET", "POST"])
@role_required(LEADER)
def category_list(library_id: int) -> Any:
    library = _manage_library(library_id)
    form = CategoryForm()
    return form_flow(
        form,
        lambda: categories.add_category(db.session, actor(), library, form.name.data or ""),
        lambda row: saved(
            _("Added %(name)s.", name=row.name), url_for(".category_list", library_id=library.id)
        ),
        lambda status: _render(
            "desk/categories.html",
            library,
            status,
            form=form,
            categories=categories.library_categories(db.session, library.id),
        ),
    )


@bp.post("/<id:library_id>/categories/<id:category_id>/remove")
@role_required(LEADER)
def remove_category(library_id: int, category_id: int) -> Any:
    library = _manage_library(library_id)
    row = db.get_or_404(InquiryCategory, category_id)
    if row.library_id != library.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    categories.retire_category(db.session, actor(), row)
    return saved(
        _("%(name)s is no longer offered at the desk.", name=row.name),
        url_for(".category_list", library_id=library.id),
    )
