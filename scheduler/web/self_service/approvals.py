"""/staff/approvals: the section leader's inbox of staff requests, open shifts to post,
and the library's auto-approval setting for swaps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from scheduler import access
from scheduler.errors import DomainError
from scheduler.extensions import db
from scheduler.inputs import parse_id, parse_whole
from scheduler.models import (
    Library,
    OpenShift,
    OpenShiftStatus,
    PeriodStatus,
    Person,
    RequestKind,
    Role,
    RosterPeriod,
    SelfServiceSettings,
    Shift,
)
from scheduler.rostering import approvals, open_shifts, time_off
from scheduler.rostering.roster_check import published_pairs
from scheduler.timeutil import utcnow
from scheduler.web import nav
from scheduler.web.auth import role_required
from scheduler.web.self_service import context, reasons

bp = Blueprint("approvals", __name__, url_prefix="/staff/approvals")

nav.add(
    "approvals.inbox",
    _l("Approvals"),
    roles=(Role.SECTION_LEADER,),
    area="staff",
    order=7,
    count=lambda person: approvals.pending_count(db.session, person),
)


def _me() -> Person:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _short_shifts(me: Person) -> list[tuple[Shift, int]]:
    """Future shifts on published rosters with fewer people than they need, not posted."""
    ids = access.library_ids(me, Role.SECTION_LEADER)
    query = select(RosterPeriod).where(RosterPeriod.status == PeriodStatus.PUBLISHED)
    if ids is not None:
        query = query.where(RosterPeriod.library_id.in_(ids or {-1}))
    posted = set(
        db.session.scalars(
            select(OpenShift.shift_id).where(OpenShift.status == OpenShiftStatus.OPEN)
        )
    )
    now = utcnow()
    out = []
    for period in db.session.scalars(query):
        future = [s for s in period.shifts if s.starts_at > now and s.id not in posted]
        if not future:
            continue
        pairs = published_pairs(db.session, period)  # counting needs no checker
        for s in future:
            held = sum(1 for sid, _p in pairs if sid == s.id)
            if held < s.min_staff:
                out.append((s, s.min_staff - held))
    return sorted(out, key=lambda x: x[0].starts_at)


def _libraries(me: Person) -> list[Library]:
    ids = access.library_ids(me, Role.SECTION_LEADER)
    query = select(Library).order_by(Library.position, Library.name)
    if ids is not None:
        query = query.where(Library.id.in_(ids or {-1}))
    return list(db.session.scalars(query))


def _page(errors: list[str] | None = None, status: int = 200) -> Any:
    me = _me()
    pending = approvals.inbox(db.session, me)
    consequences = {
        r.id: time_off.consequences(db.session, me, r)
        for r in pending
        if r.kind == RequestKind.TIME_OFF
    }
    libraries = _libraries(me)
    settings = {lib.id: db.session.get(SelfServiceSettings, lib.id) for lib in libraries}
    posted = list(
        db.session.scalars(
            select(OpenShift)
            .join(Shift, Shift.id == OpenShift.shift_id)
            .where(
                OpenShift.status == OpenShiftStatus.OPEN,
                OpenShift.library_id.in_([lib.id for lib in libraries] or [-1]),
            )
            .order_by(Shift.starts_at)
        )
    )
    html = render_template(
        "self_service/approvals.html",
        pending=pending,
        consequences=consequences,
        short=_short_shifts(me),
        posted=posted,
        libraries=libraries,
        settings=settings,
        errors=errors or [],
    )
    return html, status


@bp.get("")
@role_required(Role.SECTION_LEADER)
def inbox() -> Any:
    return _page()


def _act(action: Callable[[], Any], done: str) -> Any:
    try:
        action()
    except DomainError as exc:
        return _page(reasons(exc), exc.status)
    flash(done, "success")
    return redirect(url_for(".inbox"), 303)


@bp.post("/<id:request_id>/approve")
@role_required(Role.SECTION_LEADER)
def approve(request_id: int) -> Any:
    repair = request.form.get("repair") == "1"
    return _act(
        lambda: approvals.approve(db.session, _me(), request_id, ctx=context(), repair=repair),
        gettext("Approved: the published roster is updated and everyone affected is told."),
    )


@bp.post("/<id:request_id>/decline")
@role_required(Role.SECTION_LEADER)
def decline(request_id: int) -> Any:
    return _act(
        lambda: approvals.decline(
            db.session, _me(), request_id, reason=request.form.get("reason"), ctx=context()
        ),
        gettext("Declined; the requester is told why."),
    )


@bp.post("/open-shifts")
@role_required(Role.SECTION_LEADER)
def post_open_shift() -> Any:
    return _act(
        lambda: open_shifts.post(
            db.session,
            _me(),
            parse_id(request.form.get("shift"), "shift"),
            note=request.form.get("note"),
        ),
        gettext("The shift is posted; qualified staff can claim it."),
    )


@bp.post("/open-shifts/<id:open_shift_id>/withdraw")
@role_required(Role.SECTION_LEADER)
def withdraw_open_shift(open_shift_id: int) -> Any:
    return _act(
        lambda: open_shifts.withdraw_post(db.session, _me(), open_shift_id),
        gettext("The open shift is withdrawn."),
    )


@bp.post("/settings/<id:library_id>")
@role_required(Role.SECTION_LEADER)
def save_settings(library_id: int) -> Any:
    def run() -> None:
        library = db.get_or_404(Library, library_id)
        access.require(_me(), Role.SECTION_LEADER, library.id)
        auto = request.form.get("auto_approve_swaps") == "1"
        limit = parse_whole(
            request.form.get("auto_approve_max_worsening"), "auto_approve_max_worsening",
            low=0, high=100_000, required=True,
        )  # fmt: skip
        assert limit is not None
        row = db.session.get(SelfServiceSettings, library.id)
        if row is None:
            row = SelfServiceSettings(library_id=library.id)
            db.session.add(row)
        row.auto_approve_swaps = auto
        row.auto_approve_max_worsening = limit
        db.session.flush()

    return _act(run, gettext("Saved."))
