"""Second-factor pages: the code after the password, enrolment (at sign-in when the
role requires it, or from one's account), recovery codes, and an administrator's reset.

A refused code is committed before the refusal is shown: the count of wrong codes that
leads to the lock must survive the 4xx answer (which otherwise rolls back).
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from scheduler.calendars.sources.secretbox import SecretBox, box_from_config
from scheduler.errors import DomainError
from scheduler.extensions import db, limiter
from scheduler.models import Person, Role
from scheduler.models.signin import SecondFactor
from scheduler.signin import second_factor
from scheduler.timeutil import utcnow
from scheduler.web import nav
from scheduler.web.auth import role_required
from scheduler.web.forms import ConfirmForm, errors_to_form
from scheduler.web.i18n import localize
from scheduler.web.signin import current, steps

bp = Blueprint("two_factor", __name__)
nav.add("two_factor.overview", _l("Sign-in security"), area="staff", order=90)

ENROL_SECRET_KEY = "enrol_secret"


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("The six digits your authenticator app shows, or a recovery code."),
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"},
    )


class EnrolForm(FlaskForm):
    code = StringField(
        _l("Code from the app"),
        validators=[DataRequired(), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


def _second_factor_limit() -> str:
    return current_app.config["RATELIMIT_SECOND_FACTOR"]


def _box() -> SecretBox:
    """Seals the authenticator keys (the deployment's CALENDARS_SECRET_KEYS)."""
    return box_from_config(current_app.config, current_app.instance_path)


def _issuer() -> str:
    return urlsplit(str(current_app.config.get("PUBLIC_URL") or "")).hostname or "Library"


def _refused(form: FlaskForm, verdict: second_factor.Verdict, template: str, **ctx: Any) -> Any:
    db.session.commit()  # keep the count of wrong codes (see the module's docstring)
    current.events.warning(
        "second step refused: %s%s", verdict.reason, " (locked)" if verdict.locked_until else ""
    )
    form.code.errors = [localize(verdict.reason or "")]
    if verdict.locked_until is not None:
        wait = max(1, math.ceil((verdict.locked_until - utcnow()).total_seconds()))
        return render_template(template, form=form, **ctx), 429, {"Retry-After": str(wait)}
    return render_template(template, form=form, **ctx), 422


@bp.route("/sign-in/code", methods=["GET", "POST"])
@limiter.limit(_second_factor_limit, methods=["POST"])
def second_step() -> Any:
    person = steps.pending_person()
    if person is None:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.sign_in"))
    form = CodeForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("signin/second_step.html", form=form), status
    verdict = second_factor.verify(db.session, person, form.code.data, _box())
    if not verdict.ok:
        return _refused(form, verdict, "signin/second_step.html")
    if verdict.recovery_codes_left is not None:
        flash(
            _(
                "You signed in with a recovery code. %(left)d codes are left: "
                "make new ones on your account's second-factor page.",
                left=verdict.recovery_codes_left,
            ),
            "warning",
        )
    return steps.finish(person)


def _enrol_page(person: Person, template: str, done: Any) -> Any:
    """Show the QR code; a right code from the app turns the factor on."""
    secret = session.get(ENROL_SECRET_KEY)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = second_factor.new_secret()
        session[ENROL_SECRET_KEY] = secret
    uri = second_factor.provisioning_uri(secret, person, _issuer())
    form = EnrolForm()
    context = {"qr": second_factor.qr_svg(uri), "secret": secret, "form": form}
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template(template, **context), status
    try:
        codes = second_factor.enrol(db.session, person, secret, form.code.data, _box())
    except DomainError as exc:
        errors_to_form(form, exc)
        return render_template(template, **context), exc.status
    session.pop(ENROL_SECRET_KEY, None)
    return done(codes)


@bp.route("/sign-in/enrol", methods=["GET", "POST"])
@limiter.limit(_second_factor_limit, methods=["POST"])
def enrol_at_sign_in() -> Any:
    """A role that requires a second factor and none set up: this, before anything else."""
    person = steps.pending_person()
    if person is None:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.sign_in"))

    def done(codes: list[str]) -> Any:
        target = steps.next_url()
        pending = session.get(steps.PENDING_KEY) or {}
        current.begin(person, remember=bool(pending.get("remember")), second_factor=True)
        return render_template("signin/recovery_codes.html", codes=codes, next_url=target)

    return _enrol_page(person, "signin/enrol.html", done)


@bp.route("/account/two-factor")
@login_required
def overview() -> Any:
    me = current_user
    return render_template(
        "signin/two_factor.html",
        factor=second_factor.confirmed(db.session, me),
        codes_left=second_factor.recovery_codes_left(db.session, me),
        required=second_factor.required(me, current_app.config["REQUIRE_2FA_ROLES"]),
        form=CodeForm(),
    )


@bp.route("/account/two-factor/enrol", methods=["GET", "POST"])
@login_required
@limiter.limit(_second_factor_limit, methods=["POST"])
def enrol() -> Any:
    if second_factor.confirmed(db.session, current_user) is not None:
        return redirect(url_for("two_factor.overview"))

    def done(codes: list[str]) -> Any:
        return render_template(
            "signin/recovery_codes.html", codes=codes, next_url=url_for("two_factor.overview")
        )

    return _enrol_page(current_user, "signin/enrol.html", done)


def _with_current_code(action: Any) -> Any:
    """Recovery codes and turning the factor off ask for a current code first."""
    me = current_user
    form = CodeForm()
    context = {
        "factor": second_factor.confirmed(db.session, me),
        "codes_left": second_factor.recovery_codes_left(db.session, me),
        "required": second_factor.required(me, current_app.config["REQUIRE_2FA_ROLES"]),
    }
    if context["factor"] is None:
        return redirect(url_for("two_factor.overview"))
    if not form.validate_on_submit():
        return render_template("signin/two_factor.html", form=form, **context), 422
    verdict = second_factor.verify(db.session, me, form.code.data, _box())
    if not verdict.ok:
        return _refused(form, verdict, "signin/two_factor.html", **context)
    try:
        return action(me)
    except DomainError as exc:
        errors_to_form(form, exc)
        return render_template("signin/two_factor.html", form=form, **context), exc.status


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@login_required
@limiter.limit(_second_factor_limit)
def new_recovery_codes() -> Any:
    def act(me: Person) -> Any:
        codes = second_factor.new_recovery_codes(db.session, me)
        return render_template(
            "signin/recovery_codes.html", codes=codes, next_url=url_for("two_factor.overview")
        )

    return _with_current_code(act)


@bp.route("/account/two-factor/off", methods=["POST"])
@login_required
@limiter.limit(_second_factor_limit)
def turn_off() -> Any:
    def act(me: Person) -> Any:
        second_factor.turn_off(db.session, me, current_app.config["REQUIRE_2FA_ROLES"])
        flash(_("Sign-in no longer asks for a code from your app."), "success")
        return redirect(url_for("two_factor.overview"))

    return _with_current_code(act)


@bp.route("/admin/people/<id:person_id>/two-factor/reset", methods=["POST"])
@role_required(Role.ADMIN)
def reset(person_id: int) -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    person = db.get_or_404(Person, person_id)
    second_factor.reset(db.session, current_user, person)
    current.events.warning("second factor reset: person %s by %s", person.id, current_user.id)
    flash(
        _("%(name)s sets up a second factor again at their next sign-in.", name=person.name),
        "success",
    )
    return redirect(url_for("admin.people"))


def second_factor_people() -> set[int]:
    """Ids of people with a second factor (the people page shows who has one)."""
    return set(
        db.session.scalars(
            select(SecondFactor.person_id).where(SecondFactor.confirmed_at.is_not(None))
        )
    )
