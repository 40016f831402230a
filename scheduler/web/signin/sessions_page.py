"""``/account/sessions``: where one is signed in, each revocable, and "sign out of every
device" (a lost phone, a shared computer left signed in)."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from scheduler.extensions import db
from scheduler.signin import sessions
from scheduler.web.forms import ConfirmForm
from scheduler.web.signin import current

bp = Blueprint("account", __name__, url_prefix="/account")

_SESSION_ID = re.compile(r"[0-9a-f]{64}")


@bp.route("/sessions")
@login_required
def list_sessions() -> Any:
    rows = sessions.active(db.session, current_user, current.policy())
    return render_template(
        "signin/sessions.html",
        rows=rows,
        this_session=current.current_session_id(),
        form=ConfirmForm(),
    )


@bp.route("/sessions/<session_id>/revoke", methods=["POST"])
@login_required
def revoke(session_id: str) -> Any:
    if not _SESSION_ID.fullmatch(session_id):
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    this_one = session_id == current.current_session_id()
    if not sessions.revoke(db.session, current_user, session_id):
        abort(404)
    if this_one:
        current.finish()
        flash(_("You are signed out."), "info")
        return redirect(url_for("auth.sign_in"))
    flash(_("That session is signed out."), "success")
    return redirect(url_for("account.list_sessions"))


@bp.route("/sessions/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere() -> Any:
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    sessions.end_all(db.session, current_user)
    current.finish()
    flash(_("You are signed out on every device."), "info")
    return redirect(url_for("auth.sign_in"))
