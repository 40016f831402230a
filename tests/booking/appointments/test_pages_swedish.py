"""A whole booking in Swedish through the pages: texts, dates, content and the e-mail."""

from __future__ import annotations

from html import unescape

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from scheduler.models import Appointment

SV = {"Accept-Language": "sv-SE,sv;q=0.9"}


@pytest.fixture(autouse=True)
def _clock(frozen):
    return frozen


def test_a_full_booking_in_swedish(db, client, library, topic, librarian, outbox) -> None:
    topic.translations = {"sv": {"name": "Omvårdnad", "description": "Sök i CINAHL och PubMed"}}
    library.translations = {"sv": {"name": "Huvudbiblioteket"}}
    db.session.commit()

    page = client.get(f"/book/topic/{topic.slug}", headers=SV)
    html = page.get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert "<h1>Omvårdnad</h1>" in html
    assert "Sök i CINAHL och PubMed" in html
    assert "tisdag 5 januari 2027" in html  # Babel's Swedish date
    assert "Huvudbiblioteket" in html
    assert "Nursing" not in html

    link = unescape(BeautifulSoup(html, "html.parser").select("a.time")[0]["href"])
    form_page = client.get(link, headers=SV).get_data(as_text=True)
    assert "Hur vill du träffas?" in form_page
    assert "Ditt namn" in form_page

    response = client.post(
        link,
        data={"name": "Sven Student", "email": "sven@uni.example", "mode": "in_person"},
        headers=SV,
    )
    assert response.status_code == 302
    confirmation = client.get(response.headers["Location"], headers=SV).get_data(as_text=True)
    assert "Du är bokad" in confirmation
    assert "Omvårdnad" in confirmation
    assert "Avboka mötet" in confirmation

    appointment = db.session.scalar(select(Appointment))
    assert appointment.locale == "sv"
    mail = next(m for m in outbox() if m["To"] == "sven@uni.example")
    body = mail.get_body(("plain",)).get_content()
    assert "Hej Sven Student," in body
    assert "Ditt möte med biblioteket är bokat." in body
    assert "Vad: Omvårdnad" in body
    assert "tisdag 5 januari 2027" in body
    assert "Var: Huvudbiblioteket" in body
    (invite,) = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert "Omvårdnad" in invite.get_content()


def test_swedish_form_errors_name_the_field(client, topic, librarian) -> None:
    page = client.get(f"/book/topic/{topic.slug}", headers=SV).get_data(as_text=True)
    link = unescape(BeautifulSoup(page, "html.parser").select("a.time")[0]["href"])
    response = client.post(
        link, data={"name": "", "email": "nope", "mode": "in_person"}, headers=SV
    )
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert response.status_code == 422
    assert page.select_one("#name-error")
    assert (
        "Ange en e-postadress som namn@example.com." in page.select_one("#email-error").get_text()
    )
