"""Topics: the list, the form (group, who covers it), remove or deactivate (admins only)."""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from scheduler.administration import topics
from scheduler.administration.topics import TopicInput
from scheduler.extensions import db
from scheduler.inputs import parse_id, parse_ids
from scheduler.models import Person, Role, Topic, TopicGroup
from scheduler.web import nav
from scheduler.web.admin import bp
from scheduler.web.admin.common import actor, search_text
from scheduler.web.admin.forms import TopicForm
from scheduler.web.admin.removal import removal_message
from scheduler.web.auth import role_required
from scheduler.web.forms import ConfirmForm, choice, form_flow, saved

nav.add("admin.topics_list", _l("Topics"), roles=(Role.ADMIN,), area="staff", order=92)


@bp.get("/topics")
@role_required(Role.ADMIN)
def topics_list() -> Any:
    q = search_text()
    return render_template(
        "admin/topics.html",
        topics=topics.list_topics(db.session, actor(), q),
        q=q,
        confirm=ConfirmForm(),
    )


@bp.route("/topics/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_topic() -> Any:
    return _edit(None)


@bp.route("/topics/<id:topic_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_topic(topic_id: int) -> Any:
    return _edit(db.get_or_404(Topic, topic_id))


def _edit(topic: Topic | None) -> Any:
    form = TopicForm(obj=topic)
    groups = db.session.scalars(select(TopicGroup).order_by(TopicGroup.position, TopicGroup.name))
    form.group.choices = [choice("", _("No group")), *(choice(str(g.id), g.name) for g in groups)]
    staff = db.session.scalars(
        select(Person).where(Person.active.is_(True)).order_by(Person.name)
    ).all()
    form.people.choices = [choice(str(p.id), p.name) for p in staff]
    if not form.is_submitted() and topic is not None:
        form.group.data = str(topic.group_id or "")
        form.people.data = [str(p.id) for p in topic.people]

    def act() -> Topic:
        return topics.save_topic(
            db.session,
            actor(),
            topic,
            TopicInput(
                name=form.name.data,
                slug=form.slug.data,
                description=form.description.data,
                group_id=parse_id(form.group.data, "group", required=False),
                people_ids=parse_ids(form.people.data, "people"),
            ),
        )

    return form_flow(
        form,
        act,
        lambda done: saved(_("Saved %(name)s.", name=done.name), url_for("admin.topics_list")),
        lambda status: (
            render_template("admin/topic_form.html", form=form, topic=topic),
            status,
        ),
    )


@bp.post("/topics/<id:topic_id>/remove")
@role_required(Role.ADMIN)
def remove_topic(topic_id: int) -> Any:
    topic = db.get_or_404(Topic, topic_id)
    name = topic.name
    removal = topics.remove_topic(db.session, actor(), topic)
    return saved(removal_message(name, removal), url_for("admin.topics_list"))


@bp.post("/topics/<id:topic_id>/reactivate")
@role_required(Role.ADMIN)
def reactivate_topic(topic_id: int) -> Any:
    topic = db.get_or_404(Topic, topic_id)
    topics.reactivate_topic(db.session, actor(), topic)
    return saved(_("Reactivated %(name)s.", name=topic.name), url_for("admin.topics_list"))
