"""Sign-in and sign-out, the session user loader, and role checks for staff pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from scheduler import accounts, audit
from scheduler.extensions import db, limiter, login_manager
from scheduler.models.people import ApiToken, Person, Role
from scheduler.site import Site
from scheduler.timeutil import utcnow
from scheduler.web.i18n import localize, page_language
from scheduler.web.signin import current as signin_current
from scheduler.web.signin import steps as signin_steps

bp = Blueprint("auth", __name__)

# Everyone with an account: the staff pages that every role shares.
STAFF_ROLES = (Role.ADMIN, Role.SECTION_LEADER, Role.LIBRARIAN, Role.FIRST_LINE)


def init_login(app: Flask) -> None:
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(token: str) -> Person | None:
    """The cookie holds a staff session token; the session must still be live."""
    return signin_current.load(token)


@login_manager.request_loader
def load_user_from_token(req: Any) -> Person | None:
    """``Authorization: Bearer <personal API token>`` on API requests; nothing is stored
    in the session, so a token client never gets a cookie."""
    header = req.headers.get("Authorization", "")
    if not req.path.startswith("/api/") or not header.lower().startswith("bearer "):
        return None
    token = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == accounts.token_digest(header[7:].strip()),
            ApiToken.revoked_at.is_(None),
        )
    )
    if token is None or not token.person.active:
        return None
    token.last_used_at = utcnow()
    g.authenticated_by_token = True
    return token.person


@login_manager.unauthorized_handler
def _unauthorized() -> Any:
    if request.path.startswith("/api/"):
        from flask import jsonify

        return jsonify({"error": _("Please sign in."), "fields": {}}), 401
    flash(str(login_manager.login_message), "info")
    return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))


def role_required(*roles: Role) -> Callable:
    """Signed in (else redirect to sign-in) and holding one of ``roles`` (else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.holds_anywhere(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator


def safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after sign-in (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


class SignInForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])
    remember = BooleanField(_l("Keep me signed in on this device"))


def _sign_in_limit() -> str:
    return current_app.config["RATELIMIT_SIGN_IN"]


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def sign_in() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("staff.dashboard"))
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        try:
            person = accounts.authenticate(
                db.session,
                form.email.data,
                form.password.data,
                rules=accounts.ThrottleRules.from_config(current_app.config),
                site=Site.from_config(current_app.config),
            )
        except accounts.SignInThrottled as exc:
            form.form_errors.append(localize(exc.message))
            page = render_template("auth/sign_in.html", form=form)
            return page, 429, {"Retry-After": str(exc.retry_after)}
        if person is not None:
            if person.locale is None:
                # Feeds and e-mails are written in the person's own language: until they
                # choose one, it is the language they signed in with.
                person.locale = page_language()
                db.session.commit()
            # Straight in, or first a code from the authenticator app (web/signin/steps.py).
            return signin_steps.after_password(
                person, remember=form.remember.data, next_url=safe_next(request.args.get("next"))
            )
        signin_current.events.warning("sign-in refused: wrong e-mail or password")
        # One message for unknown e-mail and wrong password alike.
        form.form_errors.append(_("Wrong e-mail or password."))
        db.session.commit()  # the failure counts although the answer is an error
        status = 401
    elif form.is_submitted():
        status = 422
    return render_template("auth/sign_in.html", form=form), status


@bp.route("/sign-out", methods=["POST"])
def sign_out() -> Any:
    if current_user.is_authenticated:
        audit.record(
            db.session,
            audit.Action.SIGN_OUT,
            actor=current_user,
            subject=f"person:{current_user.id}",
        )
    signin_current.finish()
    flash(_("You are signed out."), "info")
    return redirect(url_for("home.index"))
