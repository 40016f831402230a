"""Drop-in titles, descriptions, questions and library names in the reader's language."""

from __future__ import annotations

import pytest

SV = {"Accept-Language": "sv"}
EN = {"Accept-Language": "en"}
NB = {"Accept-Language": "nb"}


@pytest.fixture
def clinic(db, create_dropin, create_library):
    library = create_library(
        name="Law Library", translations={"sv": {"name": "Juridiska biblioteket"}}
    )
    dropin = create_dropin(
        library=library,
        title="Search clinic",
        description="Bring your search",
        question="Which database?",
        translations={
            "sv": {"title": "Sökverkstad", "question": "Vilken databas?"},
            "nb": {"title": "Søkeverksted"},
        },
    )
    db.session.commit()
    return dropin


def test_the_session_page_is_in_the_readers_language(client, clinic) -> None:
    html = client.get(f"/dropins/{clinic.id}", headers=SV).get_data(as_text=True)
    assert "Sökverkstad" in html
    assert "Vilken databas?" in html
    assert "Juridiska biblioteket" in html
    assert "Bring your search" in html  # no Swedish description: the text as written
    assert "Search clinic" not in html


def test_each_language_falls_back_field_by_field(client, clinic) -> None:
    nb = client.get(f"/dropins/{clinic.id}", headers=NB).get_data(as_text=True)
    assert "Søkeverksted" in nb
    assert "Which database?" in nb
    assert "Law Library" in nb
    en = client.get(f"/dropins/{clinic.id}", headers=EN).get_data(as_text=True)
    assert "Search clinic" in en
    assert "Sökverkstad" not in en


def test_the_listing_and_the_public_feed_follow_the_language(client, clinic) -> None:
    assert "Sökverkstad" in client.get("/dropins/", headers=SV).get_data(as_text=True)
    feed = client.get("/feeds/public/dropins.ics?lang=sv").get_data(as_text=True)
    assert "SUMMARY:Sökverkstad" in feed
    assert "Juridiska biblioteket" in feed
    english = client.get("/feeds/public/dropins.ics?lang=en").get_data(as_text=True)
    assert "SUMMARY:Search clinic" in english
