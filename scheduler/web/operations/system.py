"""The system page for administrators: is the upkeep running, is the queue moving, which
workers are alive, and what the site runs on (docs/operations.md says when to worry)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from scheduler.extensions import db
from scheduler.models import Role
from scheduler.timeutil import utcnow
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
