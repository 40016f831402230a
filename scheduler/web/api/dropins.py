"""Drop-ins in the public API: the listing, signing up, and cancelling by manage token.

Fields follow the agreed API contract (see /api/v1/openapi.json); additions
(``remaining``, ``status``, ``series``, ...) are new fields, which the contract allows.
Error reasons stay English here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, jsonify, request
from flask_babel import get_locale

from scheduler.booking.dropins.queries import (
    SessionListing,
    list_sessions,
    registrations_for_token,
)
from scheduler.booking.dropins.registrations import Registrant, cancel_with_token, register
from scheduler.errors import InputError, NotFound
from scheduler.extensions import db
from scheduler.inputs import parse_ids
from scheduler.models import DropInSession, Registration, RegistrationStatus
from scheduler.timeutil import utcnow
from scheduler.web.api import bp
from scheduler.web.api.pending import pending_response
from scheduler.web.dropins import listing_filters, public_write_limit, site

LANGUAGES = ("nb", "en", "sv")


def _iso(value: datetime | None, tz: str) -> str | None:
    return value.astimezone(ZoneInfo(tz)).isoformat() if value is not None else None


def dropin_json(item: SessionListing, now: datetime) -> dict[str, Any]:
    s = item.dropin
    tz = s.library.timezone
    return {
        "id": str(s.id),
        "title": s.title,
        "topic": {"id": str(s.topic.id), "name": s.topic.name} if s.topic else None,
        "library": {"id": str(s.library.id), "name": s.library.name},
        "location": s.location,
        "online": s.online,
        "start": _iso(s.starts_at, tz),
        "end": _iso(s.ends_at, tz),
        "capacity": s.capacity,
        "registered": item.counts.registered,
        "waitlisted": item.counts.waitlisted,
        "registration_required": s.registration_required,
        "registration_deadline": _iso(s.registration_deadline, tz),
        # Additions to the contract's fields.
        "remaining": item.remaining,
        "registration_open": item.registration_open(now),
        "waitlist": s.waitlist_enabled,
        "status": s.status.value,
        "series": str(s.series_id) if s.series_id else None,
        "description": s.description,
        "question": s.question,
        "lunch": s.lunch,
        "hosts": [{"id": str(h.id), "name": h.name} for h in s.hosts],
        "url": site().dropin_url(s.id),
    }


@bp.get("/dropins")
def dropins() -> Any:
    """Announced sessions, in time order; ``from`` defaults to today, ``to`` eight weeks on."""
    filters, fields = listing_filters(request.args)
    fields.check()
    items = list_sessions(db.session, default_tz=current_app.config["TIMEZONE"], **filters)
    now = utcnow()
    return jsonify([dropin_json(i, now) for i in items])


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    # (A form body has been read by the input guard, so get_data() alone would miss it.)
    if body is None and not (request.content_length or request.form or request.get_data()):
        return {}
    if not isinstance(body, dict):
        raise InputError("The body must be a JSON object.", {"body": "must be a JSON object"})
    return body


def _registrant(body: dict[str, Any]) -> tuple[Registrant, list[int]]:
    errors: dict[str, str] = {}
    for name in ("name", "email"):
        if not isinstance(body.get(name), str):
            errors[name] = "is required" if body.get(name) in (None, "") else "must be text"
    if body.get("answer") is not None and not isinstance(body["answer"], str):
        errors["answer"] = "must be text"
    if body.get("lunch") is not None and not isinstance(body["lunch"], bool):
        errors["lunch"] = "must be true or false"
    language = body.get("language")
    if language is not None and language not in LANGUAGES:
        errors["language"] = "must be one of " + ", ".join(LANGUAGES)
    try:
        ids = parse_ids(body.get("sessions"), "sessions")
    except InputError as exc:
        ids = []
        errors.update(exc.fields)
    if errors:
        raise InputError("; ".join(f"{k}: {v}" for k, v in errors.items()), errors)
    who = Registrant(
        name=body["name"],
        email=body["email"],
        answer=body.get("answer"),
        lunch=body.get("lunch"),
        locale=language or str(get_locale() or ""),
    )
    return who, ids


def registration_json(reg: Registration) -> dict[str, Any]:
    s = reg.session
    return {
        "session": str(reg.session_id),
        "title": s.title,
        "start": _iso(s.starts_at, s.library.timezone),
        "status": reg.status.value,
        "position": reg.position,
    }


@bp.post("/dropins/<id:session_id>/registrations")
@public_write_limit
def create_registration(session_id: int) -> Any:
    """Sign up for a session (and, with ``sessions``, other sessions of its series)."""
    who, more = _registrant(_body())
    if db.session.get(DropInSession, session_id) is None:
        raise NotFound("No such session.", {"session": "does not exist"})
    done = register(db.session, [session_id, *more], who, site=site(), now=utcnow())
    if done.pending:
        return pending_response(done.hold_until, done.registrations[0].session.library.timezone)
    primary = done.for_session(session_id)
    out: dict[str, Any] = {"status": primary.status.value}
    if primary.status == RegistrationStatus.WAITLISTED:
        out["position"] = primary.position
    assert done.token is not None
    out["manage_token"] = done.token
    out["manage_url"] = site().registration_url(done.token)
    out["registrations"] = [registration_json(r) for r in done.registrations]
    return jsonify(out), 201


@bp.get("/registrations/<token>")
def show_registration(token: str) -> Any:
    regs = registrations_for_token(db.session, token)
    if not regs:
        raise NotFound("This link is unknown or no longer valid.", {"token": "is unknown"})
    return jsonify({"registrations": [registration_json(r) for r in regs]})


@bp.post("/registrations/<token>/cancel")
@public_write_limit
def cancel_registration(token: str) -> Any:
    """Cancel every upcoming session the token covers, or those listed in ``sessions``."""
    body = _body()
    ids = parse_ids(body.get("sessions"), "sessions") if "sessions" in body else None
    cancelled = cancel_with_token(db.session, token, ids, site=site(), now=utcnow())
    return jsonify({"status": "cancelled", "cancelled": [str(r.session_id) for r in cancelled]})
