"""Question inventory campaigns: for a period ("two weeks in March") the staff write down
the questions that chafe ("should the library really help with this?") with a
reflection; the leader reviews them, tags categories and links them to actors, and
exports the lot as CSV or a printable page.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scheduler.desk.roles import desk_library_ids, require_desk, require_leader
from scheduler.desk.spreadsheet import cell
from scheduler.models import (
    Actor,
    Campaign,
    CampaignQuestion,
    InquiryCategory,
    Library,
    Person,
)
from scheduler.reasons import _, input_error

MAX_DAYS = 92
# Staff may still write down a question from the last days a week after the end.
LATE_DAYS = 7
MAX_TEXT = 4000


@dataclass(frozen=True)
class CampaignInput:
    title: str
    starts_on: date
    ends_on: date


def open_campaign(
    session: Session, actor: Person, library: Library, data: CampaignInput
) -> Campaign:
    """A leader opens an inventory for the library for a period."""
    require_leader(actor, library.id)
    title = (data.title or "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("is required")
    elif len(title) > 200:
        errors["title"] = _("at most %(num)s characters", num=200)
    if data.ends_on < data.starts_on:
        errors["ends_on"] = _("must not be before the start date")
    elif (data.ends_on - data.starts_on).days > MAX_DAYS:
        errors["ends_on"] = _("at most %(days)s days after the start date", days=MAX_DAYS)
    if errors:
        raise input_error(errors)
    campaign = Campaign(
        library_id=library.id,
        title=title,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        opened_by_id=actor.id,
    )
    session.add(campaign)
    session.flush()
    return campaign


def library_campaigns(session: Session, actor: Person, library_id: int) -> list[Campaign]:
    require_leader(actor, library_id)
    return list(
        session.scalars(
            select(Campaign)
            .where(Campaign.library_id == library_id)
            .order_by(Campaign.starts_on.desc(), Campaign.id.desc())
        )
    )


def accepts_questions(campaign: Campaign, today: date) -> bool:
    return campaign.starts_on <= today <= campaign.ends_on + timedelta(days=LATE_DAYS)


def open_campaigns_for(session: Session, person: Person, today: date) -> list[Campaign]:
    """The campaigns the person may add questions to today (their own libraries)."""
    ids = desk_library_ids(person)
    query = select(Campaign).where(
        Campaign.starts_on <= today,
        Campaign.ends_on >= today - timedelta(days=LATE_DAYS),
    )
    if ids is not None:
        query = query.where(Campaign.library_id.in_(ids or {-1}))
    return list(session.scalars(query.order_by(Campaign.ends_on)))


@dataclass(frozen=True)
class QuestionInput:
    question: str
    reflection: str | None = None
    chafing: bool = True
    asked_on: date | None = None


def add_question(
    session: Session, actor: Person, campaign: Campaign, data: QuestionInput, today: date
) -> CampaignQuestion:
    """Staff write down a question (and what they thought of it) during the campaign."""
    require_desk(actor, campaign.library_id)
    errors: dict[str, str] = {}
    if not accepts_questions(campaign, today):
        errors["campaign"] = _("is not open for questions")
    question = (data.question or "").strip()
    reflection = (data.reflection or "").strip() or None
    if not question:
        errors["question"] = _("is required")
    elif len(question) > MAX_TEXT:
        errors["question"] = _("at most %(num)s characters", num=MAX_TEXT)
    if reflection and len(reflection) > MAX_TEXT:
        errors["reflection"] = _("at most %(num)s characters", num=MAX_TEXT)
    asked_on = data.asked_on or min(today, campaign.ends_on)
    if not campaign.starts_on <= asked_on <= campaign.ends_on:
        errors["asked_on"] = _("must lie within the campaign")
    if errors:
        raise input_error(errors)
    row = CampaignQuestion(
        campaign=campaign,
        asked_on=asked_on,
        question=question,
        reflection=reflection,
        chafing=data.chafing,
        added_by_id=actor.id,
    )
    session.add(row)
    session.flush()
    return row


def review_question(
    session: Session,
    actor: Person,
    row: CampaignQuestion,
    category_id: int | None,
    actor_id: int | None,
) -> CampaignQuestion:
    """The leader tags a question with a category and the actor to refer to."""
    library_id = row.campaign.library_id
    require_leader(actor, library_id)
    errors: dict[str, str] = {}
    if category_id is not None:
        category = session.get(InquiryCategory, category_id)
        if category is None or category.library_id != library_id:
            errors["category"] = _("does not belong to this library")
    if actor_id is not None:
        target = session.get(Actor, actor_id)
        if target is None or target.library_id != library_id:
            errors["actor"] = _("does not belong to this library")
    if errors:
        raise input_error(errors)
    row.category_id = category_id
    row.actor_id = actor_id
    row.reviewed = True
    session.flush()
    return row


def campaign_questions(
    session: Session, actor: Person, campaign: Campaign
) -> list[CampaignQuestion]:
    require_leader(actor, campaign.library_id)
    return list(
        session.scalars(
            select(CampaignQuestion)
            .where(CampaignQuestion.campaign_id == campaign.id)
            .options(selectinload(CampaignQuestion.category), selectinload(CampaignQuestion.actor))
            .order_by(CampaignQuestion.asked_on, CampaignQuestion.id)
        )
    )


CSV_HEADER = ["asked_on", "question", "reflection", "chafing", "category", "refer_to", "reviewed"]


def campaign_csv(session: Session, actor: Person, campaign: Campaign) -> str:
    """The inventory as a spreadsheet: one line per question."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in campaign_questions(session, actor, campaign):
        writer.writerow(
            [
                row.asked_on.isoformat(),
                cell(row.question),
                cell(row.reflection),
                "yes" if row.chafing else "no",
                cell(row.category.name if row.category else ""),
                cell(row.actor.name if row.actor else ""),
                "yes" if row.reviewed else "no",
            ]
        )
    return out.getvalue()
