"""/staff/my-roster-wishes: staff enter absences and time preferences for the roster."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from scheduler.errors import InputError
from scheduler.extensions import db
from scheduler.models import Absence, AbsenceKind, Person, RosterPreference
from scheduler.rostering import wishes
from scheduler.timeutil import local_to_utc, utcnow
from scheduler.web import nav
from scheduler.web.auth import STAFF_ROLES, role_required
from scheduler.web.rostering.forms import AbsenceForm, EmptyForm, PreferenceForm

bp = Blueprint("roster_wishes", __name__, url_prefix="/staff")

nav.add(
    "roster_wishes.wishes_page", _l("My roster wishes"), roles=STAFF_ROLES, area="staff", order=15
)

KIND_LABELS = {
    AbsenceKind.LEAVE: _l("Leave"),
    AbsenceKind.SICK: _l("Sick"),
    AbsenceKind.COURSE: _l("Course or meeting"),
    AbsenceKind.OTHER: _l("Other"),
}


def _zone(person: Person) -> str:
    libs = person.libraries
    return libs[0].timezone if libs else str(current_app.config["TIMEZONE"])


@bp.route("/my-roster-wishes", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def wishes_page() -> Any:
    person: Person = current_user._get_current_object()  # type: ignore[attr-defined]
    tz = _zone(person)
    absence_form = AbsenceForm(prefix="absence")
    absence_form.kind.choices = [(k.value, str(label)) for k, label in KIND_LABELS.items()]
    pref_form = PreferenceForm(prefix="pref")
    action = request.form.get("action")
    status = 200
    if request.method == "POST":
        form = absence_form if action == "add_absence" else pref_form
        try:
            if action == "add_absence" and absence_form.validate_on_submit():
                starts, ends = wishes.absence_span(
                    absence_form.start_date.data,
                    absence_form.start_time.data,
                    absence_form.end_date.data,
                    absence_form.end_time.data,
                    tz,
                )
                wishes.add_absence(
                    db.session,
                    person,
                    starts,
                    ends,
                    AbsenceKind(absence_form.kind.data),
                    absence_form.note.data,
                )
                flash(_("Absence saved."), "success")
            elif action == "add_preference" and pref_form.validate_on_submit():
                day = pref_form.date.data
                sign = 1 if pref_form.wish.data == "dislike" else -1
                wishes.add_preference(
                    db.session,
                    person,
                    local_to_utc(day, pref_form.start_time.data, tz),
                    local_to_utc(day, pref_form.end_time.data, tz),
                    sign * int(pref_form.strength.data),
                    pref_form.note.data,
                )
                flash(_("Preference saved."), "success")
            elif action in ("delete_absence", "delete_preference"):
                if not EmptyForm().validate_on_submit():
                    abort(400)
                model = Absence if action == "delete_absence" else RosterPreference
                wishes.delete_own(db.session, person, model, request.form.get("id", 0, type=int))
                flash(_("Removed."), "success")
            else:
                status = 422
        except InputError as exc:
            for name, reason in exc.fields.items():
                if name in form._fields:
                    form[name].errors = [*list(form[name].errors), reason]
                else:
                    form.form_errors.append(f"{name}: {reason}")
            status = 422
        if status == 200:
            return redirect(url_for(".wishes_page"))
    since = utcnow() - timedelta(days=1)
    return (
        render_template(
            "roster_wishes/wishes.html",
            absences=wishes.own_absences(db.session, person, since),
            preferences=wishes.own_preferences(db.session, person, since),
            absence_form=absence_form,
            pref_form=pref_form,
            delete_form=EmptyForm(),
            kind_labels=KIND_LABELS,
            tz=tz,
            action=action,
        ),
        status,
    )
