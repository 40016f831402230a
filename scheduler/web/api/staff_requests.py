"""Staff requests in the API: time off, swaps and claims, and the leader's decisions.

Signed in with the session cookie or a personal API token (``Authorization: Bearer``).
The use cases are the pages' (:mod:`scheduler.rostering`); refusals are ``{"error",
"fields"}`` with 403, 404, 409 or 422, and change nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import jsonify, request
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from scheduler.errors import InputError
from scheduler.extensions import db
from scheduler.inputs import parse_id, parse_instant
from scheduler.models import Library, Person, StaffRequest
from scheduler.reasons import _
from scheduler.rostering import approvals, open_shifts, swaps, time_off
from scheduler.web.api import bp
from scheduler.web.self_service import context

TYPES = ("time_off", "swap", "claim")


def _me() -> Person:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _iso(value: datetime | None, tz: str) -> str | None:
    return value.astimezone(ZoneInfo(tz)).isoformat() if value is not None else None


def _person(p: Person | None) -> dict[str, str] | None:
    return {"id": str(p.id), "name": p.name} if p is not None else None


def _sid(value: int | None) -> str | None:
    return str(value) if value is not None else None


def request_json(r: StaffRequest) -> dict[str, Any]:
    tz = r.library.timezone
    return {
        "id": str(r.id),
        "type": str(r.kind),
        "status": str(r.status),
        "library": str(r.library_id),
        "requester": _person(r.requester),
        "start": _iso(r.starts_at, tz),
        "end": _iso(r.ends_at, tz),
        "kind": str(r.absence_kind) if r.absence_kind else None,
        "shift": _sid(r.published_shift_id),
        "to_person": _person(r.target),
        "trade_shift": _sid(r.trade_published_shift_id),
        "taker": _person(r.taker),
        "open_shift": _sid(r.open_shift_id),
        "objective_delta": r.objective_delta,
        "note": r.note,
        "decision_reason": r.decision_reason,
        "decided_at": _iso(r.decided_at, tz),
        "auto_approved": r.auto_approved,
    }


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None and not request.data:
        return {}
    if not isinstance(body, dict):
        raise InputError.field("body", _("must be a JSON object"))
    return body


@bp.get("/staff/requests")
@login_required
def list_requests() -> Any:
    """``scope=mine`` (default): made, taken or offered to me; ``scope=inbox``: waiting
    for me as section leader."""
    me = _me()
    scope = request.args.get("scope", "mine")
    if scope == "inbox":
        rows = approvals.inbox(db.session, me)
    elif scope == "mine":
        rows = list(
            db.session.scalars(
                select(StaffRequest)
                .where(
                    or_(
                        StaffRequest.requester_id == me.id,
                        StaffRequest.taker_id == me.id,
                        StaffRequest.target_id == me.id,
                    )
                )
                .order_by(StaffRequest.created_at.desc(), StaffRequest.id.desc())
                .limit(200)
            )
        )
        seen = {r.id for r in rows}
        rows += [r for r in swaps.offers_for(db.session, me) if r.id not in seen]
    else:
        raise InputError.field("scope", _("must be mine or inbox"))
    return jsonify([request_json(r) for r in rows])


@bp.post("/staff/requests")
@login_required
def create_request() -> Any:
    body = _body()
    kind = body.get("type")
    me = _me()
    ctx = context()
    if kind == "time_off":
        library = db.session.get(Library, parse_id(body.get("library"), "library"))
        if library is None:
            raise InputError.field("library", _("is not a library you work at"))
        req = time_off.request_time_off(
            db.session, me, library, kind=str(body.get("kind") or ""),
            starts_at=parse_instant(body.get("start"), "start"),
            ends_at=parse_instant(body.get("end"), "end"), note=body.get("note"),
        )  # fmt: skip
    elif kind == "swap":
        req = swaps.offer(
            db.session, me, parse_id(body.get("shift"), "shift"),
            to_person_id=parse_id(body.get("to_person"), "to_person", required=False),
            trade_shift_id=parse_id(body.get("trade_shift"), "trade_shift", required=False),
            note=body.get("note"), ctx=ctx,
        )  # fmt: skip
    elif kind == "claim":
        req = open_shifts.claim(
            db.session, me, parse_id(body.get("open_shift"), "open_shift"), ctx=ctx
        )
    else:
        raise InputError.field("type", _("must be time_off, swap or claim"))
    return jsonify(request_json(req)), 201


@bp.post("/staff/requests/<id:request_id>/accept")
@login_required
def accept_request(request_id: int) -> Any:
    return jsonify(request_json(swaps.accept(db.session, _me(), request_id, ctx=context())))


@bp.post("/staff/requests/<id:request_id>/approve")
@login_required
def approve_request(request_id: int) -> Any:
    repair = _body().get("repair") is True
    req = approvals.approve(db.session, _me(), request_id, ctx=context(), repair=repair)
    return jsonify(request_json(req))


@bp.post("/staff/requests/<id:request_id>/decline")
@login_required
def decline_request(request_id: int) -> Any:
    reason = _body().get("reason")
    req = approvals.decline(
        db.session, _me(), request_id, reason=reason if isinstance(reason, str) else None,
        ctx=context(),
    )  # fmt: skip
    return jsonify(request_json(req))


@bp.post("/staff/requests/<id:request_id>/withdraw")
@login_required
def withdraw_request(request_id: int) -> Any:
    return jsonify(request_json(approvals.withdraw(db.session, _me(), request_id)))


@bp.get("/staff/open-shifts")
@login_required
def list_open_shifts() -> Any:
    """Open shifts in the pools I am in, and whether I may claim each (and why not)."""
    out = []
    for c in open_shifts.open_for(db.session, _me()):
        s, tz = c.post.shift, c.post.library.timezone
        out.append(
            {
                "id": str(c.post.id),
                "library": str(c.post.library_id),
                "start": _iso(s.starts_at, tz),
                "end": _iso(s.ends_at, tz),
                "service_point": s.service_point.name,
                "places": c.post.places,
                "filled": c.post.filled,
                "claimable": c.legal,
                "reasons": c.reasons,
                "objective_delta": c.delta,
            }
        )
    return jsonify(out)
