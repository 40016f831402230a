"""The public front page and the language switch (health checks: web/operations.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import DropInSession, Library, SessionStatus, Topic
from scheduler.timeutil import utcnow
from scheduler.web import nav
from scheduler.web.auth import safe_next

bp = Blueprint("home", __name__)

nav.add("home.index", _l("Home"), order=0)


@bp.get("/")
def index() -> Any:
    libraries = db.session.scalars(
        select(Library).where(Library.active.is_(True)).order_by(Library.position, Library.name)
    ).all()
    topics = db.session.scalars(
        select(Topic).where(Topic.active.is_(True)).order_by(Topic.name)
    ).all()
    now = utcnow()
    sessions = db.session.scalars(
        select(DropInSession)
        .where(
            DropInSession.starts_at >= now,
            DropInSession.starts_at < now + timedelta(days=28),
            DropInSession.status == SessionStatus.ANNOUNCED,
        )
        .order_by(DropInSession.starts_at)
        .limit(8)
    ).all()
    return render_template(
        "public/home.html", libraries=libraries, topics=topics, sessions=sessions, today=now
    )


@bp.post("/language")
def set_language() -> Any:
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
    return redirect(safe_next(request.form.get("next")) or url_for("home.index"))
