"""Topic groups (the booking pages) and their questions (admins only)."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from scheduler.administration import group_questions, topic_groups
from scheduler.administration.topic_groups import GroupInput
from scheduler.errors import InputError
from scheduler.extensions import db
from scheduler.inputs import parse_id
from scheduler.models import Role, TopicGroup
from scheduler.web import nav
from scheduler.web.admin import bp
from scheduler.web.admin.common import actor, search_text
from scheduler.web.admin.forms import GroupForm, QuestionForm
from scheduler.web.admin.removal import removal_message
from scheduler.web.auth import role_required
from scheduler.web.forms import ConfirmForm, form_flow, saved

nav.add("admin.groups_list", _l("Booking pages"), roles=(Role.ADMIN,), area="staff", order=93)


@bp.get("/topic-groups")
@role_required(Role.ADMIN)
def groups_list() -> Any:
    q = search_text()
    return render_template(
        "admin/groups.html",
        groups=topic_groups.list_groups(db.session, actor(), q),
        q=q,
        confirm=ConfirmForm(),
    )


@bp.route("/topic-groups/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_group() -> Any:
    return _edit(None)


@bp.route("/topic-groups/<id:group_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_group(group_id: int) -> Any:
    return _edit(db.get_or_404(TopicGroup, group_id))


def _edit(group: TopicGroup | None) -> Any:
    form = GroupForm(obj=group)

    def act() -> TopicGroup:
        return topic_groups.save_group(
            db.session,
            actor(),
            group,
            GroupInput(
                name=form.name.data,
                slug=form.slug.data,
                intro=form.intro.data,
                allowed_email_domains=form.allowed_email_domains.data,
                position=form.position.data,
                confirm_by_email=bool(form.confirm_by_email.data),
            ),
        )

    return form_flow(
        form,
        act,
        lambda done: saved(
            _("Saved %(name)s.", name=done.name),
            url_for("admin.edit_group", group_id=done.id) + "#questions",
        ),
        lambda status: _render(group, status, form=form),
    )


def _render(
    group: TopicGroup | None,
    status: int,
    *,
    form: GroupForm | None = None,
    question_form: QuestionForm | None = None,
    refused: tuple[int | None, Any] = (None, None),
) -> Any:
    """The group's page; ``refused`` is a question id and its refused form, shown in
    place of the stored question (or above the questions when the id is None)."""
    refused_id, refused_form = refused
    edit_forms = {
        q.id: refused_form if q.id == refused_id else QuestionForm(prefix=f"q{q.id}", obj=q)
        for q in (group.questions if group else [])
    }
    return (
        render_template(
            "admin/group_form.html",
            group=group,
            form=form or GroupForm(obj=group),
            question_form=question_form or QuestionForm(prefix="question"),
            edit_forms=edit_forms,
            question_errors=refused_form.form_errors if refused_form and refused_id is None else [],
            confirm=ConfirmForm(),
        ),
        status,
    )


@bp.post("/topic-groups/<id:group_id>/questions")
@role_required(Role.ADMIN)
def group_questions_post(group_id: int) -> Any:
    """Add, change, move or remove a question: the form's ``action`` says which."""
    group = db.get_or_404(TopicGroup, group_id)
    action = request.form.get("action") or ""
    question_id = parse_id(request.form.get("question"), "question", required=False)
    form: Any
    if action == "add":
        form = QuestionForm(prefix="question")
    elif action == "update" and question_id is not None:
        form = QuestionForm(prefix=f"q{question_id}")
    else:
        form = ConfirmForm()

    def act() -> str:
        if action == "add":
            group_questions.add_question(
                db.session, actor(), group, form.label.data, form.help_text.data, form.required.data
            )
            return _("Added the question.")
        if question_id is None:
            raise InputError.field("question", _("Unknown action: reload the page and try again."))
        if action == "update":
            group_questions.update_question(
                db.session,
                actor(),
                group,
                question_id,
                form.label.data,
                form.help_text.data,
                form.required.data,
            )
            return _("Saved the question.")
        if action in ("up", "down"):
            step = -1 if action == "up" else 1
            group_questions.move_question(db.session, actor(), group, question_id, step)
            return _("Moved the question.")
        if action == "remove":
            group_questions.remove_question(db.session, actor(), group, question_id)
            return _("Removed the question.")
        raise InputError.field("action", _("Unknown action: reload the page and try again."))

    def render(status: int) -> Any:
        if action == "add":
            return _render(group, status, question_form=form)
        return _render(group, status, refused=(question_id if action == "update" else None, form))

    return form_flow(
        form,
        act,
        lambda message: saved(
            message, url_for("admin.edit_group", group_id=group.id) + "#questions"
        ),
        render,
    )


@bp.post("/topic-groups/<id:group_id>/remove")
@role_required(Role.ADMIN)
def remove_group(group_id: int) -> Any:
    group = db.get_or_404(TopicGroup, group_id)
    name = group.name
    removal = topic_groups.remove_group(db.session, actor(), group)
    return saved(removal_message(name, removal), url_for("admin.groups_list"))


@bp.post("/topic-groups/<id:group_id>/reactivate")
@role_required(Role.ADMIN)
def reactivate_group(group_id: int) -> Any:
    group = db.get_or_404(TopicGroup, group_id)
    topic_groups.reactivate_group(db.session, actor(), group)
    return saved(_("Reactivated %(name)s.", name=group.name), url_for("admin.groups_list"))
