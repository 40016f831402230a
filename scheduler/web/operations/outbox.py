"""The e-mail outbox for administrators: what has not been sent, why, and "send again".

E-mails wait in the outbox while the mail server is down or refuses them (see
:mod:`scheduler.mail`); nothing is lost, but someone must notice when they pile up or
are given up on. This page is where; ``scheduler_emails`` in /metrics is the alarm.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.mail import outbox as mail_outbox
from scheduler.models import OutboundEmail, Role
from scheduler.models.mail import EmailState
from scheduler.web import nav
from scheduler.web.auth import role_required

bp = Blueprint("outbox", __name__, url_prefix="/admin/outbox")

nav.add("outbox.index", _l("E-mail outbox"), roles=(Role.ADMIN,), area="staff", order=95)

SHOWN = 200


@bp.get("/")
@role_required(Role.ADMIN)
def index() -> Any:
    waiting = db.session.scalars(
        select(OutboundEmail)
        .where(OutboundEmail.state != EmailState.SENT)
        .order_by(OutboundEmail.state.desc(), OutboundEmail.created_at)
        .limit(SHOWN)
    ).all()
    counts = dict(
        db.session.execute(
            select(OutboundEmail.state, func.count())
            .where(OutboundEmail.state != EmailState.SENT)
            .group_by(OutboundEmail.state)
        ).all()
    )
    return render_template(
        "outbox/index.html",
        emails=waiting,
        failed=counts.get(EmailState.FAILED, 0),
        pending=counts.get(EmailState.PENDING, 0),
        shown=SHOWN,
    )


@bp.post("/<int:email_id>/send")
@role_required(Role.ADMIN)
def send_again(email_id: int) -> Any:
    email = db.session.get(OutboundEmail, email_id)
    if email is None:
        abort(404)
    if mail_outbox.send_again(db.session, email):
        flash(_("The e-mail to %(to)s will be sent again now.", to=email.to_address), "success")
    else:
        flash(_("That e-mail is sent already or on its way."), "info")
    return redirect(url_for(".index"), 303)
