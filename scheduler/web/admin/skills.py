"""Skills a shift may require: the list, the form, remove or deactivate (admins only)."""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from scheduler.administration import skills
from scheduler.administration.skills import SkillInput
from scheduler.extensions import db
from scheduler.models import Role, Skill
from scheduler.web import nav
from scheduler.web.admin import bp
from scheduler.web.admin.common import actor, search_text
from scheduler.web.admin.forms import SkillForm
from scheduler.web.admin.removal import removal_message
from scheduler.web.auth import role_required
from scheduler.web.forms import ConfirmForm, form_flow, saved

nav.add("admin.skills_list", _l("Skills"), roles=(Role.ADMIN,), area="staff", order=94)


@bp.get("/skills")
@role_required(Role.ADMIN)
def skills_list() -> Any:
    q = search_text()
    return render_template(
        "admin/skills.html",
        skills=skills.list_skills(db.session, actor(), q),
        q=q,
        confirm=ConfirmForm(),
    )


@bp.route("/skills/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_skill() -> Any:
    return _edit(None)


@bp.route("/skills/<id:skill_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_skill(skill_id: int) -> Any:
    return _edit(db.get_or_404(Skill, skill_id))


def _edit(skill: Skill | None) -> Any:
    form = SkillForm(obj=skill)
    return form_flow(
        form,
        lambda: skills.save_skill(
            db.session, actor(), skill, SkillInput(code=form.code.data, name=form.name.data)
        ),
        lambda done: saved(_("Saved %(name)s.", name=done.name), url_for("admin.skills_list")),
        lambda status: (
            render_template("admin/skill_form.html", form=form, skill=skill),
            status,
        ),
    )


@bp.post("/skills/<id:skill_id>/remove")
@role_required(Role.ADMIN)
def remove_skill(skill_id: int) -> Any:
    skill = db.get_or_404(Skill, skill_id)
    name = skill.name
    removal = skills.remove_skill(db.session, actor(), skill)
    return saved(removal_message(name, removal), url_for("admin.skills_list"))


@bp.post("/skills/<id:skill_id>/reactivate")
@role_required(Role.ADMIN)
def reactivate_skill(skill_id: int) -> Any:
    skill = db.get_or_404(Skill, skill_id)
    skills.reactivate_skill(db.session, actor(), skill)
    return saved(_("Reactivated %(name)s.", name=skill.name), url_for("admin.skills_list"))
