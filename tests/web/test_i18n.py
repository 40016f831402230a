"""Norwegian bokmål, English and Swedish: chosen from the browser, switchable, and complete."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

import scheduler
from scheduler.i18n import translated_msgids
from scheduler.mail.letter import Letter
from scheduler.site import Site
from scheduler.web.i18n import format_local


def test_browser_language_decides(client) -> None:
    nb = client.get("/", headers={"Accept-Language": "nb-NO,nb;q=0.9,en;q=0.5"})
    assert '<html lang="nb">' in nb.get_data(as_text=True)
    assert "Våre bibliotek" in nb.get_data(as_text=True)
    en = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in en.get_data(as_text=True)
    assert "Our libraries" in en.get_data(as_text=True)


def test_norwegian_aliases_and_default(client) -> None:
    assert '<html lang="nb">' in client.get("/", headers={"Accept-Language": "no"}).get_data(
        as_text=True
    )
    assert '<html lang="nb">' in client.get("/", headers={"Accept-Language": "nn-NO"}).get_data(
        as_text=True
    )
    # A language we do not offer falls back to the first configured one (bokmål).
    assert '<html lang="nb">' in client.get("/", headers={"Accept-Language": "de"}).get_data(
        as_text=True
    )


def test_switching_language_sticks_for_the_session(client) -> None:
    response = client.post(
        "/language", data={"lang": "en", "next": "/"}, headers={"Accept-Language": "nb"}
    )
    assert response.status_code == 302
    html = client.get("/", headers={"Accept-Language": "nb"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    client.post("/language", data={"lang": "nb"})
    assert "Våre bibliotek" in client.get("/", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )


def test_unknown_language_is_ignored(client) -> None:
    client.post("/language", data={"lang": "xx"})
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )


@pytest.mark.parametrize("lang", ["nb", "sv"])
def test_every_message_has_a_translation(lang: str) -> None:
    """Every string marked for translation in code and templates has a bokmål and a
    Swedish text."""
    root = Path(scheduler.__file__).parent
    method_map = [("**.py", "python"), ("web/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    translated = translated_msgids(lang)
    missing = []
    for filename, _lineno, message, _comments, _ctx in extract_from_dir(
        str(root), method_map=method_map, keywords=keywords
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if not msgid:
            continue
        if msgid not in translated:
            missing.append(f"{filename}: {msgid!r}")
    assert not missing, f"untranslated (add to a .po in scheduler/translations/{lang}):\n" + (
        "\n".join(missing)
    )


def test_swedish_browsers_get_swedish(client) -> None:
    for header in ("sv-SE,sv;q=0.9,en;q=0.5", "sv", "sv-FI"):
        html = client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)
        assert '<html lang="sv">' in html
        assert "Våra bibliotek" in html
        assert "Boka en bibliotekarie" in html


def test_the_switcher_offers_every_other_language(client) -> None:
    html = client.get("/", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert 'value="nb" lang="nb"' in html
    assert "Norsk (bokmål)" in html
    assert 'value="en" lang="en"' in html
    assert "English" in html
    assert 'value="sv" lang="sv"' not in html
    client.post("/language", data={"lang": "sv", "next": "/"})
    assert '<html lang="sv">' in client.get("/", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )


def test_languages_can_be_limited(app_config, request) -> None:
    app_config["LANGUAGES"] = "nb,sv"
    client = request.getfixturevalue("client")
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="nb">' in html
    assert "Svenska" in html
    assert 'value="en"' not in html


@pytest.mark.parametrize(
    ("lang", "day", "listed", "table"),
    [
        ("en", "Monday, 7 December 2026, 14:30", "Mon 7 Dec, 14:30", "7 Dec 2026, 14:30"),
        ("nb", "mandag 7. desember 2026, 14:30", "man. 7 des., 14:30", "7. des. 2026, 14:30"),
        ("sv", "måndag 7 december 2026, 14:30", "mån 7 dec., 14:30", "7 dec. 2026, 14:30"),
    ],
)
def test_one_date_style_per_context_in_every_language(app, lang, day, listed, table) -> None:
    """Pages and e-mails write a day the same way; English is British, never
    "December 7, 2026"."""
    instant = datetime(2026, 12, 7, 13, 30, tzinfo=UTC)  # 14:30 in Oslo
    with app.test_request_context("/", headers={"Accept-Language": lang}):
        assert format_local(instant, "day", "Europe/Oslo") == day
        assert format_local(instant, "list", "Europe/Oslo") == listed
        assert format_local(instant, "table", "Europe/Oslo") == table
    letter = Letter("x@uni.example", language=lang, site=Site(language="nb"))
    assert letter.when(instant, instant).startswith(day.rsplit(",", 1)[0] + ", 14:30")
