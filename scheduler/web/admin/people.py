"""Administration: people, their roles in each library and whether they can sign in (admins only).

The page parses the form and calls :func:`scheduler.people.save_person.save_person`,
which checks everything and refuses anyone but an administrator.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from wtforms import BooleanField, DecimalField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from scheduler.extensions import db
from scheduler.models import LIBRARY_ROLES, Library, Person, Role, Topic
from scheduler.people.save_person import PersonInput, save_person
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

_HOURS = [Optional(), NumberRange(min=0, max=60)]


class PersonForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    admin = BooleanField(
        _l("Administrator"), description=_l("Administrators may do everything, in every library.")
    )
    # "<library id>:<role>", shown as a grid of libraries by roles.
    library_roles = MultiCheckboxField(_l("Roles in each library"), choices=[])
    active = BooleanField(
        _l("Can sign in"),
        default=True,
        description=_l("Untick to deactivate someone who has left; their history stays."),
    )
    bookable = BooleanField(_l("Bookable (shown on the “book a librarian” pages)"))
    min_hours_per_week = DecimalField(_l("Minimum hours a week"), places=1, validators=_HOURS)
    target_hours_per_week = DecimalField(_l("Target hours a week"), places=1, validators=_HOURS)
    max_hours_per_week = DecimalField(_l("Maximum hours a week"), places=1, validators=_HOURS)
    topics = MultiCheckboxField(_l("Topics"), choices=[])
    password = PasswordField(
        _l("New password"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Leave empty to keep the current password."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.libraries = list(db.session.scalars(select(Library).order_by(Library.position)))
        self.library_roles.choices = [
            (f"{lib.id}:{role.value}", f"{lib.name}: {ROLE_LABELS[role]}")
            for lib in self.libraries
            for role in LIBRARY_ROLES
        ]
        self.topics.choices = [
            (str(t.id), t.name) for t in db.session.scalars(select(Topic).order_by(Topic.name))
        ]


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
        form.admin.data = person.is_admin
        form.library_roles.data = [f"{r.library_id}:{r.role.value}" for r in person.library_roles]
        form.topics.data = [str(t.id) for t in person.topics]
    return form_flow(
        form,
        lambda: save_person(db.session, current_user, person, _input(form)),
        lambda done: saved(_("Saved %(name)s.", name=done.name), url_for("admin.people")),
        lambda status: (
            render_template(
                "admin/person_form.html",
                form=form,
                person=person,
                roles=[(r, ROLE_LABELS[r]) for r in LIBRARY_ROLES],
            ),
            status,
        ),
    )


def _input(form: PersonForm) -> PersonInput:
    library_roles: dict[int, set[Role]] = {}
    for value in form.library_roles.data or []:
        library_id, role = value.split(":", 1)  # a valid choice: "<id>:<role>"
        library_roles.setdefault(int(library_id), set()).add(Role(role))

    def hours(value: Any) -> float | None:
        return None if value is None else float(value)

    return PersonInput(
        name=form.name.data or "",
        email=form.email.data or "",
        admin=bool(form.admin.data),
        library_roles={k: frozenset(v) for k, v in library_roles.items()},
        active=bool(form.active.data),
        bookable=bool(form.bookable.data),
        min_hours_per_week=hours(form.min_hours_per_week.data) or 0.0,
        target_hours_per_week=hours(form.target_hours_per_week.data),
        max_hours_per_week=hours(form.max_hours_per_week.data),
        topic_ids=[int(t) for t in form.topics.data or []],
        password=form.password.data or None,
    )
