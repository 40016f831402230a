"""/admin/audit: the audit log for administrators, filtered, a page at a time, and as CSV.

Who may read it is decided in :mod:`scheduler.audit.search` (administrators only); this
page parses the filters, calls it and renders. The CSV download is itself recorded.
"""

from __future__ import annotations

import csv
import io
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from scheduler import audit
from scheduler.errors import InputError
from scheduler.extensions import db
from scheduler.inputs import Fields, parse_date, parse_id, parse_whole
from scheduler.models import Person, Role
from scheduler.reasons import _
from scheduler.site import Site
from scheduler.web import nav
from scheduler.web.auth import STAFF_ROLES, role_required
from scheduler.web.i18n import localize

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

nav.add("audit.index", _l("Audit log"), roles=(Role.ADMIN,), area="staff", order=97)

ACTIONS = [a.value for a in audit.Action]
FILTER_NAMES = ("person", "action", "from", "to", "q")


def _parse_action(raw: object, field: str) -> str | None:
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    if text not in ACTIONS:
        raise InputError.field(field, _("is not an action the audit log records"))
    return text


def _parse_text(raw: object, field: str) -> str | None:
    text = "" if raw is None else str(raw).strip()
    if len(text) > 100:
        raise InputError.field(field, _("at most %(n)s characters", n=100))
    if "\x00" in text:
        raise InputError.field(field, _("must not contain a NUL character"))
    return text or None


def _filter() -> tuple[audit.AuditFilter, dict[str, str]]:
    """The filter the query string asks for, and the reason for every bad value."""
    fields = Fields(request.args)
    actor_id = fields.read("person", parse_id, required=False)
    action = fields.read("action", _parse_action)
    since = fields.read("from", parse_date)
    until = fields.read("to", parse_date)
    if since and until and until < since and "to" not in fields.errors:
        fields.errors["to"] = _("must not be before the start date")
    text = fields.read("q", _parse_text)
    page = fields.read("page", parse_whole, low=1, high=1_000_000) or 1
    return (
        audit.AuditFilter(
            actor_id=actor_id, action=action, since=since, until=until, text=text, page=page
        ),
        fields.errors,
    )


def _tz() -> ZoneInfo:
    return ZoneInfo(Site.from_config(current_app.config).default_tz)


@bp.get("/")
@role_required(*STAFF_ROLES)  # everyone signed in; the use case lets administrators only
def index() -> Any:
    f, errors = _filter()
    result = None if errors else audit.search(db.session, current_user, f, _tz())
    staff = db.session.scalars(select(Person).order_by(Person.name)).all()
    query = {k: request.args[k] for k in FILTER_NAMES if request.args.get(k)}
    body = render_template(
        "audit/index.html",
        result=result,
        errors={k: localize(v) for k, v in errors.items()},
        args=request.args,
        actions=ACTIONS,
        staff=staff,
        query=query,
        csv_url=url_for(".export", **query),
    )
    response = Response(body, status=422 if errors else 200)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/audit.csv")
@role_required(*STAFF_ROLES)
def export() -> Any:
    f, errors = _filter()
    if errors:
        raise InputError(next(iter(errors.values())), errors)
    rows = list(audit.csv_rows(db.session, current_user, f, _tz()))
    audit.record(
        db.session,
        audit.Action.EXPORT_AUDIT,
        actor=current_user,
        subject="audit_log",
        details={
            "format": "csv",
            "rows": len(rows) - 1,
            "filter": {k: request.args[k] for k in FILTER_NAMES if request.args.get(k)},
        },
    )
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="audit-log.csv"',
            "Cache-Control": "no-store",
        },
    )
