"""/staff/hours: a person's planned and worked hours for a month, as a page and as CSV."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from scheduler import access, audit
from scheduler.errors import InputError
from scheduler.extensions import db
from scheduler.inputs import parse_id
from scheduler.models import Library, Person, Role
from scheduler.reasons import _
from scheduler.rostering.hours_statement import (
    HoursStatement,
    hours_statement,
    library_statements,
    statement_csv,
)
from scheduler.rostering.problem import pool
from scheduler.timeutil import utcnow
from scheduler.web import nav
from scheduler.web.auth import role_required

bp = Blueprint("hours", __name__, url_prefix="/staff")

nav.add("hours.statement", _l("My hours"), roles=(Role.FIRST_LINE,), area="staff", order=8)


def _month(raw: str | None) -> tuple[int, int]:
    """``YYYY-MM``; this month when absent."""
    if not raw:
        today = utcnow().date()
        return today.year, today.month
    try:
        first = date.fromisoformat(f"{raw}-01")
    except ValueError:
        raise InputError.field("month", _("is not a month like 2027-01")) from None
    if not 2000 <= first.year <= 2099:
        raise InputError.field("month", _("is not a month like 2027-01"))
    return first.year, first.month


def _statement() -> HoursStatement:
    me: Person = current_user._get_current_object()  # type: ignore[attr-defined]
    year, month = _month(request.args.get("month"))
    person_id = parse_id(request.args.get("person"), "person", required=False) or me.id
    person = db.get_or_404(Person, person_id)
    ids = {lib.id for lib in person.libraries}
    library_id = parse_id(request.args.get("library"), "library", required=False)
    if library_id is None:
        library_id = min(ids) if ids else None
    library = db.session.get(Library, library_id) if library_id is not None else None
    if library is None:
        raise InputError.field("library", _("is not a library this person works at"))
    return hours_statement(db.session, me, person, library, year, month)


@bp.get("/hours")
@role_required(Role.FIRST_LINE, Role.SECTION_LEADER)
def statement() -> Any:
    st = _statement()
    me: Person = current_user._get_current_object()  # type: ignore[attr-defined]
    people = (
        pool(db.session, st.library.id)
        if access.holds(me, Role.SECTION_LEADER, st.library.id)
        else []
    )
    libraries = list(
        db.session.scalars(
            select(Library)
            .where(Library.id.in_([lib.id for lib in st.person.libraries] or [-1]))
            .order_by(Library.position)
        )
    )
    response = Response(
        render_template(
            "self_service/hours.html",
            st=st,
            month=f"{st.year:04d}-{st.month:02d}",
            people=people,
            libraries=libraries,
        )
    )
    response.headers["Cache-Control"] = "no-store"  # personal figures
    return response


@bp.get("/hours.csv")
@role_required(Role.FIRST_LINE, Role.SECTION_LEADER)
def statement_file() -> Any:
    """One person's statement; ``person=all``: everyone in the library's pool (leaders)."""
    if request.args.get("person") == "all":
        me: Person = current_user._get_current_object()  # type: ignore[attr-defined]
        year, month = _month(request.args.get("month"))
        library = db.session.get(Library, parse_id(request.args.get("library"), "library") or -1)
        if library is None:
            raise InputError.field("library", _("is not a library you work at"))
        statements = library_statements(db.session, me, library, year, month)
        name = f"hours-{library.slug}-{year:04d}-{month:02d}.csv"
    else:
        st = _statement()
        statements = [st]
        name = f"hours-{st.person.id}-{st.library.slug}-{st.year:04d}-{st.month:02d}.csv"
    audit.record(
        db.session,
        audit.Action.EXPORT_HOURS,
        actor=current_user,
        subject=f"library:{statements[0].library.id}"
        if request.args.get("person") == "all"
        else f"person:{statements[0].person.id}",
        details={"format": "csv", "people": len(statements)},
        library_id=statements[0].library.id,
    )
    return Response(
        statement_csv(*statements),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
