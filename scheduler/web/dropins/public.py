"""Public drop-in pages: the activity listing, a session's page with sign-up, manage link.

Views parse, call a use case from :mod:`scheduler.booking.dropins` and render. Sign-up and
cancelling are public writes: rate limited, CSRF-protected forms. The manage page is
reached only through the secret link in the confirmation e-mail.
"""

from __future__ import annotations

from datetime import datetime
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from scheduler.booking.dropins.queries import (
    SessionListing,
    list_sessions,
    listing_for,
    local_date,
    registrations_for_token,
    series_listings,
)
from scheduler.booking.dropins.registrations import (
    Registered,
    Registrant,
    cancel_with_token,
    confirm_registration,
    register,
)
from scheduler.calendars import build_calendar, dropin_event
from scheduler.errors import Conflict
from scheduler.extensions import db
from scheduler.inputs import parse_ids
from scheduler.models import DropInSession, Library, RegistrationStatus, Topic
from scheduler.reasons import input_error
from scheduler.timeutil import utcnow
from scheduler.web import nav
from scheduler.web.dropins import listing_filters, public_write_limit, site
from scheduler.web.dropins.forms import ManageForm, RegistrationForm
from scheduler.web.forms import ConfirmForm, choice, form_flow, saved
from scheduler.web.i18n import localize, page_language

bp = Blueprint("dropins", __name__, url_prefix="/dropins")

nav.add("dropins.listing", _l("Drop-ins and events"), order=20)

# Listing ---------------------------------------------------------------------------


@bp.get("/")
def listing() -> Any:
    filters, fields = listing_filters(request.args)
    errors = {name: localize(reason) for name, reason in fields.errors.items()}
    items: list[SessionListing] = []
    if not errors:
        items = list_sessions(
            db.session,
            include_cancelled=True,
            default_tz=current_app.config["TIMEZONE"],
            **filters,
        )
    days = [(day, list(group)) for day, group in groupby(items, key=lambda i: local_date(i.dropin))]
    return render_template(
        "dropins/listing.html",
        days=days,
        filters=filters,
        errors=errors,
        topics=db.session.scalars(
            select(Topic).where(Topic.active.is_(True)).order_by(Topic.name)
        ).all(),
        libraries=db.session.scalars(
            select(Library).where(Library.active.is_(True)).order_by(Library.position, Library.name)
        ).all(),
        now=utcnow(),
    ), (422 if errors else 200)


# A session and signing up ------------------------------------------------------------


def _open_choices(dropin: DropInSession) -> list[SessionListing]:
    """The sessions one sign-up can cover: this one, or the open ones of its series."""
    now = utcnow()
    if dropin.series_id is None:
        return [listing_for(db.session, dropin)]
    return [
        item
        for item in series_listings(db.session, dropin.series_id)
        if item.registration_open(now)
    ]


@bp.route("/<id:session_id>", methods=["GET", "POST"])
@public_write_limit
def session_page(session_id: int) -> Any:
    dropin = db.get_or_404(DropInSession, session_id)
    choices = _open_choices(dropin)
    form = RegistrationForm()
    form.sessions.choices = [choice(str(c.dropin.id), c.dropin.title) for c in choices]
    if request.method == "GET":
        form.sessions.data = _default_choice(dropin, choices)
        form.lunch.data = True

    def sign_up() -> Registered:
        ids = parse_ids(form.sessions.data, "sessions") if len(choices) > 1 else [dropin.id]
        who = Registrant(
            name=form.name.data or "",
            email=form.email.data or "",
            answer=form.answer.data,
            lunch=bool(form.lunch.data),
            locale=page_language(),
        )
        return register(db.session, ids, who, site=site(), now=utcnow())

    def signed_up(done: Registered) -> Any:
        if done.pending:
            return saved(
                _(
                    "Almost done: we have sent you an e-mail. Follow the link in it to "
                    "confirm your registration; we hold your place until %(time)s.",
                    time=_clock(done.hold_until, dropin.library.timezone),
                ),
                url_for("dropins.session_page", session_id=dropin.id),
                category="info",
            )
        if all(r.status == RegistrationStatus.WAITLISTED for r in done.registrations):
            message = _("You are on the waitlist. We have sent you an e-mail.")
        else:
            message = _("You are registered. We have sent you an e-mail.")
        return saved(message, url_for("dropins.manage", token=done.token))

    return form_flow(
        form,
        sign_up,
        signed_up,
        lambda status: (
            render_template(
                "dropins/session.html",
                item=listing_for(db.session, dropin),
                dropin=dropin,
                series=series_listings(db.session, dropin.series_id) if dropin.series_id else [],
                choices=choices,
                form=form,
                now=utcnow(),
            ),
            status,
        ),
    )


def _default_choice(dropin: DropInSession, choices: list[SessionListing]) -> list[str]:
    """A course (one shared deadline) is signed up for as a whole; weekly drop-ins one by one."""
    ids = [str(c.dropin.id) for c in choices]
    deadlines = {c.dropin.registration_deadline for c in choices}
    if len(choices) > 1 and len(deadlines) == 1 and None not in deadlines:
        return ids
    return [str(dropin.id)] if str(dropin.id) in ids else ids[:1]


@bp.get("/<id:session_id>.ics")
def session_ics(session_id: int) -> Response:
    """The session as a calendar file, for "add to my calendar"."""
    dropin = db.get_or_404(DropInSession, session_id)
    s = site()
    event = dropin_event(dropin, host=s.host, url=s.dropin_url(dropin.id), default_tz=s.default_tz)
    body = build_calendar([event], stamp=utcnow(), method="PUBLISH")
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="session-{dropin.id}.ics"'},
    )


# Confirmation link ----------------------------------------------------------------


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@public_write_limit
def confirm(token: str) -> Any:
    """The link in the "confirm your address" e-mail: a button (mail scanners follow
    links, and a GET must not sign anyone up), then the registration is final."""
    form = ConfirmForm()
    status, error = 200, None
    if form.validate_on_submit():
        try:
            done = confirm_registration(db.session, token, site=site(), now=utcnow())
        except Conflict as exc:
            error, status = localize(exc.message), exc.status
        else:
            if done.token is None:
                flash(_("This registration is already confirmed: see the e-mail we sent."))
                return redirect(url_for("dropins.listing"))
            return saved(
                _("Thank you: your registration is confirmed. We have sent you an e-mail."),
                url_for("dropins.manage", token=done.token),
            )
    html = render_template("dropins/confirm.html", form=form, error=error)
    return Response(html, status=status, headers={"Cache-Control": "no-store"})


def _clock(instant: datetime | None, tz: str) -> str:
    return instant.astimezone(ZoneInfo(tz)).strftime("%H:%M") if instant else ""


# Manage link -----------------------------------------------------------------------


@bp.route("/manage/<token>", methods=["GET", "POST"])
@public_write_limit
def manage(token: str) -> Any:
    regs = registrations_for_token(db.session, token)
    if not regs:
        abort(404)
    now = utcnow()
    cancellable = [
        r for r in regs if r.status != RegistrationStatus.CANCELLED and r.session.starts_at > now
    ]
    form = ManageForm()
    form.sessions.choices = [choice(str(r.session_id), r.session.title) for r in cancellable]
    if form.validate_on_submit() and form.confirmed.data != "yes":
        chosen = [r for r in cancellable if str(r.session_id) in (form.sessions.data or [])]
        if chosen:  # ask once more; nothing chosen falls through to the field's message
            return render_template("dropins/manage_confirm.html", chosen=chosen, form=form)

    def cancel() -> list:
        ids = parse_ids(form.sessions.data, "sessions")
        if not ids:
            raise input_error({"sessions": _("Choose at least one session to cancel.")})
        return cancel_with_token(db.session, token, ids, site=site(), now=now)

    return form_flow(
        form,
        cancel,
        lambda _cancelled: saved(
            _("Your registration is cancelled. We have sent you a confirmation."),
            url_for("dropins.manage", token=token),
        ),
        lambda status: (
            render_template(
                "dropins/manage.html",
                regs=regs,
                cancellable={r.id for r in cancellable},
                form=form,
                localize=localize,
            ),
            status,
        ),
    )
