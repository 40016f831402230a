"""The password pages: choose one through a link, change one's own, forgot it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from scheduler import accounts
from scheduler.errors import DomainError
from scheduler.extensions import db
from scheduler.site import Site
from scheduler.web import nav
from scheduler.web.accounts import password_limit
from scheduler.web.accounts.forms import ChangePasswordForm, ChoosePasswordForm, ForgotForm
from scheduler.web.auth import STAFF_ROLES
from scheduler.web.forms import errors_to_form, form_flow, saved
from scheduler.web.i18n import localize
from scheduler.web.signin import current as signin_current

bp = Blueprint("accounts", __name__, url_prefix="/account")

nav.add("accounts.change_password", _l("My password"), roles=STAFF_ROLES, area="staff", order=95)

# The use cases name the password "password"; the forms call it "new_password".
_RENAMES = {"password": "new_password"}


def _site() -> Site:
    return Site.from_config(current_app.config)


@bp.route("/password/<token>", methods=["GET", "POST"])
@password_limit
def choose_password(token: str) -> Any:
    """The page behind a one-time link. Opening it changes nothing; the link is used up
    only when a password is chosen."""
    site = _site()
    try:
        link = accounts.usable_link(db.session, token, site.now)
    except accounts.LinkUnusable as exc:
        return _unusable(exc)
    form = ChoosePasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            accounts.redeem(db.session, token, form.new_password.data, site.now, site=site)
        except accounts.LinkUnusable as exc:
            return _unusable(exc)
        except DomainError as exc:
            errors_to_form(form, exc, _RENAMES)
            status = exc.status
        else:
            return saved(_("Your password is set. Sign in with it."), url_for("auth.sign_in"))
    elif form.is_submitted():
        status = 422
    return render_template("accounts/choose_password.html", form=form, person=link.person), status


def _unusable(exc: accounts.LinkUnusable) -> Any:
    page = render_template("accounts/link_unusable.html", message=localize(exc.message))
    return page, exc.status


@bp.route("/password", methods=["GET", "POST"])
@login_required
@password_limit
def change_password() -> Any:
    form = ChangePasswordForm()
    person = current_user._get_current_object()  # type: ignore[attr-defined]

    def act() -> None:
        accounts.change_password(
            db.session, person, form.current_password.data, form.new_password.data, _site()
        )
        # The change signs out every session, this one too: sign this one in again.
        signin_current.renew(person)

    return form_flow(
        form,
        act,
        lambda _done: saved(
            _("Your password is changed. Other devices are signed out."),
            url_for("accounts.change_password"),
        ),
        lambda status: (render_template("accounts/change_password.html", form=form), status),
    )


@bp.route("/forgot", methods=["GET", "POST"])
@password_limit
def forgot() -> Any:
    """The same answer whether or not an account has the address."""
    form = ForgotForm()
    return form_flow(
        form,
        lambda: accounts.request_reset(db.session, form.email.data, _site()),
        lambda _done: saved(
            _(
                "If a staff account has that address, we have e-mailed it a link to "
                "choose a new password. The link works once, for one hour."
            ),
            url_for("auth.sign_in"),
            category="info",
        ),
        lambda status: (render_template("accounts/forgot.html", form=form), status),
    )
