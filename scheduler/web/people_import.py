"""Import staff from a CSV file (admins only): upload, check every row, then apply.

The page only reads the file and shows what :mod:`scheduler.people.import_staff` says;
the check changes nothing, and applying refuses while any row has an error.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired

from scheduler import accounts
from scheduler.errors import DomainError
from scheduler.extensions import db
from scheduler.models import Person, Role
from scheduler.people.import_staff import COLUMNS, MAX_BYTES, Outcome, apply_import, plan_import
from scheduler.web import current_site
from scheduler.web.auth import role_required
from scheduler.web.forms import errors_to_form, saved
from scheduler.web.i18n import localize

bp = Blueprint("people_import", __name__, url_prefix="/admin/people/import")

OUTCOME_LABELS = {
    Outcome.CREATE: _l("new person"),
    Outcome.UPDATE: _l("changes"),
    Outcome.UNCHANGED: _l("unchanged"),
}


class UploadForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired()])


class ApplyForm(FlaskForm):
    csv_text = HiddenField(validators=[DataRequired()])


def _read_upload(form: UploadForm) -> str | None:
    """The file's text (UTF-8), or None with the reason on the field."""
    data = form.file.data.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        form.file.errors.append(_("The file is larger than %(most)s bytes.", most=MAX_BYTES))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        form.file.errors.append(_("The file is not UTF-8 text: save it as “CSV UTF-8”."))
        return None


def _page(upload: UploadForm, status: int = 200, **context: Any) -> Any:
    context.setdefault("plan", None)
    context.setdefault("apply_form", None)
    return (
        render_template(
            "admin/people_import.html",
            form=upload,
            columns=COLUMNS,
            outcome_labels=OUTCOME_LABELS,
            localize=localize,
            **context,
        ),
        status,
    )


@bp.route("", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def check() -> Any:
    """Upload a file and see each row's outcome and errors; nothing is changed."""
    upload = UploadForm()
    if not upload.validate_on_submit():
        return _page(upload, 422 if upload.is_submitted() else 200)
    text = _read_upload(upload)
    if text is None:
        return _page(upload, 422)
    plan = plan_import(db.session, _actor(), text)
    apply_form = ApplyForm(formdata=None, csv_text=text) if plan.ok else None
    return _page(upload, 200 if plan.ok else 422, plan=plan, apply_form=apply_form)


@bp.post("/apply")
@role_required(Role.ADMIN)
def apply() -> Any:
    form = ApplyForm()
    upload = UploadForm(formdata=None)
    if not form.validate_on_submit():
        upload.file.errors = [_("Upload the file again.")]
        return _page(upload, 422)
    try:
        result = apply_import(db.session, _actor(), form.csv_text.data)
    except DomainError as exc:
        errors_to_form(upload, exc, {"file": "file"})
        plan = plan_import(db.session, _actor(), form.csv_text.data)
        return _page(upload, exc.status, plan=plan)
    # Each new person gets an e-mail with a link to choose a password (after the commit).
    for person in result.created:
        accounts.invite(db.session, person, _actor(), current_site())
    message = " ".join(
        [
            ngettext(
                "%(num)s new person, invited by e-mail.",
                "%(num)s new people, invited by e-mail.",
                len(result.created),
            ),
            ngettext("%(num)s person changed.", "%(num)s people changed.", len(result.updated)),
            ngettext("%(num)s person unchanged.", "%(num)s people unchanged.", result.unchanged),
        ]
    )
    return saved(message, url_for("admin.people"))


def _actor() -> Person:
    return current_user._get_current_object()  # type: ignore[attr-defined]
