"""Question inventory campaigns: opened by a leader, filled by staff, reviewed, exported."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from scheduler.desk.campaigns import (
    CampaignInput,
    QuestionInput,
    add_question,
    campaign_csv,
    open_campaign,
    open_campaigns_for,
    review_question,
)
from scheduler.errors import Forbidden, InputError
from scheduler.models import CampaignQuestion, Inquiry
from tests.desk.conftest import NOW

MARCH = CampaignInput("Two weeks in March", date(2027, 3, 1), date(2027, 3, 14))


@pytest.fixture
def campaign(db, world):
    return open_campaign(db.session, world.leader, world.library, MARCH)


def test_only_the_librarys_leader_opens_a_campaign(db, world) -> None:
    for person in (world.staff, world.other_leader):
        with pytest.raises(Forbidden):
            open_campaign(db.session, person, world.library, MARCH)
    with pytest.raises(InputError) as exc:
        open_campaign(
            db.session,
            world.leader,
            world.library,
            CampaignInput(" ", date(2027, 3, 14), date(2027, 3, 1)),
        )
    assert set(exc.value.fields) == {"title", "ends_on"}


def test_staff_add_questions_while_it_runs(db, world, campaign) -> None:
    today = date(2027, 3, 9)
    assert open_campaigns_for(db.session, world.staff, today) == [campaign]
    assert open_campaigns_for(db.session, world.outsider, today) == []
    row = add_question(
        db.session,
        world.staff,
        campaign,
        QuestionInput("Help me apply for a passport online", "Not ours; police."),
        today,
    )
    assert (row.asked_on, row.chafing, row.added_by_id) == (today, True, world.staff.id)
    with pytest.raises(Forbidden):
        add_question(db.session, world.outsider, campaign, QuestionInput("x"), today)
    # A week after the end the inventory is closed.
    with pytest.raises(InputError) as exc:
        add_question(db.session, world.staff, campaign, QuestionInput("late"), date(2027, 3, 22))
    assert "campaign" in exc.value.fields
    with pytest.raises(InputError) as exc:
        add_question(
            db.session,
            world.staff,
            campaign,
            QuestionInput("before", asked_on=date(2027, 2, 27)),
            today,
        )
    assert "asked_on" in exc.value.fields


def test_the_leader_reviews_and_exports(db, world, campaign) -> None:
    row = add_question(
        db.session, world.staff, campaign, QuestionInput("Tax card", "Refer"), date(2027, 3, 2)
    )
    with pytest.raises(Forbidden):
        review_question(db.session, world.staff, row, world.reference.id, world.tax.id)
    review_question(db.session, world.leader, row, world.reference.id, world.tax.id)
    assert row.reviewed
    rows = list(csv.reader(io.StringIO(campaign_csv(db.session, world.leader, campaign))))
    assert rows[1] == ["2027-03-02", "Tax card", "Refer", "yes", "Reference", "Tax office", "yes"]
    with pytest.raises(Forbidden):
        campaign_csv(db.session, world.other_leader, campaign)


def test_the_pages_of_a_campaign(client, db, login, world, time_machine) -> None:
    time_machine.move_to(NOW)
    login(world.leader)
    opened = client.post(
        "/leader/desk/campaigns",
        data={"title": "March inventory", "starts_on": "2027-03-01", "ends_on": "2027-03-14"},
    )
    assert opened.status_code == 302
    login(world.staff)
    listing = client.get("/desk/campaigns").get_data(as_text=True)
    assert "March inventory" in listing
    campaign_id = int(opened.headers["Location"].rstrip("/").split("/")[-1])
    added = client.post(
        f"/desk/campaigns/{campaign_id}",
        data={"question": "Can you scan my whole passport?", "chafing": "y"},
    )
    assert added.status_code == 302
    row = db.session.scalar(select(CampaignQuestion))
    login(world.leader)
    reviewed = client.post(
        f"/leader/desk/campaigns/{campaign_id}/questions/{row.id}",
        data={"category": str(world.printing.id), "actor": ""},
    )
    assert reviewed.status_code == 303
    db.session.refresh(row)
    assert (row.category_id, row.reviewed) == (world.printing.id, True)
    printed = client.get(f"/leader/desk/campaigns/{campaign_id}/print").get_data(as_text=True)
    assert "Can you scan my whole passport?" in printed
    export = client.get(f"/leader/desk/campaigns/{campaign_id}.csv")
    assert export.mimetype == "text/csv"
    login(world.other_leader)
    assert client.get(f"/leader/desk/campaigns/{campaign_id}").status_code == 404
    login(world.outsider)
    assert client.get(f"/desk/campaigns/{campaign_id}").status_code == 404


def test_a_leader_keeps_a_text_from_the_purge(client, db, login, world, add_inquiry) -> None:
    inquiry = add_inquiry(world, NOW - timedelta(days=1), description="Where are the toilets?")
    db.session.flush()
    login(world.leader)
    page = client.get(f"/leader/desk/texts?library={world.library.id}")
    assert "Where are the toilets?" in page.get_data(as_text=True)
    response = client.post(f"/leader/desk/texts/{inquiry.id}", data={"anonymised": "1"})
    assert response.status_code == 303
    db.session.refresh(inquiry)
    assert inquiry.anonymised
    login(world.staff)
    assert client.post(f"/leader/desk/texts/{inquiry.id}", data={}).status_code == 403
    assert db.session.scalar(select(Inquiry.anonymised)) is True


def test_text_that_looks_like_a_formula_stays_text_in_the_csv(db, world, campaign) -> None:
    add_question(
        db.session, world.staff, campaign, QuestionInput("=HYPERLINK(1)"), date(2027, 3, 2)
    )
    rows = list(csv.reader(io.StringIO(campaign_csv(db.session, world.leader, campaign))))
    assert rows[1][1] == "'=HYPERLINK(1)"
