"""Libraries: the list, details, weekly opening hours and closed dates (admins only).

Every POST is CSRF-checked by Flask-WTF's global protection (``extensions.csrf``).
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from scheduler.administration import closed_dates, libraries, opening_hours
from scheduler.administration.libraries import LibraryInput
from scheduler.errors import InputError
from scheduler.extensions import db
from scheduler.inputs import parse_id
from scheduler.models import Library, Role
from scheduler.web import nav
from scheduler.web.admin import bp
from scheduler.web.admin.common import actor, search_text
from scheduler.web.admin.forms import ClosedDatesForm, LibraryForm, WeeklyHoursForm
from scheduler.web.admin.removal import removal_message
from scheduler.web.auth import role_required
from scheduler.web.forms import ConfirmForm, form_flow, saved

nav.add("admin.libraries_list", _l("Libraries"), roles=(Role.ADMIN,), area="staff", order=91)


@bp.get("/libraries")
@role_required(Role.ADMIN)
def libraries_list() -> Any:
    q = search_text()
    return render_template(
        "admin/libraries.html",
        libraries=libraries.list_libraries(db.session, actor(), q),
        q=q,
        confirm=ConfirmForm(),
    )


@bp.route("/libraries/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_library() -> Any:
    return _edit(None)


@bp.route("/libraries/<id:library_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_library(library_id: int) -> Any:
    return _edit(db.get_or_404(Library, library_id))


def _edit(library: Library | None) -> Any:
    form = LibraryForm(obj=library)

    def act() -> Library:
        return libraries.save_library(
            db.session,
            actor(),
            library,
            LibraryInput(
                name=form.name.data,
                slug=form.slug.data,
                timezone=form.timezone.data,
                address=form.address.data,
                email=form.email.data,
                is_main=form.is_main.data,
                position=form.position.data,
            ),
        )

    return form_flow(
        form,
        act,
        lambda done: saved(
            _("Saved %(name)s.", name=done.name),
            url_for("admin.library_hours", library_id=done.id)
            if library is None
            else url_for("admin.libraries_list"),
        ),
        lambda status: (
            render_template("admin/library_form.html", form=form, library=library),
            status,
        ),
    )


@bp.post("/libraries/<id:library_id>/remove")
@role_required(Role.ADMIN)
def remove_library(library_id: int) -> Any:
    library = db.get_or_404(Library, library_id)
    name = library.name
    removal = libraries.remove_library(db.session, actor(), library)
    return saved(removal_message(name, removal), url_for("admin.libraries_list"))


@bp.post("/libraries/<id:library_id>/reactivate")
@role_required(Role.ADMIN)
def reactivate_library(library_id: int) -> Any:
    library = db.get_or_404(Library, library_id)
    libraries.reactivate_library(db.session, actor(), library)
    return saved(_("Reactivated %(name)s.", name=library.name), url_for("admin.libraries_list"))


# Opening hours and closed dates -----------------------------------------------------------


@bp.route("/libraries/<id:library_id>/hours", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def library_hours(library_id: int) -> Any:
    """The week's opening hours and the closed dates; each form posts its ``action``."""
    library = db.get_or_404(Library, library_id)
    hours_form = WeeklyHoursForm(prefix="hours")
    closed_form = ClosedDatesForm(prefix="closed")
    confirm = ConfirmForm()
    action = request.form.get("action") or ""
    if request.method == "GET":
        for weekday, (opens, closes) in opening_hours.weekly_hours(library).items():
            hours_form[f"opens_{weekday}"].data = opens
            hours_form[f"closes_{weekday}"].data = closes
    form = {"hours": hours_form, "closed": closed_form}.get(action, confirm)

    def act() -> str:
        if action == "hours":
            opening_hours.set_weekly_hours(
                db.session,
                actor(),
                library,
                {
                    d: (hours_form[f"opens_{d}"].data, hours_form[f"closes_{d}"].data)
                    for d in range(7)
                },
            )
            return _("Saved the opening hours.")
        if action == "closed":
            added = closed_dates.add_closed_dates(
                db.session,
                actor(),
                library,
                closed_form.first.data,
                closed_form.until.data,
                closed_form.reason.data,
            )
            return _("Closed %(num)s more days.", num=added)
        if action != "remove_closed":
            raise InputError.field("action", _("Unknown action: reload the page and try again."))
        closed_id = parse_id(request.form.get("id"), "id")
        assert closed_id is not None
        closed_dates.remove_closed_date(db.session, actor(), library, closed_id)
        return _("Removed the closed date.")

    def render(status: int) -> Any:
        closed_form.form_errors.extend(confirm.form_errors)
        return (
            render_template(
                "admin/library_hours.html",
                library=library,
                hours_form=hours_form,
                other_hours=opening_hours.other_intervals(library),
                closed_form=closed_form,
                confirm=confirm,
                action=action,
            ),
            status,
        )

    return form_flow(
        form,
        act,
        lambda message: saved(message, url_for("admin.library_hours", library_id=library.id)),
        render,
    )
