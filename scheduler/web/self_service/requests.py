"""/staff/shift-requests: offer, give away or trade a shift, ask for time off, take an
offered or open shift, and follow one's own requests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select

from scheduler import access
from scheduler.errors import DomainError, InputError
from scheduler.extensions import db
from scheduler.inputs import parse_date, parse_id, parse_time
from scheduler.models import (
    Library,
    Person,
    PublishedShift,
    PublishedShiftStatus,
    Role,
    StaffRequest,
)
from scheduler.models.self_service import OPEN_STATUSES
from scheduler.reasons import _
from scheduler.rostering import approvals, open_shifts, swaps, time_off
from scheduler.rostering.problem import pool
from scheduler.timeutil import local_to_utc, utcnow
from scheduler.web import nav
from scheduler.web.auth import role_required
from scheduler.web.self_service import context, reasons

bp = Blueprint("self_service", __name__, url_prefix="/staff/shift-requests")

nav.add(
    "self_service.index", _l("Swaps and time off"), roles=(Role.FIRST_LINE,), area="staff", order=6
)

KIND_LABELS = {"leave": _l("Leave"), "course": _l("Course"), "other": _l("Other")}


def _me() -> Person:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _libraries(me: Person) -> list[Library]:
    ids = access.library_ids(me, Role.FIRST_LINE)
    query = select(Library).order_by(Library.position, Library.name)
    if ids is not None:
        query = query.where(Library.id.in_(ids or {-1}))
    return list(db.session.scalars(query))


def _page(errors: list[str] | None = None, form: str | None = None, status: int = 200) -> Any:
    me = _me()
    now = utcnow()
    mine = list(
        db.session.scalars(
            select(PublishedShift)
            .where(
                PublishedShift.person_id == me.id,
                PublishedShift.status == PublishedShiftStatus.CONFIRMED,
                PublishedShift.starts_at > now,
            )
            .order_by(PublishedShift.starts_at)
        )
    )
    periods = {r.period_id for r in mine if r.period_id is not None}
    theirs = (
        list(
            db.session.scalars(
                select(PublishedShift)
                .where(
                    PublishedShift.period_id.in_(periods),
                    PublishedShift.person_id != me.id,
                    PublishedShift.status == PublishedShiftStatus.CONFIRMED,
                    PublishedShift.starts_at > now,
                )
                .order_by(PublishedShift.starts_at)
            )
        )
        if periods
        else []
    )
    libraries = _libraries(me)
    # Whom I may offer a shift to: the pools I am in (an administrator's "every library"
    # would load each library's pool for a list that can hold no shift of theirs).
    colleagues = sorted(
        {
            p.id: p
            for library_id in sorted(access.rostered_libraries(me))
            for p in pool(db.session, library_id)
            if p.id != me.id
        }.values(),
        key=lambda p: p.name,
    )
    open_offered = set(
        db.session.scalars(
            select(StaffRequest.published_shift_id).where(
                StaffRequest.requester_id == me.id, StaffRequest.status.in_(OPEN_STATUSES)
            )
        )
    )
    my_requests = list(
        db.session.scalars(
            select(StaffRequest)
            .where(or_(StaffRequest.requester_id == me.id, StaffRequest.taker_id == me.id))
            .order_by(StaffRequest.created_at.desc(), StaffRequest.id.desc())
            .limit(30)
        )
    )
    html = render_template(
        "self_service/requests.html",
        mine=mine,
        theirs=theirs,
        colleagues=colleagues,
        libraries=libraries,
        offers=swaps.offers_for(db.session, me),
        claimable=open_shifts.open_for(db.session, me),
        my_requests=my_requests,
        open_offered=open_offered,
        kind_labels=KIND_LABELS,
        chosen=parse_id(request.args.get("shift"), "shift", required=False)
        if request.args.get("shift", "").isdigit()
        else None,
        errors=errors or [],
        form_name=form,
        values=request.form if request.method == "POST" else {},
    )
    return html, status


@bp.get("")
@role_required(Role.FIRST_LINE)
def index() -> Any:
    return _page()


def _act(form: str, action: Callable[[], Any], done: str) -> Any:
    """Run a use case; a refusal re-renders the page with its reasons (nothing changed)."""
    try:
        action()
    except DomainError as exc:
        return _page(reasons(exc), form, exc.status)
    flash(done, "success")
    return redirect(url_for(".index"), 303)


@bp.post("/offer")
@role_required(Role.FIRST_LINE)
def offer() -> Any:
    def run() -> Any:
        shift = parse_id(request.form.get("shift"), "shift")
        mode = request.form.get("mode", "anyone")
        if mode not in ("anyone", "person", "trade"):
            raise InputError.field("mode", _("choose anyone, a colleague or a trade"))
        to_person = (
            parse_id(request.form.get("to_person"), "to_person") if mode == "person" else None
        )
        trade = (
            parse_id(request.form.get("trade_shift"), "trade_shift") if mode == "trade" else None
        )
        return swaps.offer(
            db.session, _me(), shift, to_person_id=to_person, trade_shift_id=trade,
            note=request.form.get("note"), ctx=context(),
        )  # fmt: skip

    return _act("offer", run, gettext("Your shift is offered."))


def time_off_span(form: Any, tz: str) -> tuple[datetime, datetime]:
    """Whole days from ``first_day`` to ``last_day``, or hours when times are given."""
    first = parse_date(form.get("first_day"), "first_day", required=True)
    last = parse_date(form.get("last_day"), "last_day") or first
    assert first is not None
    start_time = parse_time(form.get("start_time"), "start_time")
    end_time = parse_time(form.get("end_time"), "end_time")
    if last < first:
        raise InputError.field("last_day", _("must not be before the first day"))
    start = local_to_utc(first, start_time or time(0), tz)
    end = (
        local_to_utc(last, end_time, tz)
        if end_time is not None
        else local_to_utc(last + timedelta(days=1), time(0), tz)
    )
    return start, end


@bp.post("/time-off")
@role_required(Role.FIRST_LINE)
def ask_time_off() -> Any:
    def run() -> Any:
        library_id = parse_id(request.form.get("library"), "library")
        library = db.session.get(Library, library_id)
        if library is None:
            raise InputError.field("library", _("is not a library you work at"))
        start, end = time_off_span(request.form, library.timezone)
        return time_off.request_time_off(
            db.session, _me(), library, kind=request.form.get("kind", ""),
            starts_at=start, ends_at=end, note=request.form.get("note"),
        )  # fmt: skip

    return _act("time_off", run, gettext("Your request is sent to your section leader."))


@bp.post("/<id:request_id>/accept")
@role_required(Role.FIRST_LINE)
def accept(request_id: int) -> Any:
    return _act(
        "accept",
        lambda: swaps.accept(db.session, _me(), request_id, ctx=context()),
        gettext("You accepted the shift."),
    )


@bp.post("/<id:request_id>/withdraw")
@role_required(Role.FIRST_LINE)
def withdraw(request_id: int) -> Any:
    return _act(
        "withdraw",
        lambda: approvals.withdraw(db.session, _me(), request_id),
        gettext("Your request is withdrawn."),
    )


@bp.post("/open-shifts/<id:open_shift_id>/claim")
@role_required(Role.FIRST_LINE)
def claim(open_shift_id: int) -> Any:
    return _act(
        "claim",
        lambda: open_shifts.claim(db.session, _me(), open_shift_id, ctx=context()),
        gettext("The shift is yours."),
    )
