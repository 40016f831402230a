"""The system page for administrators: is the upkeep running, is the queue moving, which
workers are alive, and what the site runs on (docs/operations.md says when to worry)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from scheduler.extensions import db
from scheduler.models import Role
from scheduler.timeutil import utcnow
from scheduler.upkeep.run_soon import run_soon
from scheduler.upkeep.status import system_status
from scheduler.web import nav
from scheduler.web.auth import role_required

bp = Blueprint("system", __name__, url_prefix="/admin/system")

nav.add("system.index", _l("System"), roles=(Role.ADMIN,), area="staff", order=96)

TASK_LABELS = {
    "reminders": _l("Reminders the day before"),
    "purge": _l("Retention purge (personal data, stored e-mails)"),
    "sweep": _l("Job sweeper and e-mail retries"),
    "tokens": _l("Expired holds and revoked tokens"),
    "calendars": _l("Connected calendar sync"),
}


@bp.get("/")
@role_required(Role.ADMIN)
def index() -> Any:
    status = system_status(db.session, current_user, current_app.config, utcnow())
    return render_template("system/index.html", status=status, task_labels=TASK_LABELS)


@bp.post("/tasks/<name>/run")
@role_required(Role.ADMIN)
def run_task(name: str) -> Any:
    if name not in TASK_LABELS:
        abort(404)
    run_soon(db.session, current_user, name, current_app.config, utcnow())
    if current_app.config.get("UPKEEP_ENABLED"):
        flash(_("%(task)s will run at the next look.", task=TASK_LABELS[name]), "success")
    else:
        flash(
            _(
                "%(task)s is due; upkeep is off in this process, so it runs when a worker or "
                "scheduler upkeep looks.",
                task=TASK_LABELS[name],
            ),
            "info",
        )
    return redirect(url_for(".index"), 303)
