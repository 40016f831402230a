"""Staff drop-in pages: plan sessions and series, see who comes, cancel, copy, export.

Every route needs the librarian or section-leader role. Registrants' names, addresses
and answers are shown only to the session's hosts, its creator and section leaders
(:func:`scheduler.booking.dropins.sessions.may_see_registrants`); everyone else sees
head counts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from scheduler import access, audit
from scheduler.booking.dropins.details import HOST_ROLES
from scheduler.booking.dropins.export import registrants_csv
from scheduler.booking.dropins.permissions import may_manage, require_manage
from scheduler.booking.dropins.queries import (
    list_sessions,
    listing_for,
    registrants,
    series_listings,
)
from scheduler.booking.dropins.registrations import cancel_by_staff
from scheduler.booking.dropins.sessions import (
    Created,
    cancel_series,
    cancel_session,
    create_sessions,
    details_of,
    local_day,
    may_see_registrants,
    series_details,
    upcoming_ids,
    update_series,
    update_session,
)
from scheduler.extensions import db
from scheduler.models import (
    DropInSession,
    Library,
    Person,
    PersonLibraryRole,
    PersonRole,
    Registration,
    Role,
    SessionSeries,
    Topic,
)
from scheduler.models.translations import localized
from scheduler.timeutil import utcnow
from scheduler.web import nav
from scheduler.web.auth import role_required
from scheduler.web.dropins import site, today_local
from scheduler.web.dropins.forms import (
    CancelForm,
    SessionForm,
    read_date,
    read_details,
    read_recurrence,
)
from scheduler.web.forms import choice, form_flow, saved
from scheduler.web.i18n import page_language

bp = Blueprint("dropin_staff", __name__, url_prefix="/staff/dropins")

nav.add("dropin_staff.index", _l("Drop-in sessions"), roles=HOST_ROLES, area="staff", order=30)


def _actor() -> Person:
    return current_user._get_current_object()  # type: ignore[attr-defined]


@bp.get("/")
@role_required(*HOST_ROLES)
def index() -> Any:
    mine = request.args.get("mine") == "1"
    start = today_local()
    items = list_sessions(
        db.session,
        start=start,
        end=start + timedelta(weeks=12),
        host_id=_actor().id if mine else None,
        include_cancelled=True,
        default_tz=current_app.config["TIMEZONE"],
    )
    # The person's libraries only (and sessions they host or made elsewhere).
    ids = access.library_ids(_actor(), *HOST_ROLES)
    if ids is not None:
        items = [i for i in items if i.dropin.library_id in ids or may_manage(_actor(), i.dropin)]
    return render_template("dropins/staff_index.html", items=items, mine=mine)


# Forms -----------------------------------------------------------------------------


def _choices(form: SessionForm) -> None:
    mine = access.library_ids(_actor(), *HOST_ROLES)
    libraries = select(Library).order_by(Library.position, Library.name)
    if mine is not None:
        libraries = libraries.where(Library.id.in_(mine))
    form.library.choices = [choice("", _("Choose a library"))] + [
        choice(str(lib.id), localized(lib, "name", page_language()))
        for lib in db.session.scalars(libraries)
    ]
    form.topic.choices = [choice("", _("No topic"))] + [
        choice(str(t.id), localized(t, "name", page_language()))
        for t in db.session.scalars(select(Topic).order_by(Topic.name))
    ]
    hosts = db.session.scalars(
        select(Person)
        .where(
            Person.active.is_(True),
            Person.library_roles.any(PersonLibraryRole.role.in_(HOST_ROLES))
            | Person.role_rows.any(PersonRole.role == Role.ADMIN),
        )
        .order_by(Person.name)
    )
    form.hosts.choices = [choice(str(p.id), p.name) for p in hosts]


def _render_form(form: SessionForm, status: int, **context: Any) -> Any:
    context.setdefault("dropin", None)
    context.setdefault("series", None)
    context.setdefault("mode", "new")
    return render_template("dropins/staff_form.html", form=form, **context), status


@bp.route("/new", methods=["GET", "POST"])
@role_required(*HOST_ROLES)
def new() -> Any:
    form = SessionForm()
    _choices(form)
    if request.method == "GET":
        me = _actor()
        form.hosts.data = [str(me.id)]
        if me.libraries:
            form.library.data = str(me.libraries[0].id)
    return _create(form)


@bp.route("/<id:session_id>/copy", methods=["GET", "POST"])
@role_required(*HOST_ROLES)
def copy(session_id: int) -> Any:
    source = db.get_or_404(DropInSession, session_id)
    require_manage(_actor(), [source])
    form = SessionForm()
    _choices(form)
    if request.method == "GET":
        form.fill(details_of(source, relative_deadline=True))
    return _create(form, dropin=source, mode="copy")


def _create(form: SessionForm, **context: Any) -> Any:
    """A new session or series from the form (new, or a copy of ``context["dropin"]``)."""

    def create() -> Created:
        details, fields = read_details(form)
        recurrence = read_recurrence(form, fields)
        fields.check()
        return create_sessions(db.session, _actor(), details, recurrence, now=utcnow())

    return form_flow(form, create, _created, lambda status: _render_form(form, status, **context))


def _created(created: Created) -> Any:
    count = len(created.sessions)
    for day, reason in created.skipped:
        flash(
            _(
                "Left out %(day)s: the library is closed (%(reason)s).",
                day=day.isoformat(),
                reason=reason,
            ),
            "warning",
        )
    return saved(
        ngettext("Created %(num)s session.", "Created %(num)s sessions.", count),
        url_for("dropin_staff.detail", session_id=created.sessions[0].id),
    )


@bp.route("/<id:session_id>/edit", methods=["GET", "POST"])
@role_required(*HOST_ROLES)
def edit(session_id: int) -> Any:
    dropin = db.get_or_404(DropInSession, session_id)
    require_manage(_actor(), [dropin])
    form = SessionForm()
    _choices(form)
    if request.method == "GET":
        form.fill(details_of(dropin), on=local_day(dropin))

    def change() -> DropInSession:
        details, fields = read_details(form)
        on = read_date(fields)
        fields.check()
        return update_session(
            db.session, _actor(), dropin.id, details, on_date=on, site=site(), now=utcnow()
        )

    return form_flow(
        form,
        change,
        lambda _changed: saved(
            _("Saved. Registrants are told about changes to time and place."),
            url_for("dropin_staff.detail", session_id=dropin.id),
        ),
        lambda status: _render_form(form, status, dropin=dropin, mode="edit"),
    )


@bp.route("/series/<id:series_id>/edit", methods=["GET", "POST"])
@role_required(*HOST_ROLES)
def edit_series(series_id: int) -> Any:
    series = db.get_or_404(SessionSeries, series_id)
    now = utcnow()
    ids = set(upcoming_ids(db.session, series.id, now))
    upcoming = [
        item.dropin for item in series_listings(db.session, series.id) if item.dropin.id in ids
    ]
    require_manage(_actor(), upcoming)
    form = SessionForm()
    _choices(form)
    if request.method == "GET":
        if not upcoming:
            flash(_("This series has no upcoming sessions left to change."), "warning")
            return redirect(url_for("dropin_staff.index"))
        form.fill(series_details(upcoming))

    def change() -> list[DropInSession]:
        details, fields = read_details(form)
        fields.check()
        return update_series(db.session, _actor(), series.id, details, site=site(), now=now)

    def changed(dropins: list[DropInSession]) -> Any:
        return saved(
            ngettext(
                "Saved %(num)s upcoming session.",
                "Saved %(num)s upcoming sessions.",
                len(dropins),
            ),
            url_for("dropin_staff.detail", session_id=dropins[0].id),
        )

    return form_flow(
        form,
        change,
        changed,
        lambda status: _render_form(form, status, series=series, mode="series", upcoming=upcoming),
    )


# A session, its registrants ------------------------------------------------------


@bp.get("/<id:session_id>")
@role_required(*HOST_ROLES)
def detail(session_id: int) -> Any:
    dropin = db.get_or_404(DropInSession, session_id)
    allowed = may_see_registrants(_actor(), dropin)
    return render_template(
        "dropins/staff_session.html",
        dropin=dropin,
        item=listing_for(db.session, dropin),
        series=series_listings(db.session, dropin.series_id) if dropin.series_id else [],
        registrants=registrants(db.session, dropin.id) if allowed else None,
        now=utcnow(),
    )


def _csv_labels() -> dict[str, str]:
    return {
        "name": _("Name"),
        "email": _("E-mail"),
        "status": _("Status"),
        "position": _("Waitlist position"),
        "answer": _("Answer"),
        "lunch": _("Lunch"),
        "registered_at": _("Registered at"),
        "registered": _("registered"),
        "waitlisted": _("waitlisted"),
        "yes": _("yes"),
        "no": _("no"),
    }


@bp.get("/<id:session_id>/registrants.csv")
@role_required(*HOST_ROLES)
def registrants_export(session_id: int) -> Response:
    dropin = db.get_or_404(DropInSession, session_id)
    if not may_see_registrants(_actor(), dropin):
        abort(403)
    people = registrants(db.session, dropin.id)
    text = registrants_csv(people, tz=dropin.library.timezone, labels=_csv_labels())
    audit.record(
        db.session,
        audit.Action.EXPORT_REGISTRANTS,
        actor=_actor(),
        subject=f"dropin_session:{dropin.id}",
        details={"format": "csv", "rows": len(people)},
        library_id=dropin.library_id,
    )
    day = local_day(dropin).isoformat()
    # A byte-order mark tells spreadsheet programs the file is UTF-8 (æ, ø, å).
    return Response(
        "\ufeff" + text,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="registrants-{dropin.id}-{day}.csv"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/<id:session_id>/registrations/<id:registration_id>/cancel", methods=["GET", "POST"])
@role_required(*HOST_ROLES)
def remove_registrant(session_id: int, registration_id: int) -> Any:
    """Ask, then remove someone from the session (the next on the waitlist moves up)."""
    dropin = db.get_or_404(DropInSession, session_id)
    reg = db.get_or_404(Registration, registration_id)
    if reg.session_id != dropin.id:
        abort(404)
    if not may_see_registrants(_actor(), dropin):
        abort(403)
    form = CancelForm()
    return form_flow(
        form,
        lambda: cancel_by_staff(db.session, _actor(), reg.id, site=site(), now=utcnow()),
        lambda _removed: saved(
            _("Registration cancelled; the person has been told."),
            url_for("dropin_staff.detail", session_id=dropin.id),
        ),
        lambda status: (
            render_template("dropins/staff_remove.html", form=form, dropin=dropin, reg=reg),
            status,
        ),
    )


# Cancelling --------------------------------------------------------------------------


@bp.route("/<id:session_id>/cancel", methods=["GET", "POST"])
@role_required(*HOST_ROLES)
def cancel(session_id: int) -> Any:
    dropin = db.get_or_404(DropInSession, session_id)
    require_manage(_actor(), [dropin])
    form = CancelForm()
    return form_flow(
        form,
        lambda: cancel_session(
            db.session, _actor(), dropin.id, message=form.message.data, site=site(), now=utcnow()
        ),
        lambda _cancelled: saved(
            _("The session is cancelled and everyone signed up has been told."),
            url_for("dropin_staff.detail", session_id=dropin.id),
        ),
        lambda status: (
            render_template(
                "dropins/staff_cancel.html",
                form=form,
                dropin=dropin,
                sessions=[listing_for(db.session, dropin)],
                series=None,
            ),
            status,
        ),
    )


@bp.route("/series/<id:series_id>/cancel", methods=["GET", "POST"])
@role_required(*HOST_ROLES)
def cancel_whole_series(series_id: int) -> Any:
    series = db.get_or_404(SessionSeries, series_id)
    now = utcnow()
    ids = set(upcoming_ids(db.session, series.id, now))
    items = [i for i in series_listings(db.session, series.id) if i.dropin.id in ids]
    require_manage(_actor(), [i.dropin for i in items])
    form = CancelForm()

    def cancelled(dropins: list[DropInSession]) -> Any:
        return saved(
            ngettext(
                "Cancelled %(num)s session; everyone signed up has been told.",
                "Cancelled %(num)s sessions; everyone signed up has been told.",
                len(dropins),
            ),
            url_for("dropin_staff.detail", session_id=dropins[0].id),
        )

    return form_flow(
        form,
        lambda: cancel_series(
            db.session, _actor(), series.id, message=form.message.data, site=site(), now=now
        ),
        cancelled,
        lambda status: (
            render_template(
                "dropins/staff_cancel.html", form=form, dropin=None, sessions=items, series=series
            ),
            status,
        ),
    )
