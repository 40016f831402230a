"""Public drop-in pages: the activity listing, a session's page with sign-up, manage link.

Views parse, call a use case from :mod:`scheduler.booking.dropins` and render. Sign-up and
cancelling are public writes: rate limited, CSRF-protected forms. The manage page is
reached only through the secret link in the confirmation e-mail.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby
from typing import Any

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
from flask_babel import get_locale
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
from scheduler.booking.dropins.registrations import Registrant, cancel_with_token, register
from scheduler.calendars import build_calendar, dropin_event
from scheduler.errors import Conflict, DomainError, InputError
from scheduler.extensions import db
from scheduler.models import DropInSession, Library, RegistrationStatus, Topic
from scheduler.timeutil import utcnow
from scheduler.web import nav
from scheduler.web.dropins import DEFAULT_WEEKS, MAX_DAYS, public_write_limit, site, today_local
from scheduler.web.dropins.forms import (
    ManageForm,
    RegistrationForm,
    choice,
    localize,
    show_errors,
)

bp = Blueprint("dropins", __name__, url_prefix="/dropins")

nav.add("dropins.listing", _l("Drop-ins and events"), order=20)

# Listing ---------------------------------------------------------------------------


def _id_arg(name: str, errors: dict[str, str]) -> int | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        errors[name] = _("is not a valid choice")
        return None
    return int(raw)


def _date_arg(name: str, errors: dict[str, str]) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("is not a date (use YYYY-MM-DD)")
        return None


def listing_filters() -> tuple[dict[str, Any], dict[str, str]]:
    """Filters from the query string (topic, library, from, to) and what was wrong."""
    errors: dict[str, str] = {}
    topic_id = _id_arg("topic", errors)
    library_id = _id_arg("library", errors)
    start = _date_arg("from", errors) or today_local()
    end = _date_arg("to", errors) or start + timedelta(weeks=DEFAULT_WEEKS)
    if end < start:
        errors["to"] = _("must not be before the start date")
    elif (end - start).days > MAX_DAYS:
        errors["to"] = _("at most %(days)s days after the start date", days=MAX_DAYS)
    return {"topic_id": topic_id, "library_id": library_id, "start": start, "end": end}, errors


@bp.get("/")
def listing() -> Any:
    filters, errors = listing_filters()
    items: list[SessionListing] = []
    if not errors:
        items = list_sessions(
            db.session,
            include_cancelled=True,
            default_tz=current_app.config["TIMEZONE"],
            **filters,
        )
    days = [
        (day, list(group)) for day, group in groupby(items, key=lambda i: local_date(i.dropin))
    ]
    return render_template(
        "dropins/listing.html",
        days=days,
        filters=filters,
        errors=errors,
        topics=db.session.scalars(select(Topic).order_by(Topic.name)).all(),
        libraries=db.session.scalars(
            select(Library).order_by(Library.position, Library.name)
        ).all(),
        now=utcnow(),
    ), (422 if errors else 200)


# A session and signing up ------------------------------------------------------------


def _session_or_404(session_id: int) -> DropInSession:
    dropin = db.session.get(DropInSession, session_id)
    if dropin is None:
        abort(404)
    return dropin


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


@bp.route("/<int:session_id>", methods=["GET", "POST"])
@public_write_limit
def session_page(session_id: int) -> Any:
    dropin = _session_or_404(session_id)
    item = listing_for(db.session, dropin)
    choices = _open_choices(dropin)
    form = RegistrationForm()
    form.sessions.choices = [choice(str(c.dropin.id), c.dropin.title) for c in choices]
    status = 200
    if request.method == "GET":
        form.sessions.data = _default_choice(dropin, choices)
        form.lunch.data = True
    elif form.validate_on_submit():
        ids = [int(i) for i in form.sessions.data or [] if i.isdigit()]
        if len(choices) <= 1:
            ids = [dropin.id]
        try:
            done = register(
                db.session,
                ids,
                Registrant(
                    name=form.name.data or "",
                    email=form.email.data or "",
                    answer=form.answer.data,
                    lunch=bool(form.lunch.data),
                    locale=str(get_locale() or ""),
                ),
                site=site(),
                now=utcnow(),
            )
        except (InputError, Conflict) as exc:
            show_errors(form, exc)
            status = exc.status
        else:
            regs = done.registrations
            if all(r.status == RegistrationStatus.WAITLISTED for r in regs):
                flash(_("You are on the waitlist. We have sent you an e-mail."), "success")
            else:
                flash(_("You are registered. We have sent you an e-mail."), "success")
            return redirect(url_for("dropins.manage", token=done.token))
    else:
        status = 422
    return render_template(
        "dropins/session.html",
        item=item,
        dropin=dropin,
        series=series_listings(db.session, dropin.series_id) if dropin.series_id else [],
        choices=choices,
        form=form,
        now=utcnow(),
    ), status


def _default_choice(dropin: DropInSession, choices: list[SessionListing]) -> list[str]:
    """A course (one shared deadline) is signed up for as a whole; weekly drop-ins one by one."""
    ids = [str(c.dropin.id) for c in choices]
    deadlines = {c.dropin.registration_deadline for c in choices}
    if len(choices) > 1 and len(deadlines) == 1 and None not in deadlines:
        return ids
    return [str(dropin.id)] if str(dropin.id) in ids else ids[:1]


@bp.get("/<int:session_id>.ics")
def session_ics(session_id: int) -> Response:
    """The session as a calendar file, for "add to my calendar"."""
    dropin = _session_or_404(session_id)
    s = site()
    event = dropin_event(
        dropin, host=s.uid_host, url=s.session_url(dropin.id), default_tz=s.default_tz
    )
    body = build_calendar([event], stamp=utcnow(), method="PUBLISH")
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="session-{dropin.id}.ics"'},
    )


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
    status = 200
    if form.validate_on_submit():
        ids = [int(i) for i in form.sessions.data or [] if i.isdigit()]
        if not ids:
            form.sessions.errors = [_("Choose at least one session to cancel.")]
            status = 422
        else:
            try:
                cancel_with_token(db.session, token, ids, site=site(), now=now)
            except DomainError as exc:
                show_errors(form, exc)
                status = exc.status
            else:
                flash(
                    _("Your registration is cancelled. We have sent you a confirmation."), "success"
                )
                return redirect(url_for("dropins.manage", token=token))
    elif form.is_submitted():
        status = 422
    return render_template(
        "dropins/manage.html",
        regs=regs,
        cancellable={r.id for r in cancellable},
        form=form,
        localize=localize,
    ), status
