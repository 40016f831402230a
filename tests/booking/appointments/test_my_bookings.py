"""A patron's "My bookings" by e-mail address: the link, the list, cancelling, the
export and erasure (the personal-data page and the all-my-bookings page are one)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from scheduler.accounts import new_token
from scheduler.booking import patron_data
from scheduler.booking.appointments.book import book
from scheduler.jobs.runner import run_pending
from scheduler.models import (
    Appointment,
    AppointmentStatus,
    DropInSession,
    OutboundEmail,
    Registration,
    RegistrationStatus,
)
from tests.booking.appointments.helpers import NOW, TUESDAY, at, site_at

EN = {"Accept-Language": "en"}
OLA = "ola@uni.example"


@pytest.fixture(autouse=True)
def _clock(frozen):
    return frozen


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


@pytest.fixture
def ola(db, app, librarian, request_for, library):
    """Ola has an appointment on Tuesday, one with Kari last month (cancelled), and a
    place at a drop-in next week; Per has an appointment too."""
    site = site_at(NOW, secret_key=app.config["SECRET_KEY"])
    upcoming = book(
        db.session,
        request_for(librarian, at(TUESDAY, 9), email=OLA, answers={}, message="CINAHL"),
        site=site,
    ).appointment
    other = book(
        db.session, request_for(librarian, at(TUESDAY, 9, 45), email="per@uni.example"), site=site
    ).appointment
    dropin = DropInSession(
        title="Thesis café",
        library=library,
        starts_at=at(TUESDAY + timedelta(days=7), 12),
        ends_at=at(TUESDAY + timedelta(days=7), 13),
        registration_required=True,
        capacity=10,
    )
    db.session.add(dropin)
    _token, digest = new_token()
    reg = Registration(
        session=dropin,
        name="Ola Student",
        email=OLA,
        answer="Chapter 2",
        status=RegistrationStatus.REGISTERED,
        manage_token_hash=digest,
        locale="en",
    )
    db.session.add(reg)
    db.session.commit()
    run_pending(app)  # the confirmations are sent (and written to the outbox folder)
    return {"appointment": upcoming, "other": other, "registration": reg, "site": site}


def _link_from_outbox(db) -> str:
    mail = db.session.scalars(
        select(OutboundEmail)
        .where(OutboundEmail.to_address == OLA, OutboundEmail.subject.like("%bookings%"))
        .order_by(OutboundEmail.id.desc())
    ).first()
    assert mail is not None
    return re.search(r"https://library\.test(/my-bookings/\S+)", mail.body_text).group(1)


def test_asking_answers_the_same_for_any_address_and_mails_only_patrons(client, db, ola) -> None:
    before = db.session.scalar(select(func.count()).select_from(OutboundEmail))
    known = client.post("/my-bookings/", data={"email": "Ola@uni.example"}, headers=EN)
    unknown = client.post("/my-bookings/", data={"email": "nobody@uni.example"}, headers=EN)
    assert known.status_code == unknown.status_code == 302
    page_known = soup(client.get("/my-bookings/", headers=EN)).get_text()
    assert "If Ola@uni.example has bookings with us, a link" in page_known
    after = db.session.scalar(select(func.count()).select_from(OutboundEmail))
    assert after == before + 1  # only Ola was written to
    assert _link_from_outbox(db).startswith("/my-bookings/")
    bad = client.post("/my-bookings/", data={"email": "not an address"}, headers=EN)
    assert bad.status_code == 422
    assert "valid e-mail address" in soup(bad).get_text()


def test_the_page_lists_only_this_patrons_bookings(client, db, ola) -> None:
    client.post("/my-bookings/", data={"email": OLA}, headers=EN)
    page = client.get(_link_from_outbox(db), headers=EN)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = soup(page)
    rows = html.select("#appointments-heading ~ table tbody tr")
    assert len(rows) == 1  # not Per's
    manage = rows[0].find("a", string="Move or cancel")["href"]
    assert client.get(manage, headers=EN).status_code == 200  # the appointment's own page
    assert "Thesis café" in html.select_one("#registrations-heading ~ table").get_text()


def test_links_expire_and_cannot_be_forged(client, db, ola) -> None:
    client.post("/my-bookings/", data={"email": OLA}, headers=EN)
    link = _link_from_outbox(db)
    assert client.get(link + "x").status_code == 404
    forged = patron_data.link_token(site_at(NOW, secret_key="another key"), OLA)
    assert client.get(f"/my-bookings/{forged}").status_code == 404
    with time_machine.travel(NOW + timedelta(hours=25)):
        expired = client.get(link, headers=EN)
    assert expired.status_code == 404
    assert "expired" in soup(expired).get_text()


def test_cancel_a_registration_after_confirming(client, db, ola) -> None:
    client.post("/my-bookings/", data={"email": OLA}, headers=EN)
    link = _link_from_outbox(db)
    reg = ola["registration"]
    url = f"{link}/registrations/{reg.id}/cancel"
    question = client.get(url, headers=EN)
    assert "Cancel your registration?" in soup(question).get_text()
    assert db.session.get(Registration, reg.id).status == RegistrationStatus.REGISTERED
    assert client.post(url, headers=EN).status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).status == RegistrationStatus.CANCELLED
    # Someone else's registration id through Ola's link is not found.
    assert client.get(f"{link}/registrations/999999/cancel").status_code == 404


def test_export_holds_everything_we_keep(client, db, ola) -> None:
    client.post("/my-bookings/", data={"email": OLA}, headers=EN)
    response = client.get(_link_from_outbox(db) + "/export.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["email"] == OLA
    (appointment,) = data["appointments"]
    assert appointment["message"] == "CINAHL"
    assert appointment["librarian"] == "Kari Nordmann"
    (registration,) = data["registrations"]
    assert (registration["session"], registration["answer"]) == ("Thesis café", "Chapter 2")


def test_erase_cancels_what_is_to_come_and_forgets_the_patron(app, client, db, ola) -> None:
    client.post("/my-bookings/", data={"email": OLA}, headers=EN)
    link = _link_from_outbox(db)
    outbox = Path(app.instance_path) / "outbox"
    run_pending(app)
    files_before = {p.name for p in outbox.glob("*.eml")}
    assert any(OLA in p.read_text(errors="replace") for p in outbox.glob("*.eml"))
    question = client.get(f"{link}/erase", headers=EN)
    assert "cannot be undone" in soup(question).get_text()
    done = client.post(f"{link}/erase", headers=EN)
    assert done.status_code == 200
    assert "erased your details from 2 bookings and cancelled 2" in soup(done).get_text()
    db.session.expire_all()
    mine = db.session.get(Appointment, ola["appointment"].id)
    assert mine.status == AppointmentStatus.CANCELLED
    assert (mine.patron_name, mine.patron_email, mine.message) == (None, None, None)
    reg = db.session.get(Registration, ola["registration"].id)
    assert (reg.status, reg.name, reg.email, reg.answer) == (
        RegistrationStatus.CANCELLED, None, None, None,
    )  # fmt: skip
    # Per's booking is untouched; the rows stay for the counts.
    assert db.session.get(Appointment, ola["other"].id).patron_email == "per@uni.example"
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 2
    # Stored e-mails to Ola that were sent are gone, rows and files; the cancellations
    # just written still go out, then leave with the retention purge.
    sent = db.session.scalars(select(OutboundEmail.id).where(OutboundEmail.to_address == OLA)).all()
    run_pending(app)
    left = {p.name for p in outbox.glob("*.eml")}
    old_files_to_ola = [
        n for n in files_before & left if OLA in (outbox / n).read_text(errors="replace")
    ]
    assert old_files_to_ola == []
    assert all(f"{i:08d}.eml" in left for i in sent)  # only the new cancellations
    # The link now shows nothing.
    page = soup(client.get(link, headers=EN)).get_text()
    assert "No appointments." in page
    assert "No registrations." in page
