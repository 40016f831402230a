"""A library's online settings page: the meeting-room template and the sites that may
show its booking widget. For the library's section leaders and administrators."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from scheduler import access
from scheduler.booking import library_online
from scheduler.booking.appointments import queries
from scheduler.extensions import db
from scheduler.models import Library, Role
from scheduler.web import current_site, nav
from scheduler.web.auth import role_required
from scheduler.web.embed import bp
from scheduler.web.forms import form_flow, saved

nav.add(
    "embed.libraries",
    _l("Online booking"),
    roles=(Role.SECTION_LEADER,),
    area="staff",
    order=45,
)


class OnlineSettingsForm(FlaskForm):
    meeting_url_template = StringField(
        _l("Meeting room for each online appointment"),
        validators=[Optional(), Length(max=500)],
        description=_l(
            "An https address with {token} where a random room name goes, for example"
            " https://meet.jit.si/library-{token}. Leave empty to use each librarian's"
            " own meeting room."
        ),
    )
    embed_origins = TextAreaField(
        _l("Sites that may show the booking widget"),
        validators=[Optional(), Length(max=5000)],
        description=_l(
            "One https origin a line, for example https://www.example.org. Other sites"
            " cannot show the widget in a frame."
        ),
        render_kw={"rows": 4},
    )


def _managed() -> list[Library]:
    ids = access.library_ids(current_user, Role.SECTION_LEADER)
    query = select(Library).order_by(Library.position, Library.name)
    if ids is not None:
        query = query.where(Library.id.in_(ids))
    return list(db.session.scalars(query))


@bp.get("/staff/online-booking")
@role_required(Role.SECTION_LEADER)
def libraries() -> Any:
    return render_template("embed/libraries.html", libraries=_managed())


@bp.route("/staff/online-booking/<id:library_id>", methods=["GET", "POST"])
@role_required(Role.SECTION_LEADER)
def library_settings(library_id: int) -> Any:
    library = db.get_or_404(Library, library_id)
    if not access.holds(current_user, Role.SECTION_LEADER, library.id):
        abort(403)
    form = OnlineSettingsForm(
        data={
            "meeting_url_template": library.meeting_url_template or "",
            "embed_origins": library.embed_origins or "",
        }
    )
    return form_flow(
        form,
        lambda: library_online.update(
            db.session,
            actor=current_user._get_current_object(),  # type: ignore[attr-defined]
            library=library,
            change=library_online.OnlineSettings(
                meeting_url_template=form.meeting_url_template.data,
                embed_origins=form.embed_origins.data,
            ),
        ),
        lambda _saved: saved(
            _("The online settings of %(name)s are saved.", name=library.name),
            url_for("embed.library_settings", library_id=library.id),
        ),
        lambda status: (
            render_template(
                "embed/library_settings.html",
                library=library,
                form=form,
                groups=queries.topic_groups(db.session),
                widget_url=current_site().url(url_for("embed.widget")),
            ),
            status,
        ),
    )
