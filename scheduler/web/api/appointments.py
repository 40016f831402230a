"""Book a librarian over JSON: librarians, free slots, appointments by manage token.

The contract the team agreed (described at /api/v1/openapi.json); the pages use the same
use cases.
Instants go out in the library's offset (``2027-01-05T09:00:00+01:00``), ids as strings.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import jsonify, request
from sqlalchemy import select

from scheduler.booking.appointments import book as svc
from scheduler.booking.appointments import queries
from scheduler.booking.appointments.slots import SlotQuery, find_slots
from scheduler.errors import InputError
from scheduler.extensions import db
from scheduler.inputs import parse_date, parse_id, parse_instant, parse_mode
from scheduler.models import Appointment, Library, Person, Topic
from scheduler.web import current_site
from scheduler.web.api import bp
from scheduler.web.api.pending import pending_response
from scheduler.web.appointments import public_write_limit, wants_language_from_browser

DEFAULT_DAYS = 14


def _zones() -> dict[int, ZoneInfo]:
    return {
        lib_id: ZoneInfo(tz)
        for lib_id, tz in db.session.execute(select(Library.id, Library.timezone))
    }


def _known(model: type, value: int | None, field: str) -> int | None:
    if value is not None and db.session.get(model, value) is None:
        raise InputError.field(field, f"is not a known {field}")
    return value


@bp.get("/librarians")
def booking_librarians() -> Any:
    topic = _known(Topic, parse_id(request.args.get("topic"), "topic", required=False), "topic")
    library = _known(
        Library, parse_id(request.args.get("library"), "library", required=False), "library"
    )
    profiles = queries.public_librarians(db.session, topic_id=topic, library_id=library)
    return jsonify(
        [
            {
                "id": str(p.id),
                "name": p.name,
                "title": p.title,
                "topics": [str(t.id) for t in p.topics],
                "libraries": [str(i) for i in p.library_ids],
                "modes": [m.value for m in p.modes],
            }
            for p in profiles
        ]
    )


@bp.get("/slots")
def booking_slots() -> Any:
    """Free slots; ``from`` defaults to today and ``to`` to two weeks later (inclusive)."""
    args = request.args
    topic = _known(Topic, parse_id(args.get("topic"), "topic", required=False), "topic")
    librarian = parse_id(args.get("librarian"), "librarian", required=False)
    if librarian is not None and db.session.get(Person, librarian) is None:
        raise InputError.field("librarian", "is not a known librarian")
    library = _known(Library, parse_id(args.get("library"), "library", required=False), "library")
    mode = parse_mode(args.get("mode"))
    site = current_site()
    today = site.now.astimezone(ZoneInfo(site.default_tz)).date()
    first = parse_date(args.get("from"), "from") or today
    last = parse_date(args.get("to"), "to") or first + timedelta(days=DEFAULT_DAYS - 1)
    found = find_slots(
        db.session,
        SlotQuery(first, last, topic, librarian, library, mode),
        now=site.now,
        default_tz=site.default_tz,
        busy_policy=site.busy_policy,
    )
    names = dict(
        db.session.execute(
            select(Person.id, Person.name).where(Person.id.in_({s.librarian_id for s in found}))
        ).all()
    )
    zones = _zones()
    default = ZoneInfo(site.default_tz)
    return jsonify(
        [
            {
                "start": s.start.astimezone(zones.get(s.library_id, default)).isoformat(),
                "end": s.end.astimezone(zones.get(s.library_id, default)).isoformat(),
                "librarian": {"id": str(s.librarian_id), "name": names[s.librarian_id]},
                "library": str(s.library_id),
                "modes": [m.value for m in s.modes],
            }
            for s in found
        ]
    )


def _appointment_json(appointment: Appointment, token: str | None) -> dict[str, Any]:
    site = current_site()
    tz = ZoneInfo(appointment.library.timezone if appointment.library else site.default_tz)
    return {
        "id": str(appointment.id),
        "status": appointment.status.value,
        "start": appointment.starts_at.astimezone(tz).isoformat(),
        "end": appointment.ends_at.astimezone(tz).isoformat(),
        "librarian": {"id": str(appointment.librarian_id), "name": appointment.librarian.name},
        "topic": str(appointment.topic_id) if appointment.topic_id else None,
        "library": str(appointment.library_id) if appointment.library_id else None,
        "mode": appointment.mode.value,
        "meeting_url": appointment.meeting_url,
        "manage_token": token,
        "ics_url": site.appointment_ics_url(token) if token else None,
        "manage_url": site.appointment_url(token) if token else None,
        "changeable_until": svc.changeable_until(db.session, appointment)
        .astimezone(tz)
        .isoformat(),
        "hold_expires_at": appointment.hold_expires_at.astimezone(tz).isoformat("T", "seconds")
        if appointment.hold_expires_at
        else None,
    }


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InputError("The body must be a JSON object.", {"body": "must be a JSON object"})
    return body


def _text(body: dict[str, Any], field: str) -> str | None:
    value = body.get(field)
    if value is not None and not isinstance(value, str):
        raise InputError.field(field, "must be a string")
    return value


@bp.post("/appointments")
@public_write_limit
def appointment_create() -> Any:
    """201 with the booking; 202 ``{status: "pending", hold_until}`` and no token when the
    address must be confirmed first (the link goes by e-mail); 409 when the slot is taken."""
    body = _body()
    answers = body.get("answers") or {}
    if not isinstance(answers, dict) or not all(isinstance(v, str) for v in answers.values()):
        raise InputError.field("answers", "must be an object of question id to text")
    wanted = svc.BookingRequest(
        librarian_id=parse_id(body.get("librarian"), "librarian"),
        topic_id=parse_id(body.get("topic"), "topic"),
        start=parse_instant(body.get("start"), "start"),
        mode=parse_mode(_text(body, "mode")) or _missing("mode"),
        name=_text(body, "name") or "",
        email=_text(body, "email") or "",
        message=_text(body, "message"),
        answers={str(k): v for k, v in answers.items()},
        library_id=parse_id(body.get("library"), "library", required=False),
        locale=wants_language_from_browser(),
    )
    booked = svc.book(db.session, wanted, site=current_site())
    if booked.needs_verification:
        appointment = booked.appointment
        tz = appointment.library.timezone if appointment.library else current_site().default_tz
        return pending_response(appointment.hold_expires_at, tz)
    return jsonify(_appointment_json(booked.appointment, booked.manage_token)), 201


def _missing(field: str) -> Any:
    raise InputError.field(field, "is required")


@bp.get("/appointments/<token>")
def appointment_show(token: str) -> Any:
    found = svc.find_by_manage_token(db.session, token)
    return jsonify(_appointment_json(found, token))


@bp.post("/appointments/<token>/cancel")
@public_write_limit
def appointment_cancel(token: str) -> Any:
    found = svc.cancel_by_patron(db.session, token, site=current_site())
    return jsonify(_appointment_json(found, token))


@bp.post("/appointments/<token>/reschedule")
@public_write_limit
def appointment_reschedule(token: str) -> Any:
    body = _body()
    moved = svc.reschedule(
        db.session,
        token,
        parse_instant(body.get("start"), "start"),
        site=current_site(),
        mode=parse_mode(_text(body, "mode")),
        library_id=parse_id(body.get("library"), "library", required=False),
    )
    return jsonify(_appointment_json(moved, token))
