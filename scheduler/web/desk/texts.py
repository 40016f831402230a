"""The leader's look at the free text of the desk log before it is purged, and the
choice to keep an entry's text (marked anonymised)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _

from scheduler.desk import privacy, text_review
from scheduler.desk.roles import leader_library_ids
from scheduler.extensions import db
from scheduler.models import Inquiry, Role
from scheduler.web.auth import role_required
from scheduler.web.desk.shared import actor, allowed_libraries, chosen_library
from scheduler.web.forms import ConfirmForm, saved

bp = Blueprint("desk_texts", __name__)

LEADER = Role.SECTION_LEADER


@bp.get("/leader/desk/texts")
@role_required(LEADER)
def texts() -> Any:
    libraries = allowed_libraries(leader_library_ids(actor()))
    library = chosen_library(request.args.get("library"), libraries)
    return render_template(
        "desk/texts.html",
        library=library,
        libraries=libraries,
        inquiries=text_review.texts_to_review(db.session, actor(), library.id),
        retention_days=int(current_app.config["DESK_TEXT_RETENTION_DAYS"]),
        confirm=ConfirmForm(),
    )


@bp.post("/leader/desk/texts/<id:inquiry_id>")
@role_required(LEADER)
def mark_text(inquiry_id: int) -> Any:
    inquiry = db.get_or_404(Inquiry, inquiry_id)
    ids = leader_library_ids(actor())
    if ids is not None and inquiry.library_id not in ids:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    keep = request.form.get("anonymised") == "1"
    privacy.mark_anonymised(db.session, actor(), inquiry, keep)
    message = _("The text is kept.") if keep else _("The text will be purged with the others.")
    return saved(
        message, url_for(".texts", library=inquiry.library_id) + f"#i{inquiry.id}", code=303
    )
