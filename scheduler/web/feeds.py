"""Calendar feeds: the .ics URLs calendar apps poll, and the pages to subscribe to them.

- ``/feeds/<token>/{shifts,appointments,all}.ics``: one person's feed; an unknown or
  revoked token is a bare 404, the same as any other, with no hint.
- ``/feeds/public/dropins.ics?library=&topic=&lang=``: the shared activity calendar;
  a bad filter is a 400 naming the parameter.
- ``/staff/calendar-feeds``: the owner's links (https and webcal), copy buttons, the
  patron-details choice, reset and turn off.
- ``/calendar``: the public page for subscribing to the activity calendar.
- ``/staff/calendar/...`` and ``/calendar/sessions/<id>``: the URLs inside events.
  They only redirect, so links already copied into calendars keep working when pages move.

Feeds answer with an ETag that is the feed's fingerprint (a few aggregate queries over
what the body is made of, :mod:`scheduler.calendars.fingerprints`), so a poll with
If-None-Match gets its 304 without the calendar being built; full bodies are kept in
memory by fingerprint for new subscribers. Last-Modified and If-Modified-Since work too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from wtforms import BooleanField, HiddenField, SelectField

from scheduler import audit
from scheduler.calendars import feeds, fingerprints, tokens
from scheduler.calendars.body_cache import BodyCache, Rendered
from scheduler.calendars.ical import uid_host
from scheduler.errors import InputError
from scheduler.extensions import db
from scheduler.models import Library, Role, Topic
from scheduler.models.translations import localized
from scheduler.timeutil import utcnow
from scheduler.web import nav
from scheduler.web.auth import STAFF_ROLES, role_required
from scheduler.web.i18n import page_language

log = logging.getLogger(__name__)

bp = Blueprint("feeds", __name__)

PUBLIC_MAX_AGE = 15 * 60

# Where the links inside events lead: (endpoint, its id argument) once those pages
# exist; until then the fallback, a page that lists the same items.
EVENT_PAGES: dict[str, tuple[str, str]] = {
    "appointment": ("appointments.appointment", "appointment_id"),
    "session": ("dropins.session_page", "session_id"),
    "shift": ("my_shifts.shift", "shift_id"),
}
EVENT_FALLBACK = {
    "shift": "staff.dashboard",
    "appointment": "staff.dashboard",
    "session": "home.index",
}

nav.add("feeds.settings", _l("Calendar feeds"), roles=STAFF_ROLES, area="staff", order=80)


# Helpers ---------------------------------------------------------------------------


def absolute_url(endpoint: str, **values: Any) -> str:
    """A link that works outside this request (in a calendar app): PUBLIC_URL + path."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for(endpoint, **values)


def webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[1]


def _token_key() -> str:
    return current_app.config.get("FEEDS_TOKEN_KEY") or current_app.config["SECRET_KEY"]


def _language(preferred: str | None) -> str:
    languages: list[str] = current_app.config["LANGUAGES"]
    return preferred if preferred in languages else languages[0]


def _options(lang: str) -> feeds.FeedOptions:
    """Call inside ``force_locale(lang)``: the catalogue is looked up once, not per string."""
    cfg = current_app.config
    return feeds.FeedOptions(
        host=uid_host(cfg["PUBLIC_URL"]),
        now=utcnow(),
        past_days=int(cfg["FEEDS_PAST_DAYS"]),
        cancelled_days=int(cfg["FEEDS_CANCELLED_DAYS"]),
        refresh=timedelta(minutes=int(cfg["FEEDS_REFRESH_MINUTES"])),
        default_tz=cfg["TIMEZONE"],
        gettext=get_translations().gettext,
        locale=lang,
    )


def _event_link(endpoint: str, arg: str):
    """``id -> absolute URL`` for a route ending in ``/<id:arg>``, built once: url_for
    costs ~40 µs, which is 80 ms over a feed of 2,000 events."""
    sentinel = 987654321
    url = absolute_url(endpoint, **{arg: sentinel})
    assert url.endswith(f"/{sentinel}")
    prefix = url[: -len(str(sentinel))]

    def link(ident: int) -> str:
        return f"{prefix}{ident}"

    return link


def _links(source: str, page: str) -> feeds.FeedLinks:
    return feeds.FeedLinks(
        shift=_event_link("feeds.open_shift", "shift_id"),
        appointment=_event_link("feeds.open_appointment", "appointment_id"),
        dropin=_event_link("feeds.open_session", "session_id"),
        page=page,
        source=source,
    )


def _not_found() -> Response:
    return Response("Not found\n", status=404, mimetype="text/plain")


def _caching_headers(response: Response, fingerprint: str, *, private: bool) -> Response:
    response.set_etag(fingerprint)
    if private:
        # Personal data: revalidated with the ETag, never stored by a cache.
        response.headers["Cache-Control"] = "no-store"
        # A secret URL: never in search engines, never in a shared cache.
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    else:
        response.cache_control.public = True
        response.cache_control.max_age = PUBLIC_MAX_AGE
    return response


def _body_cache() -> BodyCache:
    cache = current_app.extensions.get("feed_body_cache")
    if cache is None:
        cache = BodyCache(int(current_app.config.get("FEEDS_CACHE_BYTES") or 0))
        current_app.extensions["feed_body_cache"] = cache
    return cache


def _answer(
    key: str,
    fingerprint: str,
    build: Callable[[], feeds.Feed],
    filename: str,
    *,
    private: bool,
) -> Response:
    """304 when the client has this fingerprint (nothing is built); else the body, from
    the cache while the fingerprint is unchanged, built and kept otherwise.

    The fingerprint (:mod:`scheduler.calendars.fingerprints`) is the ETag: it changes
    exactly when the body would, and costs a few aggregate queries instead of a build.
    """
    wanted = request.if_none_match
    if wanted and (wanted.star_tag or wanted.contains_weak(fingerprint)):
        return _caching_headers(Response(status=304), fingerprint, private=private)
    cache = _body_cache()
    rendered = cache.get(key, fingerprint)
    if rendered is None:
        with cache.building(key):
            rendered = cache.get(key, fingerprint)  # built by another thread meanwhile?
            if rendered is None:
                feed = build()
                rendered = Rendered(feed.render(), feed.last_modified)
                cache.put(key, fingerprint, rendered)
    response = Response(rendered.body, mimetype="text/calendar")  # Flask adds charset=utf-8
    response.last_modified = rendered.last_modified
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return _caching_headers(response, fingerprint, private=private).make_conditional(request)


def _record_use(row) -> None:
    try:
        with db.engine.begin() as connection:
            tokens.record_use(connection, row)
    except SQLAlchemyError:  # bookkeeping only: the feed is served regardless
        log.warning("could not record the use of feed token %s", row.id, exc_info=True)


# Feeds -------------------------------------------------------------------------------


@bp.get("/feeds/<token>/<any(shifts, appointments, all):kind>.ics")
def person_feed(token: str, kind: str) -> Response:
    row = tokens.resolve_token(db.session, token)
    if row is None:
        return _not_found()
    person = row.person
    lang = _language(person.locale)
    source = absolute_url("feeds.person_feed", token=token, kind=kind)
    with force_locale(lang):
        options = _options(lang)
        links = _links(source, absolute_url("staff.dashboard"))
        show_patron = row.show_patron_details
        fingerprint = fingerprints.person_fingerprint(
            db.session, person, feeds.FeedKind(kind), options, links, show_patron=show_patron
        )
        response = _answer(
            f"person:{row.id}:{kind}",
            fingerprint,
            lambda: feeds.person_feed(
                db.session,
                person,
                feeds.FeedKind(kind),
                options,
                links,
                show_patron=show_patron,
            ),
            f"{kind}.ics",
            private=True,
        )
    _record_use(row)
    return response


def _plain_error(exc: InputError) -> Response:
    return Response(exc.message + "\n", status=400, mimetype="text/plain")


@bp.get("/feeds/public/dropins.ics")
def public_dropins() -> Response:
    lang = request.args.get("lang")
    if lang is not None and lang not in current_app.config["LANGUAGES"]:
        choices = ", ".join(current_app.config["LANGUAGES"])
        return _plain_error(InputError.field("lang", f"must be one of {choices}"))
    lang = _language(lang)
    try:
        filters = feeds.parse_public_filter(
            db.session, request.args.getlist("library"), request.args.getlist("topic")
        )
    except InputError as exc:
        return _plain_error(exc)
    source = absolute_url("feeds.public_dropins", **request.args.to_dict(flat=False))
    with force_locale(lang):
        options = _options(lang)
        links = _links(source, absolute_url("activity.calendar"))
        fingerprint = fingerprints.public_fingerprint(db.session, filters, options, links)
        return _answer(
            f"public:{source}",
            fingerprint,
            lambda: feeds.public_feed(db.session, filters, options, links),
            "dropins.ics",
            private=False,
        )


# Links inside events -------------------------------------------------------------------


def _open(kind: str, ident: int) -> Any:
    endpoint, arg = EVENT_PAGES.get(kind, (EVENT_FALLBACK[kind], ""))
    if endpoint not in current_app.view_functions:
        endpoint, arg = EVENT_FALLBACK[kind], ""
    return redirect(url_for(endpoint, **({arg: ident} if arg else {})))


@bp.get("/staff/calendar/shifts/<id:shift_id>")
@role_required(*STAFF_ROLES)
def open_shift(shift_id: int) -> Any:
    return _open("shift", shift_id)


@bp.get("/staff/calendar/appointments/<id:appointment_id>")
@role_required(*STAFF_ROLES)
def open_appointment(appointment_id: int) -> Any:
    return _open("appointment", appointment_id)


@bp.get("/calendar/sessions/<id:session_id>")
def open_session(session_id: int) -> Any:
    return _open("session", session_id)


# The owner's settings ------------------------------------------------------------------


class ActionForm(FlaskForm):
    """The buttons of the settings page: the action is the button pressed."""

    action = HiddenField()


class PatronDetailsForm(ActionForm):
    show_patron_details = BooleanField(
        _l("Show patrons' names, e-mail addresses and messages in my appointment feed")
    )


def _feed_links(token: str | None) -> list[dict[str, str]]:
    if token is None:
        return []
    wanted = [
        ("all", _("Shifts and appointments"), True),
        ("shifts", _("Desk shifts"), current_user.holds_anywhere(Role.FIRST_LINE)),
        ("appointments", _("Appointments"), current_user.holds_anywhere(Role.LIBRARIAN)),
    ]
    links = []
    for kind, label, show in wanted:
        if show:
            https = absolute_url("feeds.person_feed", token=token, kind=kind)
            links.append({"kind": kind, "label": label, "https": https, "webcal": webcal(https)})
    return links


def _public_links() -> list[dict[str, str]]:
    libraries = db.session.scalars(select(Library).order_by(Library.position, Library.name))
    links = [{"label": _("All libraries"), "https": absolute_url("feeds.public_dropins")}]
    for lib in libraries:
        https = absolute_url("feeds.public_dropins", library=lib.slug)
        links.append({"label": localized(lib, "name", page_language()), "https": https})
    for link in links:
        link["webcal"] = webcal(link["https"])
    return links


def _settings_page(status: int = 200, error: str | None = None) -> Any:
    row = tokens.active_token(db.session, current_user)
    token = tokens.token_for(row, key=_token_key()) if row is not None else None
    privacy = PatronDetailsForm(
        formdata=None,
        action="patron_details",
        show_patron_details=row.show_patron_details if row else False,
    )
    html = render_template(
        "feeds/settings.html",
        row=row,
        token_hidden=row is not None and token is None,
        links=_feed_links(token),
        public_links=_public_links(),
        issue_form=ActionForm(formdata=None, action="issue"),
        off_form=ActionForm(formdata=None, action="turn_off"),
        privacy_form=privacy,
        error=error,
        is_librarian=current_user.holds_anywhere(Role.LIBRARIAN),
    )
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"  # the page shows secret links
    return response


@bp.route("/staff/calendar-feeds", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def settings() -> Any:
    """The owner's links; POST makes or resets them (``issue``), turns them off
    (``turn_off``) or sets the patron-details choice (``patron_details``)."""
    if request.method == "GET":
        return _settings_page()
    form = PatronDetailsForm()
    action = form.action.data
    if not form.validate_on_submit() or action not in ("issue", "turn_off", "patron_details"):
        return _settings_page(422, _("Unknown action: reload the page and try again."))
    if action == "issue":
        had = tokens.active_token(db.session, current_user) is not None
        row, _token = tokens.issue_token(db.session, current_user, key=_token_key())
        _record(audit.Action.FEED_LINK_ISSUED, {"feed_token": row.id, "replaced": had})
        if had:
            message = _("New links made. The old ones stopped working: subscribe again.")
        else:
            message = _("Your feed links are ready. Add one to your calendar app.")
        flash(message, "success")
    elif action == "turn_off":
        revoked = tokens.revoke_tokens(db.session, current_user)
        _record(audit.Action.FEED_LINK_REVOKED, {"revoked": revoked})
        flash(_("Your feeds are turned off. Calendar apps can no longer read them."), "success")
    else:
        show = form.show_patron_details.data
        if tokens.set_patron_details(db.session, current_user, show) is None:
            return _settings_page(422, _("Make your feed links first."))
        _record(audit.Action.FEED_PATRON_DETAILS, {"show": bool(show)})
        if show:
            flash(_("Your appointment feed now shows patrons' details."), "success")
        else:
            flash(_("Your appointment feed no longer shows patrons' details."), "success")
    return redirect(url_for("feeds.settings"))


def _record(action: audit.Action, details: dict) -> None:
    """Feed-link changes are audited; the feeds' own downloads are too many to record."""
    audit.record(
        db.session, action, actor=current_user, subject=f"person:{current_user.id}", details=details
    )


# The public subscribe page --------------------------------------------------------------


class PublicFeedForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    library = SelectField(_l("Library"), choices=[], default="")
    topic = SelectField(_l("Topic"), choices=[], default="")


@bp.get("/calendar/subscribe")
def public_page() -> Any:
    form = PublicFeedForm(request.args)
    libraries = db.session.scalars(select(Library).order_by(Library.position, Library.name))
    topics = db.session.scalars(select(Topic).order_by(Topic.name))
    lang = page_language()
    form.library.choices = [("", _("All libraries"))] + [
        (lib.slug, localized(lib, "name", lang)) for lib in libraries
    ]
    form.topic.choices = [("", _("All topics"))] + [
        (t.slug, localized(t, "name", lang)) for t in topics
    ]
    status = 200
    values = {}
    if request.args and not form.validate():
        status = 422
    else:
        chosen = (("library", form.library.data), ("topic", form.topic.data))
        values = {key: value for key, value in chosen if value}
    link = None
    if status == 200:
        https = absolute_url("feeds.public_dropins", **values)
        link = {"https": https, "webcal": webcal(https)}
    return render_template("feeds/public.html", form=form, link=link), status
