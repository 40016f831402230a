"""One page to write a library's, topic's, booking page's, question's or drop-in's texts in
each of the site's languages (the use case decides who may: administrators, or those who
may edit the drop-in). Empty fields fall back to the text as first written."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scheduler.booking.content_translations import require_editor, set_translations
from scheduler.errors import DomainError
from scheduler.extensions import db
from scheduler.models import DropInSession, GroupQuestion, Library, SessionSeries, Topic, TopicGroup
from scheduler.web.auth import STAFF_ROLES, role_required
from scheduler.web.forms import ConfirmForm
from scheduler.web.i18n import localize

bp = Blueprint("translations", __name__, url_prefix="/staff/translations")

KINDS: dict[str, type] = {
    "library": Library,
    "topic": Topic,
    "group": TopicGroup,
    "question": GroupQuestion,
    "dropin": DropInSession,
    "series": SessionSeries,
}


@bp.route("/<kind>/<id:obj_id>", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def edit(kind: str, obj_id: int) -> Any:
    model = KINDS.get(kind)
    obj = db.session.get(model, obj_id) if model is not None else None
    if obj is None:
        abort(404)
    require_editor(current_user, obj)  # 403 before showing anything
    languages = list(current_app.config["LANGUAGES"])
    form = ConfirmForm()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        for lang in languages:
            texts = {f: request.form.get(f"{f}_{lang}", "") for f in obj.TRANSLATABLE}
            try:
                set_translations(db.session, current_user, obj, lang, texts)
            except DomainError as exc:
                if not exc.fields:
                    raise  # refused outright (403): the error handler answers
                for field, reason in exc.fields.items():
                    errors[f"{field}_{lang}"] = localize(reason)
        if not errors:
            flash(_("Saved."), "success")
            return redirect(url_for("translations.edit", kind=kind, obj_id=obj_id), 303)
        status = 422  # the request's transaction rolls back on a 4xx: nothing saved
    elif request.method == "POST":
        status = 400
    values = {
        f"{field}_{lang}": (
            request.form.get(f"{field}_{lang}")
            if request.method == "POST"
            else ((obj.translations or {}).get(lang) or {}).get(field, "")
        )
        for lang in languages
        for field in obj.TRANSLATABLE
    }
    return render_template(
        "translations/edit.html",
        obj=obj,
        kind=kind,
        languages=languages,
        values=values,
        errors=errors,
        form=form,
    ), status
