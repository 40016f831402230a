"""The administrators' "Invite / send a new link" button on a person's page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scheduler import accounts
from scheduler.errors import Conflict
from scheduler.extensions import db
from scheduler.models import Person, Role
from scheduler.site import Site
from scheduler.web.auth import role_required
from scheduler.web.forms import ConfirmForm, saved
from scheduler.web.i18n import localize

bp = Blueprint("invitations", __name__, url_prefix="/admin")


@bp.post("/people/<id:person_id>/invite")
@role_required(Role.ADMIN)
def invite(person_id: int) -> Any:
    person = db.get_or_404(Person, person_id)
    back = url_for("admin.edit_person", person_id=person.id)
    if not ConfirmForm().validate_on_submit():
        return redirect(back)
    try:
        accounts.invite(
            db.session,
            person,
            current_user._get_current_object(),  # type: ignore[attr-defined]
            Site.from_config(current_app.config),
        )
    except Conflict as exc:
        return saved(localize(exc.message), back, category="error")
    return saved(
        _(
            "We have e-mailed %(name)s a link to choose a password. It works once, "
            "for 24 hours; older links no longer work.",
            name=person.name,
        ),
        back,
    )
