"""The web layer: blueprints, error pages, the request transaction, security headers.

Views stay thin: parse the request, call a use case (which flushes), render. The
request commits once, here, when the response is a success; anything else rolls back,
so a failed request changes nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from scheduler.database import _read_only
from scheduler.errors import DomainError
from scheduler.extensions import db
from scheduler.site import Site
from scheduler.web.input_guard import init_input_guard
from scheduler.web.operations import outage

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def csp(frame_ancestors: list[str] | None = None) -> str:
    """The pages' policy; ``frame_ancestors`` (checked https origins) may frame the page."""
    if not frame_ancestors:
        return CONTENT_SECURITY_POLICY
    allowed = " ".join(frame_ancestors)
    return CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {allowed}")


def wants_json() -> bool:
    return request.path.startswith("/api/")


class IdConverter(IntegerConverter):
    """``<id:name>`` in a route: a row id, 1 to 12 ASCII digits (what
    :func:`scheduler.inputs.parse_id` accepts), so "²" or a number too large for the
    database is a plain 404, never a database error."""

    regex = r"[0-9]{1,12}"


def current_site() -> Site:
    """The site context for use cases, from this app's settings (one per request)."""
    return Site.from_config(current_app.config)


def init_web(app: Flask) -> None:
    from scheduler.web import (
        accounts,
        admin,
        api,
        appointments,
        audit_trail,
        auth,
        desk,
        dropins,
        embed,
        feeds,
        home,
        my_bookings,
        nav,
        operations,
        people_import,
        rostering,
        self_service,
        signin,
        staff,
        translations,
    )

    app.url_map.converters["id"] = IdConverter
    init_input_guard(app)
    auth.init_login(app)
    audit_trail.init_audit_trail(app)
    operations.register(app)  # first: its /healthz answers without the database
    for blueprint in (
        home.bp,
        auth.bp,
        staff.bp,
        admin.bp,
        people_import.bp,
        api.bp,
        feeds.bp,
        my_bookings.bp,
        translations.bp,
    ):
        app.register_blueprint(blueprint)
    appointments.register(app)
    accounts.register(app)
    dropins.register(app)
    desk.register(app)
    embed.register(app)
    rostering.register(app)
    self_service.register(app)
    signin.register(app)
    nav.init_nav(app)
    _init_request_transaction(app)
    _init_error_handlers(app)
    _init_security_headers(app)


def _init_request_transaction(app: Flask) -> None:
    from scheduler.web import audit_trail

    @app.before_request
    def _begin() -> None:
        # Set for every request, so an outer context (a test, a job) cannot leak in.
        g._read_only_token = _read_only.set(request.method in SAFE_METHODS)

    @app.after_request
    def _commit(response: Response) -> Response:
        if response.status_code >= 400:
            db.session.rollback()
            if response.status_code == 403:
                audit_trail.record_forbidden()
            return response
        xid = None
        try:
            if request.method not in SAFE_METHODS:
                xid = outage.transaction_id(db.session)
            db.session.commit()
        except Exception as exc:
            # A lost database answers 503, not the view's 2xx, unless the commit went
            # through and only its acknowledgement was lost (web/operations/outage.py).
            if not outage.is_unavailable(exc):
                raise
            outage.forget_session()
            wait = float(app.config.get("DB_RETRY_AFTER") or 5)
            if xid is not None and outage.committed(db.engine, xid, wait) is True:
                return response
            return outage.unavailable_response()
        return response

    @app.teardown_request
    def _end(exc: BaseException | None) -> None:
        if exc is not None:
            db.session.rollback()
        token = g.pop("_read_only_token", None)
        if token is not None:
            _read_only.reset(token)


def _error_response(status: int, message: str, fields: dict[str, str] | None = None) -> Any:
    """JSON for the API (reasons in English), else the error page in the reader's language."""
    if wants_json():
        return jsonify({"error": message, "fields": fields or {}}), status
    from scheduler.web.i18n import localize

    return render_template("errors/error.html", status=status, message=localize(message)), status


def _size_limit() -> str:
    limit = int(current_app.config.get("MAX_CONTENT_LENGTH") or 0)
    return f"{limit / 1048576:g} MB" if limit >= 1048576 else f"{limit / 1024:g} kB"


def _init_error_handlers(app: Flask) -> None:
    # Reasons, not gettext: the API answers in English, pages translate (_error_response).
    from scheduler.reasons import _

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError) -> Any:
        body, status = _error_response(exc.status, exc.message, exc.fields)
        if status == 429:  # a refusal to wait for (the sign-in brake): say how long
            return body, status, {"Retry-After": str(getattr(exc, "retry_after", 60))}
        return body, status

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> Any:
        return _error_response(
            400,
            _(
                "The form has expired or did not come from this site. "
                "Reload the page and try again."
            ),
            {"csrf_token": exc.description},
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        messages = {
            400: _("The request could not be understood."),
            401: _("Please sign in."),
            403: _("You do not have access to this page."),
            404: _("This page does not exist, or the link is no longer valid."),
            405: _("That action is not allowed here."),
            413: _("The request is too large: at most %(size)s.", size=_size_limit()),
            429: _("Too many requests. Please wait a moment and try again."),
        }
        message = messages.get(exc.code or 500, exc.description or "")
        response = _error_response(exc.code or 500, message)
        if exc.code == 429:
            from scheduler.web.rate_limits import retry_after_seconds

            body, status = response
            return body, status, {"Retry-After": str(retry_after_seconds(exc))}
        return response

    @app.errorhandler(500)
    def _server_error(exc: Exception) -> Any:
        if outage.is_unavailable(getattr(exc, "original_exception", None)):
            outage.forget_session()
            return outage.unavailable_response()
        db.session.rollback()
        return _error_response(500, _("Something went wrong on our side. Please try again."))


# Blueprints whose every answer is personal or secret: sign-in steps (an enrolment
# page shows the authenticator secret), one's sessions and password pages, and a
# patron's bookings behind their secret link (with the JSON export of their data).
# Personal calendar feeds and manage links say so themselves; the public activity
# calendar may be cached.
PRIVATE_BLUEPRINTS = frozenset({"auth", "account", "accounts", "two_factor", "my_bookings"})
# Personal data in a file (CSV exports) is never kept by a cache.
PRIVATE_MIMETYPES = frozenset({"text/csv"})
HSTS = "max-age=31536000"


def _private(response: Response) -> bool:
    """Nothing for a signed-in person (staff, leader, admin, API token) and no personal
    file may be kept by a browser or proxy cache: ``Cache-Control: no-store``."""
    if request.endpoint == "static":
        return False
    user = g.get("_login_user")
    return (
        (user is not None and user.is_authenticated)
        or request.blueprint in PRIVATE_BLUEPRINTS
        or response.mimetype in PRIVATE_MIMETYPES
    )


def _init_security_headers(app: Flask) -> None:
    https = str(app.config.get("PUBLIC_URL") or "").lower().startswith("https://")

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # Only the embeddable pages name who may frame them (g.frame_ancestors); every
        # other response refuses to be framed.
        ancestors: list[str] | None = g.get("frame_ancestors")
        if not ancestors:
            response.headers.setdefault("X-Frame-Options", "DENY")
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", csp(ancestors))
        if https:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if _private(response):
            response.headers["Cache-Control"] = "no-store"
        return response
