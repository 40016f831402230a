"""Question inventory campaigns on the web: staff add the questions that chafe; the leader
opens a campaign, reviews its questions (category, actor), and exports them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from scheduler.desk import campaigns as svc
from scheduler.desk import categories, directory
from scheduler.desk.roles import DESK_ROLES, leader_library_ids, require_desk
from scheduler.errors import DomainError
from scheduler.extensions import db
from scheduler.inputs import parse_id
from scheduler.models import Campaign, CampaignQuestion, Role
from scheduler.timeutil import to_local
from scheduler.web import current_site, nav
from scheduler.web.auth import role_required
from scheduler.web.desk.forms import CampaignForm, QuestionForm
from scheduler.web.desk.shared import actor, allowed_libraries, chosen_library
from scheduler.web.forms import ConfirmForm, form_flow, saved
from scheduler.web.i18n import localize

bp = Blueprint("desk_campaigns", __name__)

LEADER = Role.SECTION_LEADER

nav.add(
    "desk_campaigns.staff_list", _l("Question inventory"), roles=DESK_ROLES, area="staff", order=16
)
nav.add(
    "desk_campaigns.leader_list",
    _l("Question inventories"),
    roles=(LEADER,),
    area="staff",
    order=64,
)


def _campaign(campaign_id: int) -> Campaign:
    return db.get_or_404(Campaign, campaign_id)


def _today(campaign_tz: str | None = None) -> Any:
    site = current_site()
    return to_local(site.now, campaign_tz or site.default_tz).date()


# Staff ----------------------------------------------------------------------------------


@bp.get("/desk/campaigns")
@role_required(*DESK_ROLES)
def staff_list() -> Any:
    found = svc.open_campaigns_for(db.session, actor(), _today())
    return render_template("desk/campaigns_staff.html", campaigns=found)


@bp.route("/desk/campaigns/<id:campaign_id>", methods=["GET", "POST"])
@role_required(*DESK_ROLES)
def add_question(campaign_id: int) -> Any:
    campaign = _campaign(campaign_id)
    try:
        require_desk(actor(), campaign.library_id)
    except DomainError:
        abort(404)
    form = QuestionForm()
    today = _today(campaign.library.timezone)

    def act() -> CampaignQuestion:
        data = svc.QuestionInput(
            question=form.question.data or "",
            reflection=form.reflection.data,
            chafing=bool(form.chafing.data),
            asked_on=form.asked_on.data,
        )
        return svc.add_question(db.session, actor(), campaign, data, today)

    mine = [q for q in campaign.questions if q.added_by_id == actor().id]
    return form_flow(
        form,
        act,
        lambda _row: saved(
            _("Your question is in the inventory."),
            url_for(".add_question", campaign_id=campaign.id),
        ),
        lambda status: (
            render_template(
                "desk/campaign_add.html",
                campaign=campaign,
                form=form,
                mine=mine,
                open=svc.accepts_questions(campaign, today),
            ),
            status,
        ),
    )


# Leaders --------------------------------------------------------------------------------


def _led_campaign(campaign_id: int) -> Campaign:
    campaign = _campaign(campaign_id)
    ids = leader_library_ids(actor())
    if ids is not None and campaign.library_id not in ids:
        abort(404)
    return campaign


@bp.route("/leader/desk/campaigns", methods=["GET", "POST"])
@role_required(LEADER)
def leader_list() -> Any:
    libraries = allowed_libraries(leader_library_ids(actor()))
    library = chosen_library(request.args.get("library"), libraries)
    form = CampaignForm()

    def act() -> Campaign:
        data = svc.CampaignInput(
            title=form.title.data or "", starts_on=form.starts_on.data, ends_on=form.ends_on.data
        )
        return svc.open_campaign(db.session, actor(), library, data)

    return form_flow(
        form,
        act,
        lambda campaign: saved(_("Campaign opened."), url_for(".review", campaign_id=campaign.id)),
        lambda status: (
            render_template(
                "desk/campaigns_leader.html",
                library=library,
                libraries=libraries,
                form=form,
                campaigns=svc.library_campaigns(db.session, actor(), library.id),
            ),
            status,
        ),
    )


@bp.get("/leader/desk/campaigns/<id:campaign_id>")
@role_required(LEADER)
def review(campaign_id: int) -> Any:
    campaign = _led_campaign(campaign_id)
    return render_template(
        "desk/campaign_review.html",
        campaign=campaign,
        questions=svc.campaign_questions(db.session, actor(), campaign),
        categories=categories.library_categories(db.session, campaign.library_id),
        actors=directory.library_actors(db.session, campaign.library_id),
        confirm=ConfirmForm(),
    )


@bp.post("/leader/desk/campaigns/<id:campaign_id>/questions/<id:question_id>")
@role_required(LEADER)
def review_question(campaign_id: int, question_id: int) -> Any:
    campaign = _led_campaign(campaign_id)
    row = db.get_or_404(CampaignQuestion, question_id)
    if row.campaign_id != campaign.id:
        abort(404)
    back = url_for(".review", campaign_id=campaign.id) + f"#q{row.id}"
    try:
        category_id = parse_id(request.form.get("category"), "category", required=False)
        actor_id = parse_id(request.form.get("actor"), "actor", required=False)
        svc.review_question(db.session, actor(), row, category_id, actor_id)
    except DomainError as exc:
        return saved(localize(exc.message), back, code=303, category="error")
    return saved(_("Question reviewed."), back, code=303)


@bp.get("/leader/desk/campaigns/<id:campaign_id>.csv")
@role_required(LEADER)
def export(campaign_id: int) -> Any:
    campaign = _led_campaign(campaign_id)
    body = svc.campaign_csv(db.session, actor(), campaign)
    name = f"question-inventory-{campaign.id}-{campaign.starts_on.isoformat()}.csv"
    return Response(
        body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.get("/leader/desk/campaigns/<id:campaign_id>/print")
@role_required(LEADER)
def printable(campaign_id: int) -> Any:
    campaign = _led_campaign(campaign_id)
    return render_template(
        "desk/campaign_print.html",
        campaign=campaign,
        questions=svc.campaign_questions(db.session, actor(), campaign),
    )
