"""The OpenAPI 3.1 document of the public API, served at ``/api/v1/openapi.json``.

Paths and methods come from the app's own routes; each operation's words and schemas
are declared here, next to one another. A test fails when a route under /api/v1 has no
operation here (or an operation has no route), so the document cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, jsonify

from scheduler.web.api import bp

ID = {"type": "string", "description": "an id (digits, as a string)"}
INSTANT = {"type": "string", "format": "date-time", "example": "2027-01-05T10:00:00+01:00"}
DATE = {"type": "string", "format": "date", "example": "2027-01-05"}
MODES = {"type": "string", "enum": ["in_person", "online", "phone"]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _named(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["id", "name"],
        "properties": {"id": ID, "name": {"type": "string"}, **(extra or {})},
    }


SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "fields"],
        "properties": {
            "error": {"type": "string", "description": "one sentence for people"},
            "fields": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "field name -> why it was refused",
            },
        },
    },
    "Library": _named({"timezone": {"type": "string", "example": "Europe/Oslo"}}),
    "Topic": _named(),
    "Librarian": _named(
        {
            "title": {"type": ["string", "null"]},
            "topics": {"type": "array", "items": ID},
            "libraries": {"type": "array", "items": ID},
            "modes": {"type": "array", "items": MODES},
        }
    ),
    "Slot": {
        "type": "object",
        "required": ["start", "end", "librarian", "library", "modes"],
        "properties": {
            "start": INSTANT,
            "end": INSTANT,
            "librarian": _named(),
            "library": ID,
            "modes": {"type": "array", "items": MODES},
        },
    },
    "NewAppointment": {
        "type": "object",
        "required": ["librarian", "start", "topic", "mode", "name", "email"],
        "properties": {
            "librarian": ID,
            "start": INSTANT,
            "topic": ID,
            "mode": MODES,
            "name": {"type": "string", "maxLength": 200},
            "email": {"type": "string", "format": "email"},
            "message": {"type": "string", "maxLength": 2000},
            "library": ID,
            "answers": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "custom questions of the topic's booking page: id -> answer",
            },
        },
    },
    "Appointment": {
        "type": "object",
        "required": ["id", "status", "start", "end", "librarian", "manage_token", "ics_url"],
        "properties": {
            "id": ID,
            "status": {"type": "string", "enum": ["pending", "booked", "cancelled"]},
            "start": INSTANT,
            "end": INSTANT,
            "librarian": _named(),
            "topic": {"type": ["string", "null"]},
            "library": {"type": ["string", "null"]},
            "mode": MODES,
            "meeting_url": {
                "type": ["string", "null"],
                "format": "uri",
                "description": "the video meeting address of an online appointment",
            },
            "manage_token": {
                "type": ["string", "null"],
                "description": "null while the e-mail address awaits verification",
            },
            "ics_url": {"type": ["string", "null"], "format": "uri"},
            "manage_url": {"type": ["string", "null"], "format": "uri"},
            "changeable_until": INSTANT,
            "hold_expires_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
    "Pending": {
        "type": "object",
        "required": ["status", "hold_until"],
        "properties": {
            "status": {"const": "pending"},
            "hold_until": {
                "type": "string",
                "format": "date-time",
                "description": "the time or place is held until then for the link to be used",
            },
        },
        "description": (
            "The request waits for its e-mail address to be confirmed: a link went to the "
            "address (the topic's booking page or the drop-in series asks for it, or the "
            "address made more bookings and registrations today than the daily number). "
            "No manage token is given here; it comes with the confirmation e-mail."
        ),
    },
    "Dropin": {
        "type": "object",
        "required": ["id", "title", "library", "start", "end", "registration_required"],
        "properties": {
            "id": ID,
            "title": {"type": "string"},
            "topic": {"oneOf": [_named(), {"type": "null"}]},
            "library": _named(),
            "location": {"type": ["string", "null"]},
            "online": {"type": "boolean"},
            "start": INSTANT,
            "end": INSTANT,
            "capacity": {"type": ["integer", "null"]},
            "registered": {"type": "integer"},
            "waitlisted": {"type": "integer"},
            "registration_required": {"type": "boolean"},
            "registration_deadline": {"type": ["string", "null"], "format": "date-time"},
            "remaining": {"type": ["integer", "null"]},
            "registration_open": {"type": "boolean"},
            "waitlist": {"type": "boolean"},
            "status": {"type": "string", "enum": ["announced", "cancelled"]},
            "url": {"type": "string", "format": "uri"},
        },
    },
    "NewRegistration": {
        "type": "object",
        "required": ["name", "email"],
        "properties": {
            "name": {"type": "string"},
            "email": {"type": "string", "format": "email"},
            "answer": {"type": "string"},
            "lunch": {"type": "boolean"},
            "language": {"type": "string", "enum": ["nb", "en", "sv"]},
            "sessions": {
                "type": "array",
                "items": ID,
                "description": "more sessions of the same series to sign up for at once",
            },
        },
    },
    "RegistrationResult": {
        "type": "object",
        "required": ["status", "manage_token"],
        "properties": {
            "status": {"type": "string", "enum": ["registered", "waitlisted"]},
            "position": {"type": "integer", "description": "waitlist position, from 1"},
            "manage_token": {"type": "string"},
            "manage_url": {"type": "string", "format": "uri"},
            "registrations": {"type": "array", "items": _ref("Registration")},
        },
    },
    "Registration": {
        "type": "object",
        "properties": {
            "session": ID,
            "title": {"type": "string"},
            "start": INSTANT,
            "status": {"type": "string", "enum": ["registered", "waitlisted", "cancelled"]},
            "position": {"type": ["integer", "null"]},
        },
    },
    "NewInquiry": {
        "type": "object",
        "required": ["client_uuid", "library", "channel", "duration"],
        "properties": {
            "client_uuid": {
                "type": "string",
                "format": "uuid",
                "description": "made by the client once per entry; a resend is stored once",
            },
            "library": ID,
            "service_point": ID,
            "channel": {"type": "string", "enum": ["desk", "phone", "email", "chat"]},
            "category": ID,
            "duration": {"type": "string", "enum": ["under_5", "5_15", "15_30", "over_30"]},
            "read_scale": {"type": "integer", "minimum": 1, "maximum": 6},
            "referred_to": {**ID, "description": "an actor of the library's directory"},
            "appointment": {**ID, "description": "the guidance session booked from the desk"},
            "handed_over": {"type": "boolean"},
            "description": {"type": "string", "maxLength": 2000},
            "reflection": {"type": "string", "maxLength": 2000},
            "asked_at": {**INSTANT, "description": "when it was asked; default now"},
        },
    },
    "LoggedInquiry": {
        "type": "object",
        "required": ["id", "client_uuid", "created"],
        "properties": {
            "id": ID,
            "client_uuid": {"type": "string", "format": "uuid"},
            "created": {"type": "boolean", "description": "false: stored before (a resend)"},
            "asked_at": INSTANT,
        },
    },
}


PERSON = {
    "type": ["object", "null"],
    "properties": {"id": ID, "name": {"type": "string"}},
}
NULLABLE_ID = {"type": ["string", "null"], "description": "an id, or null"}

SCHEMAS["StaffRequest"] = {
    "type": "object",
    "required": ["id", "type", "status", "library", "requester", "start", "end"],
    "properties": {
        "id": ID,
        "type": {"type": "string", "enum": ["time_off", "swap", "claim"]},
        "status": {
            "type": "string",
            "enum": ["offered", "pending", "approved", "declined", "withdrawn"],
            "description": "offered: a swap waiting for a colleague; pending: waiting for "
            "the section leader",
        },
        "library": ID,
        "requester": PERSON,
        "start": INSTANT,
        "end": INSTANT,
        "kind": {"type": ["string", "null"], "enum": ["leave", "course", "other", None]},
        "shift": {**NULLABLE_ID, "description": "the published shift offered (swap)"},
        "to_person": PERSON,
        "trade_shift": {**NULLABLE_ID, "description": "the colleague's shift in return"},
        "taker": PERSON,
        "open_shift": NULLABLE_ID,
        "objective_delta": {
            "type": ["integer", "null"],
            "description": "roster objective after minus before (negative is better)",
        },
        "note": {"type": ["string", "null"]},
        "decision_reason": {"type": ["string", "null"]},
        "decided_at": {"type": ["string", "null"], "format": "date-time"},
        "auto_approved": {"type": "boolean"},
    },
}
SCHEMAS["NewStaffRequest"] = {
    "type": "object",
    "required": ["type"],
    "description": "time_off: library, kind, start, end; swap: shift and optionally "
    "to_person or trade_shift (neither: anyone who may legally take it); claim: open_shift",
    "properties": {
        "type": {"type": "string", "enum": ["time_off", "swap", "claim"]},
        "library": ID,
        "kind": {"type": "string", "enum": ["leave", "course", "other"]},
        "start": INSTANT,
        "end": INSTANT,
        "shift": ID,
        "to_person": ID,
        "trade_shift": ID,
        "open_shift": ID,
        "note": {"type": "string", "maxLength": 1000},
    },
}
SCHEMAS["OpenShift"] = {
    "type": "object",
    "required": ["id", "library", "start", "end", "places", "filled", "claimable"],
    "properties": {
        "id": ID,
        "library": ID,
        "start": INSTANT,
        "end": INSTANT,
        "service_point": {"type": "string"},
        "places": {"type": "integer"},
        "filled": {"type": "integer"},
        "claimable": {"type": "boolean"},
        "reasons": {"type": "array", "items": {"type": "string"}},
        "objective_delta": {"type": "integer"},
    },
}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _path(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": description,
    }


TOKEN = {
    **_path("token", "the secret manage token from the confirmation e-mail"),
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,128}$"},
}
BAD = _error("bad input: the fields say which and why")
# Every operation with a body: not JSON or nested too deep (400), larger than 1 MB (413).
BAD_BODY = _error("the body is not a JSON object, or it is nested too deeply")
TOO_LARGE = _error("the body is larger than the server accepts (1 MB by default)")
UNKNOWN_TOKEN = _error("unknown or expired token")
LIMITED = _error("rate limited: try again later")
SIGN_IN = _error("not signed in: send a personal API token as Authorization: Bearer")
FORBIDDEN = _error("you do not have that role in this library, or it is not yours")

# (method, path as Flask writes it) -> operation
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("get", "/api/v1/libraries"): {
        "summary": "All libraries (branches) with their time zone",
        "tags": ["reference"],
        "responses": {"200": _json({"type": "array", "items": _ref("Library")})},
    },
    ("get", "/api/v1/topics"): {
        "summary": "Subjects and guidance topics",
        "tags": ["reference"],
        "responses": {"200": _json({"type": "array", "items": _ref("Topic")})},
    },
    ("get", "/api/v1/librarians"): {
        "summary": "Bookable librarians' public profiles",
        "tags": ["book a librarian"],
        "parameters": [
            _query("topic", ID, "only those who cover this topic"),
            _query("library", ID, "only those who can be booked at this library"),
        ],
        "responses": {"200": _json({"type": "array", "items": _ref("Librarian")}), "422": BAD},
    },
    ("get", "/api/v1/slots"): {
        "summary": "Free appointment slots, sorted by start",
        "tags": ["book a librarian"],
        "parameters": [
            _query("topic", ID, "librarians covering this topic"),
            _query("librarian", ID, "one librarian"),
            _query("library", ID, "one library"),
            _query("mode", MODES, "a way of meeting"),
            _query("from", DATE, "first day (library time); default today"),
            _query("to", DATE, "last day, at most 62 days after from; default 13 days after"),
        ],
        "responses": {"200": _json({"type": "array", "items": _ref("Slot")}), "422": BAD},
    },
    ("post", "/api/v1/appointments"): {
        "summary": "Book a free slot",
        "tags": ["book a librarian"],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _ref("NewAppointment")}},
        },
        "responses": {
            "201": _json(_ref("Appointment"), "booked"),
            "202": _json(_ref("Pending"), "waits for the e-mail address to be confirmed"),
            "409": _error("the slot is no longer free"),
            "422": BAD,
            "429": LIMITED,
        },
    },
    ("get", "/api/v1/appointments/<token>"): {
        "summary": "The booking behind a manage token",
        "tags": ["book a librarian"],
        "parameters": [TOKEN],
        "responses": {"200": _json(_ref("Appointment")), "404": UNKNOWN_TOKEN},
    },
    ("post", "/api/v1/appointments/<token>/cancel"): {
        "summary": "Cancel a booking (until the minimum notice)",
        "tags": ["book a librarian"],
        "parameters": [TOKEN],
        "responses": {
            "200": _json(_ref("Appointment"), "cancelled"),
            "404": UNKNOWN_TOKEN,
            "409": _error("too late to cancel, or already cancelled"),
            "429": LIMITED,
        },
    },
    ("post", "/api/v1/appointments/<token>/reschedule"): {
        "summary": "Move a booking to another free slot of the same librarian",
        "tags": ["book a librarian"],
        "parameters": [TOKEN],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["start"],
                        "properties": {"start": INSTANT, "mode": MODES, "library": ID},
                    }
                }
            },
        },
        "responses": {
            "200": _json(_ref("Appointment"), "moved"),
            "404": UNKNOWN_TOKEN,
            "409": _error("the new slot is taken"),
            "422": BAD,
            "429": LIMITED,
        },
    },
    ("get", "/api/v1/dropins"): {
        "summary": "Announced drop-in sessions and events",
        "tags": ["drop-ins"],
        "parameters": [
            _query("topic", ID, "one topic"),
            _query("library", ID, "one library"),
            _query("from", DATE, "first day; default today"),
            _query("to", DATE, "last day; default eight weeks on"),
        ],
        "responses": {"200": _json({"type": "array", "items": _ref("Dropin")}), "422": BAD},
    },
    ("post", "/api/v1/dropins/<session_id>/registrations"): {
        "summary": "Register for a session (a place, or the waitlist when full)",
        "tags": ["drop-ins"],
        "parameters": [_path("session_id", "the session's id")],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _ref("NewRegistration")}},
        },
        "responses": {
            "201": _json(_ref("RegistrationResult"), "registered or waitlisted"),
            "202": _json(_ref("Pending"), "waits for the e-mail address to be confirmed"),
            "404": _error("no such session"),
            "409": _error("deadline passed, already registered, or full without waitlist"),
            "422": BAD,
            "429": LIMITED,
        },
    },
    ("get", "/api/v1/registrations/<token>"): {
        "summary": "The registrations behind a manage token",
        "tags": ["drop-ins"],
        "parameters": [TOKEN],
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "properties": {
                        "registrations": {"type": "array", "items": _ref("Registration")}
                    },
                }
            ),
            "404": UNKNOWN_TOKEN,
        },
    },
    ("post", "/api/v1/registrations/<token>/cancel"): {
        "summary": "Cancel registrations; the first on the waitlist moves up",
        "tags": ["drop-ins"],
        "parameters": [TOKEN],
        "requestBody": {
            "required": False,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"sessions": {"type": "array", "items": ID}},
                    }
                }
            },
        },
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "properties": {
                        "status": {"const": "cancelled"},
                        "cancelled": {"type": "array", "items": ID},
                    },
                }
            ),
            "404": UNKNOWN_TOKEN,
            "422": BAD,
            "429": LIMITED,
        },
    },
    ("post", "/api/v1/desk/inquiries"): {
        "summary": "Log an inquiry answered by first-line staff (staff; idempotent)",
        "tags": ["desk"],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _ref("NewInquiry")}},
        },
        "responses": {
            "201": _json(_ref("LoggedInquiry"), "stored"),
            "200": _json(_ref("LoggedInquiry"), "stored before under the same client_uuid"),
            "400": _error("a cookie session without its X-CSRFToken header"),
            "401": _error("not signed in"),
            "403": _error("no desk role in this library"),
            "404": _error("no such library"),
            "422": BAD,
        },
    },
    ("get", "/api/v1/openapi.json"): {
        "summary": "This document",
        "tags": ["reference"],
        "responses": {"200": {"description": "the OpenAPI document"}},
    },
    ("get", "/api/v1/staff/requests"): {
        "summary": "My time-off, swap and claim requests, or the leader's inbox",
        "tags": ["staff self-service"],
        "security": [{"bearer": []}, {"cookie": []}],
        "parameters": [
            _query(
                "scope",
                {"type": "string", "enum": ["mine", "inbox"]},
                "mine (default): made, taken or offered to me; inbox: waiting for me as "
                "section leader",
            )
        ],
        "responses": {
            "200": _json({"type": "array", "items": _ref("StaffRequest")}),
            "401": SIGN_IN,
            "422": BAD,
        },
    },
    ("post", "/api/v1/staff/requests"): {
        "summary": "Ask for time off, offer a shift (swap or give-away), or claim an open shift",
        "description": "Every change is checked against the roster's hard rules; a refusal "
        "quotes the checker (rule and shift). A claim is decided at once: the first valid "
        "claim wins, later ones get 409.",
        "tags": ["staff self-service"],
        "security": [{"bearer": []}, {"cookie": []}],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _ref("NewStaffRequest")}},
        },
        "responses": {
            "201": _json(_ref("StaffRequest"), "created (a claim: approved)"),
            "401": SIGN_IN,
            "403": FORBIDDEN,
            "404": _error("no such shift or open shift"),
            "409": _error("an open request exists, the shift is taken, or it changed"),
            "422": BAD,
        },
    },
    **{
        ("post", f"/api/v1/staff/requests/<request_id>/{action}"): {
            "summary": summary,
            "tags": ["staff self-service"],
            "security": [{"bearer": []}, {"cookie": []}],
            "parameters": [_path("request_id", "the request's id")],
            "requestBody": {
                "required": False,
                "content": {"application/json": {"schema": body}},
            },
            "responses": {
                "200": _json(_ref("StaffRequest")),
                "401": SIGN_IN,
                "403": FORBIDDEN,
                "404": _error("no such request"),
                "409": _error("already decided, or the shift changed since the request"),
                "422": BAD,
            },
        }
        for action, summary, body in (
            ("accept", "Take an offered shift (then the leader decides)", {"type": "object"}),
            (
                "approve",
                "Approve (section leader): the published roster and feeds change",
                {"type": "object", "properties": {"repair": {"type": "boolean"}}},
            ),
            (
                "decline",
                "Decline with a reason (section leader)",
                {
                    "type": "object",
                    "required": ["reason"],
                    "properties": {"reason": {"type": "string", "maxLength": 1000}},
                },
            ),
            ("withdraw", "Withdraw my own open request", {"type": "object"}),
        )
    },
    ("get", "/api/v1/staff/open-shifts"): {
        "summary": "Open shifts in the roster pools I am in and whether I may claim each",
        "tags": ["staff self-service"],
        "security": [{"bearer": []}, {"cookie": []}],
        "responses": {
            "200": _json({"type": "array", "items": _ref("OpenShift")}),
            "401": SIGN_IN,
        },
    },
}


def _openapi_path(rule: str) -> str:
    """/api/v1/dropins/<id:session_id>/x -> /api/v1/dropins/{session_id}/x"""
    out, rest = [], rule
    while "<" in rest:
        before, _, tail = rest.partition("<")
        inner, _, rest = tail.partition(">")
        out.append(before + "{" + inner.split(":")[-1] + "}")
    return "".join(out) + rest


def _flask_key(rule: str) -> str:
    """Drop converters, so OPERATIONS can name paths simply: <int:x> -> <x>."""
    out, rest = [], rule
    while "<" in rest:
        before, _, tail = rest.partition("<")
        inner, _, rest = tail.partition(">")
        out.append(before + "<" + inner.split(":")[-1] + ">")
    return "".join(out) + rest


def api_routes(app: Flask) -> set[tuple[str, str]]:
    """(method, path) for every route of the API blueprint."""
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.add((method.lower(), _flask_key(rule.rule)))
    return found


def _with_body_errors(operation: dict[str, Any]) -> dict[str, Any]:
    if "requestBody" not in operation:
        return operation
    return {**operation, "responses": {"400": BAD_BODY, "413": TOO_LARGE, **operation["responses"]}}


def build_document(app: Flask) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for method, path in sorted(api_routes(app)):
        operation = OPERATIONS.get((method, path))
        if operation is None:
            continue  # the drift test names it
        operation = _with_body_errors(operation)
        paths.setdefault(_openapi_path(path), {})[method] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Library services API",
            "version": "1",
            "description": (
                "Book a librarian and sign up for drop-in sessions. Public endpoints need "
                "no login. Errors are {error, fields} with 400/422 for bad input, 404 for an "
                "unknown id or token, 409 for a conflict and 429 when rate limited; a failed "
                "request changes nothing."
            ),
        },
        "servers": [{"url": current_app.config["PUBLIC_URL"]}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }


@bp.get("/openapi.json")
def openapi_document() -> Any:
    return jsonify(build_document(current_app._get_current_object()))  # type: ignore[attr-defined]
