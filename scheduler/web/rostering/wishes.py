"""/staff/my-roster-wishes: staff enter absences and time preferences for the roster."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from scheduler.errors import InputError
from scheduler.extensions import db
from scheduler.inputs import parse_id
from scheduler.models import Absence, AbsenceKind, Person, RosterPreference
from scheduler.rostering import wishes
from scheduler.timeutil import local_to_utc, utcnow
from scheduler.web import nav
from scheduler.web.auth import STAFF_ROLES, role_required
from scheduler.web.forms import ConfirmForm, form_flow, saved
from scheduler.web.rostering.forms import AbsenceForm, PreferenceForm

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
    confirm = ConfirmForm()  # the remove buttons'
    action = request.form.get("action")
    forms = {"add_absence": absence_form, "add_preference": pref_form}
    form = forms.get(action or "", confirm)

    def act() -> str:
        if action == "add_absence":
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
            return _("Absence saved.")
        if action == "add_preference":
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
            return _("Preference saved.")
        if action in ("delete_absence", "delete_preference"):
            model = Absence if action == "delete_absence" else RosterPreference
            row_id = parse_id(request.form.get("id"), "id")
            assert row_id is not None
            wishes.delete_own(db.session, person, model, row_id)
            return _("Removed.")
        raise InputError.field("action", _("Unknown action: reload the page and try again."))

    def render(status: int) -> Any:
        pref_form.form_errors.extend(confirm.form_errors)  # a refused remove, above the wishes
        since = utcnow() - timedelta(days=1)
        html = render_template(
            "roster_wishes/wishes.html",
            absences=wishes.own_absences(db.session, person, since),
            preferences=wishes.own_preferences(db.session, person, since),
            absence_form=absence_form,
            pref_form=pref_form,
            delete_form=ConfirmForm(formdata=None),
            kind_labels=KIND_LABELS,
            tz=tz,
            action=action,
        )
        return html, status

    return form_flow(form, act, lambda message: saved(message, url_for(".wishes_page")), render)
