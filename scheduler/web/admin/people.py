"""Administration: people, their roles and whether they can sign in (admins only)."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from scheduler import accounts, audit
from scheduler.errors import InputError
from scheduler.extensions import db
from scheduler.models import Person, Role
from scheduler.web import nav
from scheduler.web.admin import bp
from scheduler.web.auth import role_required
from scheduler.web.forms import MultiCheckboxField, form_flow, saved

nav.add("admin.people", _l("People"), roles=(Role.ADMIN,), area="staff", order=90)

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.SECTION_LEADER: _l("Section leader"),
    Role.LIBRARIAN: _l("Librarian / subject specialist"),
    Role.FIRST_LINE: _l("First-line staff"),
}


class PersonForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    roles = MultiCheckboxField(_l("Roles"), choices=[])
    active = BooleanField(_l("Can sign in"), default=True)
    password = PasswordField(
        _l("New password"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Leave empty to keep the current password."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roles.choices = [(r.value, str(ROLE_LABELS[r])) for r in Role]


@bp.get("/people")
@role_required(Role.ADMIN)
def people() -> Any:
    q = (request.args.get("q") or "").strip()
    stmt = select(Person).order_by(Person.name)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(Person.name).like(like), Person.email.like(like)))
    return render_template(
        "admin/people.html", people=db.session.scalars(stmt).all(), q=q, role_labels=ROLE_LABELS
    )


@bp.route("/people/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_person() -> Any:
    return _edit(None)


@bp.route("/people/<id:person_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_person(person_id: int) -> Any:
    return _edit(db.get_or_404(Person, person_id))


def _edit(person: Person | None) -> Any:
    form = PersonForm(obj=person)
    if request.method == "GET" and person is not None:
        form.roles.data = [r.value for r in person.roles]
    return form_flow(
        form,
        lambda: _save(person, form),
        lambda done: saved(_("Saved %(name)s.", name=done.name), url_for("admin.people")),
        lambda status: (
            render_template("admin/person_form.html", form=form, person=person),
            status,
        ),
    )


def _save(person: Person | None, form: PersonForm) -> Person:
    roles = {Role(r) for r in form.roles.data}
    before = (
        {"roles": sorted(r.value for r in person.roles), "active": person.active}
        if person is not None
        else None
    )
    if person is None:
        person = accounts.create_person(
            db.session,
            email=form.email.data,
            name=form.name.data,
            roles=roles,
            password=form.password.data or None,
        )
    else:
        _update(person, form, roles)
    person.active = form.active.data
    db.session.flush()
    audit.record(
        db.session,
        audit.Action.PERSON_SAVED,
        actor=current_user,
        subject=f"person:{person.id}",
        details={
            "roles": sorted(r.value for r in roles),
            "active": person.active,
            "libraries": sorted(lib.id for lib in person.libraries),
            "before": before,
        },
    )
    db.session.flush()
    return person


def _update(person: Person, form: PersonForm, roles: set[Role]) -> None:
    email = accounts.normalise_email(form.email.data)
    if email != person.email:
        if accounts.find_by_email(db.session, email) is not None:
            raise InputError.field("email", "is already used by another person")
        person.email = email
    person.name = form.name.data.strip()
    if person.id == current_user.id and Role.ADMIN not in roles:
        raise InputError.field("roles", "you cannot remove your own administrator role")
    person.set_roles(roles)
    if form.password.data:
        accounts.set_password(person, form.password.data)
