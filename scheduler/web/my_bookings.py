"""The patron's "My bookings": ask for a link by e-mail, then see, cancel, export or
erase everything booked with that address (scheduler/booking/patron_data.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import event
from wtforms import EmailField
from wtforms.validators import DataRequired, Length

from scheduler.booking import patron_data
from scheduler.errors import DomainError, NotFound
from scheduler.extensions import db
from scheduler.mail.outbox_files import outbox_dir
from scheduler.web import current_site, nav
from scheduler.web.appointments import no_store, public_write_limit
from scheduler.web.appointments.forms import MODE_LABELS
from scheduler.web.forms import ConfirmForm, errors_to_form
from scheduler.web.i18n import page_language

bp = Blueprint("my_bookings", __name__, url_prefix="/my-bookings")

nav.add("my_bookings.ask", _l("My bookings"), order=80)


class AskForm(FlaskForm):
    email = EmailField(
        _l("Your e-mail address"),
        validators=[DataRequired(), Length(max=254)],
        description=_l("The one you booked with. We send a link to it."),
    )


@bp.route("/", methods=["GET", "POST"])
@public_write_limit
def ask() -> Any:
    form = AskForm()
    if form.validate_on_submit():
        try:
            patron_data.request_link(
                db.session, form.email.data, site=current_site(), language=page_language()
            )
        except DomainError as exc:
            errors_to_form(form, exc)
        else:
            # The same answer whether or not the address has bookings.
            flash(
                _(
                    "If %(email)s has bookings with us, a link to them is on its way. "
                    "It works for 24 hours.",
                    email=form.email.data,
                ),
                "success",
            )
            return redirect(url_for("my_bookings.ask"))
    status = 422 if form.is_submitted() and form.errors else 200
    return render_template("my_bookings/ask.html", form=form), status


def _email(token: str) -> str:
    return patron_data.email_from_token(current_site(), token)


@bp.get("/<token>")
def overview(token: str) -> Any:
    email = _email(token)
    bookings = patron_data.bookings_for(db.session, email, site=current_site())
    html = render_template(
        "my_bookings/overview.html",
        token=token,
        bookings=bookings,
        mode_labels=MODE_LABELS,
        form=ConfirmForm(),
    )
    return no_store(Response(html))


@bp.route("/<token>/registrations/<id:registration_id>/cancel", methods=["GET", "POST"])
@public_write_limit
def cancel_registration(token: str, registration_id: int) -> Any:
    email = _email(token)
    site = current_site()
    line = next(
        (
            r
            for r in patron_data.bookings_for(db.session, email, site=site).registrations
            if r.registration.id == registration_id
        ),
        None,
    )
    if line is None:
        raise NotFound(_("No such registration."))
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        patron_data.cancel_registration(db.session, email, registration_id, site=site)
        flash(_("Your registration is cancelled. We have sent you a confirmation."), "success")
        return redirect(url_for("my_bookings.overview", token=token))
    html = render_template("my_bookings/cancel.html", token=token, line=line, form=form)
    return no_store(Response(html))


@bp.get("/<token>/export.json")
def export(token: str) -> Any:
    email = _email(token)
    data = patron_data.export(db.session, email, site=current_site())
    response = Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="my-bookings.json"'
    return no_store(response)


@bp.route("/<token>/erase", methods=["GET", "POST"])
@public_write_limit
def erase(token: str) -> Any:
    email = _email(token)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        erased = patron_data.erase(db.session, email, site=current_site())
        _remove_stored_files_after_commit(erased.email_ids)
        return no_store(Response(render_template("my_bookings/erased.html", erased=erased)))
    bookings = patron_data.bookings_for(db.session, email, site=current_site())
    html = render_template("my_bookings/erase.html", token=token, bookings=bookings, form=form)
    return no_store(Response(html))


def _remove_stored_files_after_commit(ids: list[int]) -> None:
    """The outbox keeps a file per e-mail sent without an SMTP server; those quoting the
    patron go once their rows are gone for good."""
    folder = Path(outbox_dir(current_app.instance_path))

    def remove(_session: Any) -> None:
        for email_id in ids:
            (folder / f"{email_id:08d}.eml").unlink(missing_ok=True)

    if ids:
        event.listen(db.session, "after_commit", remove, once=True)
